"""The local stack's Lambda task workers, and how the engine reaches them.

A task worker is a process of its own (`python -m infra.task_worker`, started by the local
stack) with the service's code loaded, as a warm Lambda container has it: the engine's Lambda
(lambda_dispatch) sends each invocation to a worker as an HTTP request and the worker runs the
handler (lambda_runtime) with the function's environment, its AWS calls going back to the
engine's endpoint like any client's. The workers share one listening socket, which the
supervisor bound, so the kernel hands each new connection to one of them; the engine keeps its
connections open, and each connection is served by a thread that stays, so a thread's boto3
resources are made once (as a container keeps them).
"""

from __future__ import annotations

import http.client
import importlib
import os
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra import child_process, lambda_runtime, powertools_keys
from infra.lambda_runtime import SERVICE_ERROR, Call, Ran, log

ERROR_HEADER = "X-Function-Error"
# What a warm container has loaded before its first invocation: the workflow's and the
# schedules' handlers.
HANDLER_MODULES = ("workingbetter.handlers.tasks", "workingbetter.handlers.scheduled")


class Workers:
    """The engine's side: runs a call in a task worker, over a connection kept open."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._free: queue.LifoQueue[http.client.HTTPConnection] = queue.LifoQueue()

    def __call__(self, call: Call) -> Ran:
        try:
            connection = self._free.get_nowait()
        except queue.Empty:
            # A task may take its whole timeout; the worker's answer gets a little more.
            connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                    timeout=call.timeout_seconds + 5)
        try:
            connection.request("POST", "/invoke", body=call.to_json(),
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            payload = answer.read()
        except (OSError, http.client.HTTPException):
            # No worker answered (it has gone): what Lambda says when it cannot run a function.
            # The ASL retries it.
            connection.close()
            return Ran.failed(SERVICE_ERROR, "no task worker answered")
        self._free.put(connection)
        return Ran(payload, answer.getheader(ERROR_HEADER))


class _Invocations(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the engine's connections stay open between invocations
    disable_nagle_algorithm = True  # see engine_server.KeptAlive: 40 ms an answer otherwise

    def do_POST(self) -> None:
        call = Call.from_json(self.rfile.read(int(self.headers["Content-Length"])))
        ran = lambda_runtime.run(call)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ran.payload)))
            if ran.error_type is not None:
                self.send_header(ERROR_HEADER, ran.error_type)
            self.end_headers()
            self.wfile.write(ran.payload)
        except (BrokenPipeError, ConnectionResetError):
            # The engine stopped waiting: the stack was stopped while the task ran (its drain
            # cut it off), or the task outlived its timeout. The task did its work; only its
            # answer has nowhere to go, which is worth a line, not a server's traceback (the
            # benchmarks count those as alarms: a 1,000-referral run's stop printed some).
            self.close_connection = True
            log.warning("%s finished after the engine had stopped waiting for it",
                        call.function_name)

    def log_message(self, format: str, *args: object) -> None:
        """The engine counts invocations, and a failure is logged where it happened."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def serve_on(listening: socket.socket) -> ThreadingHTTPServer:
    """A worker answering on a socket bound by the supervisor (shared by every worker)."""
    server = _Server(listening.getsockname()[:2], _Invocations, bind_and_activate=False)
    server.socket.close()
    server.socket = listening
    return server


def main() -> None:
    options, replies = child_process.start(__doc__.split("\n\n")[0], ("fd", int))
    powertools_keys.install()  # each invocation's lines name its own function
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    server = serve_on(socket.socket(fileno=options.fd))
    threading.Thread(target=server.serve_forever, daemon=True, name="invocations").start()
    child_process.serve(replies, {"pid": os.getpid()}, {})


if __name__ == "__main__":
    main()
