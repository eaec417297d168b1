"""moto finds each request's handler by the same names, listed once per class (the patch in
infra/moto_action_names.py), and the moto code it relies on has not changed."""

from __future__ import annotations

from moto.core import responses
from moto.core.responses import BaseResponse
from moto.core.utils import method_names_from_class
from moto.dynamodb.responses import DynamoHandler

from infra import moto_action_names
from tests.unit.moto_internals import changed


def test_the_names_are_motos_own_for_every_class() -> None:
    for clazz in (DynamoHandler, BaseResponse):
        assert moto_action_names.method_names(clazz) == method_names_from_class(clazz)


def test_installed_moto_asks_the_kept_list_and_uninstalled_its_own() -> None:
    moto_action_names.install()
    try:
        assert vars(responses)["method_names_from_class"] is moto_action_names.method_names
    finally:
        moto_action_names.uninstall()
    assert vars(responses)["method_names_from_class"] is method_names_from_class


def test_the_moto_code_the_patch_relies_on_is_unchanged() -> None:
    """call_action looks its handler up by `method_names_from_class(self.__class__)`, named in
    moto.core.responses, and that lists a class's functions."""
    assert changed({
        "BaseResponse.call_action": (BaseResponse.call_action, "26076963fd17fd1a"),
        "method_names_from_class": (method_names_from_class, "9dbac89d082b655f"),
    }) == {}
