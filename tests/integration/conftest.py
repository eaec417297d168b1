"""Fixtures for tests that drive the JSON API in-process."""

from __future__ import annotations

import pytest

from tests.api_client import Api
from tests.conftest import Cloud


@pytest.fixture
def api(cloud: Cloud) -> Api:
    return Api(cloud)
