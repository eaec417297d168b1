"""Each server of the local stack that keeps its connections open (the engine, the API workers,
the task workers) sends an answer at once. An answer goes as its headers, then its body; with
Nagle's algorithm on, the body waited for the client to acknowledge the headers, which a client
delays by 40 ms, so every AWS call, task and page over a kept connection took 40 ms more than
its work (a GetItem: 48 ms, 5 of them CPU). The connections are set TCP_NODELAY."""

from __future__ import annotations

import http.client
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from infra import engine_server, local_server, task_worker
from tests.conftest import Cloud
from workingbetter.handlers.api import app

pytestmark = pytest.mark.integration


@contextmanager
def serving(server: Any) -> Iterator[int]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def engine() -> Any:
    return engine_server.serve(0)


def api() -> Any:
    return local_server.server_of(local_server.serve(app, "127.0.0.1", 0))


def tasks() -> Any:
    return task_worker.serve_on(socket.create_server(("127.0.0.1", 0)))


@pytest.mark.parametrize("server", [engine, api, tasks], ids=["engine", "API", "task worker"])
def test_a_kept_connection_sends_each_answer_at_once(
        server: Callable[[], Any], cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    no_delay: list[int] = []
    set_up = socketserver.StreamRequestHandler.setup

    def noted(handler: socketserver.StreamRequestHandler) -> None:
        set_up(handler)
        no_delay.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(socketserver.StreamRequestHandler, "setup", noted)
    with serving(server()) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/")
        connection.getresponse().read()
        connection.close()
    assert no_delay, "no connection was set up"
    assert all(no_delay), no_delay
