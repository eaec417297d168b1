"""The local stack's HTTP server: Chalice's local server, answering where it differs from the
deployed API as template.yaml's gateway responses make API Gateway answer.

- A URL no route has: 404 problem+json (Chalice answers 403 "Missing Authentication Token",
  and with a bearer token echoes the token back).
- A body over the limit: 413, refused by its Content-Length before a byte of it is read.
- The access log masks the secret part of patients' links, every query-string value but the
  few known to hold no personal data (a search typed into an address stays out of the log),
  and anything shaped like an NHS number.
- A listen backlog of 128, not socketserver's 5, so a burst of connections is not reset.
- Requests are served on warm threads (infra.warm_threads), not a new thread each, so the
  service's per-thread boto3 resources are made once per thread.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.app import Chalice, Response
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
    ThreadedHTTPServer,
)

from infra.warm_threads import WarmThreads
from workingbetter.domain.errors import BadRequest, DomainError, NotFound
from workingbetter.handlers import answers, request_body

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


class Handler(ChaliceRequestHandler):
    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice,
                 config: Config) -> None:
        # Chalice's __init__ would build its own gateway; the base class then serves at once.
        self.local_gateway = Gateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def _checked_handle(self) -> None:
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

    def log_message(self, format: str, *args: Any) -> None:
        super().log_message("%s", masked(format % args))


class Server(ThreadedHTTPServer):
    request_queue_size = 128
    warm = WarmThreads(16, "api")

    def process_request(self, request: Any, client_address: Any) -> None:
        self.warm.start(self.process_request_thread, request, client_address)


def serve(app: Chalice, host: str, port: int) -> LocalDevServer:
    """Bind (raising OSError when the port is taken); `serve_forever` then answers."""
    return LocalDevServer(app, Config(), host, port, handler_cls=Handler, server_cls=Server)
