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
"""

from __future__ import annotations

import io
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server


class KeptAlive(MotoRequestHandler):
    """moto's request handler, answering each request whole (with its Content-Length) and
    keeping the connection for the next, once it has read the request's body whole."""

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        length = self.headers.get("Content-Length", "")
        kept = length.isdigit() and "Transfer-Encoding" not in self.headers
        if kept:  # read whole, so nothing of it can be left on the connection
            environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)))
        answered: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            answered[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        result = self.server.app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = answered
        body = b"".join(chunks)
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


def serve(port: int) -> BaseWSGIServer:
    """moto's app (every service), bound on 127.0.0.1:`port`; `serve_forever` then answers,
    a thread per connection as werkzeug does."""
    return make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app),
                       threaded=True, request_handler=KeptAlive)
