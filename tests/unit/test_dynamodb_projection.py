"""Projecting an item converts only the attributes kept, and gives exactly moto's item."""

from __future__ import annotations

from decimal import Decimal

import pytest
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from infra import dynamodb_projection
from tests.unit.moto_internals import changed

ITEM = Item(DynamoType({"S": "REFERRAL#1"}), DynamoType({"S": "REFERRAL"}), {
    "pk": {"S": "REFERRAL#1"}, "sk": {"S": "REFERRAL"}, "status": {"S": "IN_SUPPORT"},
    "n": {"N": "12.50"}, "flags": {"SS": ["b", "a"]}, "counts": {"NS": ["1", "2.0"]},
    "blob": {"B": b"\x00\x01"}, "ok": {"BOOL": True}, "gone": {"NULL": True},
    "appointment": {"M": {"start": {"S": "2027-01-04T09:00"}, "n": {"N": "3"}}},
    "timeline": {"L": [{"M": {"event": {"S": "referral_received"}}} for _ in range(50)]},
})


@pytest.mark.parametrize("names", [
    ["pk", "sk", "status"],
    ["status", "pk", "status", "missing"],
    ["n", "flags", "counts", "blob", "ok", "gone", "appointment", "timeline"],
    [],
])
def test_a_projection_of_top_level_names_is_motos_item(names: list[str]) -> None:
    paths = [[name] for name in names]
    expected = dynamodb_projection.MOTO_PROJECT(ITEM, paths)
    projected = dynamodb_projection._project(ITEM, paths)
    assert projected.to_json() == expected.to_json()
    assert list(projected.attrs) == list(expected.attrs)  # the same order, too
    assert (projected.hash_key, projected.range_key) == (ITEM.hash_key, ITEM.range_key)


def test_nested_paths_and_list_elements_are_left_to_moto(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[list[str]]] = []

    def moto(self: Item, paths: list[list[str]]) -> Item:
        asked.append(paths)
        return ITEM

    monkeypatch.setattr(dynamodb_projection, "MOTO_PROJECT", moto)
    dynamodb_projection._project(ITEM, [["appointment", "start"]])
    dynamodb_projection._project(ITEM, [["timeline[1]"]])
    assert asked == [[["appointment", "start"]], [["timeline[1]"]]]


def test_the_item_is_converted_once_per_attribute_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    converted: list[object] = []
    original = DynamoType.to_regular_json

    def counting(self: DynamoType) -> object:
        converted.append(self.type)
        return original(self)

    monkeypatch.setattr(DynamoType, "to_regular_json", counting)
    dynamodb_projection._project(ITEM, [["pk"], ["sk"], ["status"]])
    assert converted == ["S", "S", "S"]  # moto converts all 11 attributes, three times


def test_install_and_uninstall() -> None:
    dynamodb_projection.install()
    try:
        assert Item.project is dynamodb_projection._project
        assert ITEM.project([["n"]]).attrs["n"].cast_value == Decimal("12.5")
    finally:
        dynamodb_projection.uninstall()
    assert Item.project is dynamodb_projection.MOTO_PROJECT


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({"Item.project": (dynamodb_projection.MOTO_PROJECT, "f411e6d8b56886f4")}) == {}
