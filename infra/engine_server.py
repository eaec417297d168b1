"""moto's server for the local stack's engine, with its connections kept open.

moto serves through werkzeug's development server, which closes every connection after one
request (it always sends `Connection: close`: http.server cannot tell how much of a request's
body the app left unread, so the next request line could be lost in it). So every AWS call a
worker made was a new TCP connection and a new server thread: a sixth of the engine's CPU while
runs move, and as much again in the workers' SDKs connecting; werkzeug then waited 10 ms after
each answer for a rest of the body that never came. Here the body is read whole before the app
sees it (AWS SDKs send a Content-Length), so nothing can be left unread, and the answer goes
whole with its Content-Length; the connection is kept for the SDK's next call, as AWS keeps it.
A request without a Content-Length (a bodiless GET, a chunked body) still closes it.

A DynamoDB call, most of what the engine answers, goes straight to moto's DynamoDB handler, as
moto's in-process mock hands it over: not through moto's dispatcher, which finds the service
by reading the request's signature, and its Flask app, whose routing, CORS and response
objects were a seventh of the engine's CPU. The handler, the request it is given and the
answer are moto's own (tests/unit/test_engine_server.py compares them byte for byte).
"""

from __future__ import annotations

import io
from typing import Any

from botocore.exceptions import ClientError
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import (
    BackendRequest,
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.serving import BaseWSGIServer, make_server

Answer = tuple[str, list[tuple[str, str]], bytes]  # status line, headers, body
DYNAMODB_TARGET = "DynamoDB_20120810."  # X-Amz-Target of every DynamoDB call (not Streams')


class KeptAlive(MotoRequestHandler):
    """moto's request handler, answering each request whole (with its Content-Length) and
    keeping the connection for the next, once it has read the request's body whole."""

    # An answer is written as its headers, then its body: with Nagle's algorithm on, the body
    # waited for the client to acknowledge the headers, which a client delays by 40 ms. So
    # every call over a kept connection took 40 ms more than its work.
    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        length = self.headers.get("Content-Length", "")
        kept = length.isdigit() and "Transfer-Encoding" not in self.headers
        if kept:  # read whole, so nothing of it can be left on the connection
            environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)))
        status, headers, body = (dynamodb(environ) if kept and is_dynamodb(environ)
                                 else through_app(self.server.app, environ))
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in _FRAMING:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if not kept:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


_FRAMING = frozenset({"content-length", "connection", "transfer-encoding"})


def through_app(app: Any, environ: dict[str, Any]) -> Answer:
    """The answer of moto's WSGI app (every service), whole."""
    answered: list[Any] = []
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Any:
        answered[:] = [status, headers]
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, headers = answered
    return status, headers, b"".join(chunks)


def is_dynamodb(environ: dict[str, Any]) -> bool:
    return (environ["REQUEST_METHOD"] == "POST" and environ.get("PATH_INFO") == "/"
            and environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET))


def dynamodb(environ: dict[str, Any]) -> Answer:
    """moto's DynamoDB handler's answer, given the request as moto's Flask view gives it
    (`convert_to_flask_response`), with the headers its Flask response would carry."""
    request = BackendRequest(environ)
    try:
        result = DynamoHandler.dispatch(request, request.raw_url, dict(request.headers))
    except ClientError as error:
        result = 400, {}, error.response["Error"]["Message"]
    status, given, content = result if len(result) == 3 else (200, {}, result)
    headers = [(str(k), str(v)) for k, v in given.items()]
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "text/html; charset=utf-8"))  # Flask's default
    body = content.encode() if isinstance(content, str) else bytes(content)
    code = int(status)
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}", headers, body  # werkzeug's


def serve(port: int) -> BaseWSGIServer:
    """moto's app (every service), bound on 127.0.0.1:`port`; `serve_forever` then answers,
    a thread per connection as werkzeug does."""
    return make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app),
                       threaded=True, request_handler=KeptAlive)
