"""Fixtures for tests that drive the JSON API in-process."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from infra import local_server
from tests.api_client import Api
from tests.conftest import Cloud
from workingbetter.handlers.api import app


@pytest.fixture
def api(cloud: Cloud) -> Api:
    return Api(cloud)


@pytest.fixture
def serving(cloud: Cloud) -> Iterator[local_server.Server]:
    """The app behind the local stack's HTTP server, on a free port."""
    server = local_server.serve(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield local_server.server_of(server)
    server.shutdown()
    server.server.server_close()


@pytest.fixture
def served(serving: local_server.Server) -> tuple[str, int]:
    """Where it answers: (host, port)."""
    return "127.0.0.1", serving.server_address[1]
