"""moto's server routes each request without listing its own package on disk."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from infra import moto_server_routing
from tests.unit.moto_internals import changed


@pytest.fixture
def dispatcher() -> Iterator[DomainDispatcherApplication]:
    moto_server_routing.install()
    try:
        yield DomainDispatcherApplication(create_backend_app)
    finally:
        moto_server_routing.uninstall()


def test_routing_a_request_reads_no_directory(dispatcher: DomainDispatcherApplication,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert dispatcher.get_backend_for_host("dynamodb") == "dynamodb"  # the list, read once
    listed: list[Any] = []
    real = os.listdir

    def listdir(path: Any = ".") -> list[str]:
        listed.append(path)
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    for host in ("dynamodb", "stepfunctions", "awslambda"):
        assert dispatcher.get_backend_for_host(host) == host
    assert dispatcher.get_backend_for_host("no-such-service") is None
    assert listed == []


def test_the_list_is_motos_own() -> None:
    assert set(moto_server_routing.list_of_moto_modules()) == set(moto_server_routing._original())


def test_uninstall_puts_motos_own_listing_back() -> None:
    moto_server_routing.install()
    moto_server_routing.uninstall()
    assert backends.list_of_moto_modules is moto_server_routing._original


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "list_of_moto_modules": (moto_server_routing._original, "4f741a10b06500e8"),
        "DomainDispatcherApplication.get_backend_for_host": (
            DomainDispatcherApplication.get_backend_for_host, "1f41972c1e4e660f"),
    }) == {}
