"""Fixtures for the page tests: a browser-like client over a fresh cloud."""

from __future__ import annotations

import pytest

from tests.conftest import Cloud
from tests.web.pages import Pages


@pytest.fixture
def pages(cloud: Cloud) -> Pages:
    return Pages(cloud.built.pool)
