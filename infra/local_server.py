"""The local stack's HTTP server: Chalice's local server, answering where it differs from the
deployed API as template.yaml's gateway responses make API Gateway answer.

- A URL no route has: 404 problem+json (Chalice answers 403 "Missing Authentication Token",
  and with a bearer token echoes the token back).
- A method a route does not take, any method (TRACE, PROPFIND, OPTIONS...): the app's 405
  with Allow, as the ANY method beside every route makes API Gateway send it to the app
  (http.server answers 501 in HTML, Chalice answers OPTIONS itself as if for CORS), and a
  HEAD answer has no body.
- A body over the limit: 413, refused by its Content-Length before a byte of it is read.
- The access log masks the secret part of patients' links, every query-string value but the
  few known to hold no personal data (a search typed into an address stays out of the log),
  and anything shaped like an NHS number; in the local stack's quiet log (local_log) only a
  server error's line is printed, and every request is counted.
- A listen backlog of 128, not socketserver's 5, so a burst of connections is not reset.
- Requests are served on warm threads (infra.warm_threads), not a new thread each, so the
  service's per-thread boto3 resources are made once per thread.
- Stopping (`Server.stop_taking_requests`): from then on every request is answered 503
  problem+json with Retry-After, the requests being answered are finished, and then the
  listener closes, so a new connection is refused; nothing is cut off half-answered.
"""

from __future__ import annotations

import contextlib
import functools
import re
import socket
import sys
import threading
from dataclasses import dataclass
from typing import Any, cast

from chalice.app import Chalice, Response
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
    ThreadedHTTPServer,
)

from infra import local_log
from infra.warm_threads import WarmThreads
from workingbetter.domain.errors import BadRequest, DomainError, NotFound
from workingbetter.routing import answers, problems, request_body

RETRY_AFTER = 30  # seconds: how long a client is told to wait while the stack is stopping
_PATIENT_LINK = re.compile(r"(/patient/(?:withdraw/)?)[^\s?\"/]+")
# Query parameters whose values are filters, paging or report periods: never personal data.
SAFE_QUERY = frozenset({"status", "cursor", "limit", "practice", "practice_ods", "from", "to",
                        "table", "attention", "withdrawn", "done"})
_QUERY = re.compile(r"\?([^\s\"#]*)")
_PARAMETER = re.compile(r"([^&=]*)=([^&]*)")
# Ten digits, grouped 3-3-4 or not, by spaces or dashes (typed or %-encoded).
_NHS_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{3}(?:[ -]|%20)?\d{3}(?:[ -]|%20)?\d{4}"
                         r"(?![0-9A-Za-z])")


def _query(found: re.Match[str]) -> str:
    kept = _PARAMETER.sub(lambda p: p[0] if p[1] in SAFE_QUERY else f"{p[1]}=…", found[1])
    return f"?{kept}"


def masked(text: str) -> str:
    text = _QUERY.sub(_query, _PATIENT_LINK.sub(r"\1…", text))
    return _NHS_NUMBER.sub("…", text)


class _Answered(LocalGatewayException):
    """An answer given before the app is called, in the app's own form."""

    def __init__(self, response: Response) -> None:
        answer = response.to_dict()
        super().__init__(answer["headers"], answer["body"].encode())
        self.CODE = answer["statusCode"]


class Gateway(LocalGateway):
    def _generate_lambda_event(self, method: str, path: str, headers: dict[str, Any],
                               body: bytes | None) -> dict[str, Any]:
        try:
            event: dict[str, Any] = super()._generate_lambda_event(method, path, headers, body)
        except ValueError:  # no route matches the path
            raise _Answered(answers.refusal(NotFound("No such page or API route"), None)) from None
        return event

    def _has_user_defined_options_method(self, lambda_event: dict[str, Any]) -> bool:
        return True  # no CORS here: OPTIONS reaches the app like any other method


class Handler(ChaliceRequestHandler):
    disable_nagle_algorithm = True  # see engine_server.KeptAlive: 40 ms an answer otherwise

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice,
                 config: Config) -> None:
        # Chalice's __init__ would build its own gateway; the base class then serves at once.
        self.local_gateway = Gateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def _checked_handle(self) -> None:
        server = cast(Server, self.server)
        if not server.admit(self.connection):
            self.close_connection = True
            self._send_error_response(_Answered(_stopping()))
            return
        try:
            self._checked_and_answered()
        finally:
            server.answered(self.connection)
            if server.stopping:
                self.close_connection = True

    def _checked_and_answered(self) -> None:
        try:
            declared = self.headers.get("content-length")
            if declared and not declared.strip().isdigit():
                raise BadRequest("Content-Length must be a number of bytes")
            request_body.check_size(declared, None)
        except DomainError as error:
            self.close_connection = True  # the body was never read: drop the connection after
            self._send_error_response(_Answered(answers.refusal(error, None)))
            return
        self._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _checked_handle

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if str(code).isdigit() else 0
        if local_log.request(status):
            super().log_request(code, size)

    def __getattr__(self, name: str) -> Any:
        """`do_TRACE`, `do_PROPFIND`, any method: http.server looks for one by its name."""
        if name.startswith("do_"):
            return self._checked_handle
        raise AttributeError(name)

    def _send_http_response_with_body(self, code: int, headers: dict[str, Any],
                                      body: str | bytes) -> None:
        if self.command == "HEAD":  # the headers a GET would get, and no body (RFC 9110)
            self._send_http_response_no_body(code, headers)
            return
        super()._send_http_response_with_body(code, headers, body)

    def log_message(self, format: str, *args: Any) -> None:
        super().log_message("%s", masked(format % args))


def _stopping() -> Response:
    body = problems.problem(503, "The service is stopping",
                            "It is not taking requests now. Try again once it has started again.")
    return answers.json_answer(503, body, problems.CONTENT_TYPE,
                               {"Retry-After": str(RETRY_AFTER)})


@dataclass(frozen=True)
class Drained:
    """What stopping did with the requests: finished, refused, or cut off by the wait."""

    finished: int
    refused: int
    cut_off: int


class Server(ThreadedHTTPServer):
    request_queue_size = 128
    warm = WarmThreads(16, "api")

    def __init__(self, address: Any, handler: Any, bind_and_activate: bool = True) -> None:
        super().__init__(address, handler, bind_and_activate)
        self._state = threading.Condition()
        self.stopping = False
        self._open: set[socket.socket] = set()  # every connection not yet closed
        self._answering: set[socket.socket] = set()  # those with a request being answered
        self._served: set[socket.socket] = set()  # those that have had an answer
        self._refused = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._state:
            self._open.add(request)
        self.warm.start(self.process_request_thread, request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that left before its answer (a stopped demo) is no fault of the service:
        one line in the quiet log, not socketserver's traceback."""
        if local_log.MODE.quiet and isinstance(sys.exc_info()[1], ConnectionError):
            print(f"a client left before its answer ({type(sys.exc_info()[1]).__name__})",
                  file=sys.stderr)
            return
        super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._state:
            self._open.discard(request)
            self._served.discard(request)
            self._state.notify_all()
        super().shutdown_request(request)

    def get_request(self) -> tuple[socket.socket, Any]:
        request, client_address = super().get_request()
        request.setblocking(True)  # the listener may not block (serve_on); its connections do
        return request, client_address

    def admit(self, connection: socket.socket) -> bool:
        """Whether to answer this request (False once stopping: it gets a 503)."""
        with self._state:
            if self.stopping:
                self._refused += 1
                return False
            self._answering.add(connection)
            return True

    def answered(self, connection: socket.socket) -> None:
        with self._state:
            self._answering.discard(connection)
            self._served.add(connection)
            self._state.notify_all()

    def stop_taking_requests(self, wait: float) -> Drained:
        """Refuse every request from now on (503), finish those being answered (for at most
        `wait` seconds), then close the listener: a new connection is refused. Must be called
        while another thread runs `serve_forever`."""
        with self._state:
            self.stopping = True
            finishing = len(self._answering)
            self._state.wait_for(lambda: not self._answering, wait)
            cut_off = len(self._answering)
        self.shutdown()
        self._answer_queued()
        self.server_close()
        with self._state:
            return Drained(finishing - cut_off, self._refused, cut_off)

    def _answer_queued(self) -> None:
        """Connections made before the listener closed but not yet accepted get their 503
        too, rather than a reset."""
        self.socket.setblocking(False)
        while True:
            try:
                request, client_address = self.get_request()
            except OSError:  # none left waiting
                return
            self.process_request(request, client_address)

    def close_idle(self, wait: float) -> None:
        """Once stopped, close the connections still open with no request being answered, so
        their threads end: at once those a browser keeps alive after an answer, and after
        `wait` seconds those that have not sent a request yet (one on its way gets its 503)."""
        with self._state:
            _shut((self._open & self._served) - self._answering)
            self._state.wait_for(lambda: not self._open - self._served - self._answering, wait)
            _shut(self._open - self._answering)


def _shut(connections: set[socket.socket]) -> None:
    for connection in connections:
        with contextlib.suppress(OSError):  # closed meanwhile
            connection.shutdown(socket.SHUT_RDWR)


def server_of(served: LocalDevServer) -> Server:
    """The server `serve` made (Chalice types it as any HTTPServer)."""
    return cast(Server, served.server)


def serve(app: Chalice, host: str, port: int) -> LocalDevServer:
    """Bind (raising OSError when the port is taken); `serve_forever` then answers."""
    return LocalDevServer(app, Config(), host, port, handler_cls=Handler, server_cls=Server)


def serve_on(app: Chalice, listening: socket.socket) -> Server:
    """A server answering on a socket bound elsewhere: the local stack's API workers share the
    one the supervisor bound, and the kernel hands each new connection to one of them."""
    handler = functools.partial(Handler, app_object=app, config=Config())
    server = Server(listening.getsockname()[:2], handler, bind_and_activate=False)
    server.socket.close()
    # Every worker waiting on the socket is woken by a new connection, and one accepts it: the
    # others must find nothing and wait again, not sit in accept until the next connection,
    # which at a stop may never come (its shutdown waited on it, and Ctrl-C hung).
    listening.setblocking(False)
    server.socket = listening
    return server
