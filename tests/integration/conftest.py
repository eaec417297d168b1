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
def served(cloud: Cloud) -> Iterator[tuple[str, int]]:
    """The app behind the local stack's HTTP server, on a free port: (host, port)."""
    server = local_server.serve(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "127.0.0.1", server.server.server_address[1]
    server.shutdown()
    server.server.server_close()
