"""A Query answers with the items as held, not deep-copied and sized once each, and its answers
are moto's own: every shape of index and table query the service makes, after every kind of
write (infra/dynamodb_query_copies.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from moto.dynamodb.models import table as moto_table
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import dynamo_to_dict

from infra import dynamodb_index_queries, dynamodb_query_copies
from tests.unit.moto_internals import changed
from tests.unit.test_dynamodb_index_queries import answers, writes
from tests.unit.test_dynamodb_index_queries import table as index_table

__all__ = ["index_table"]  # the fixture, with the patches a query goes through before this one


@pytest.fixture
def table(index_table: Any) -> Iterator[Any]:
    dynamodb_query_copies.install()
    try:
        yield index_table
    finally:
        dynamodb_query_copies.uninstall()


def without_this_patch(table: Any) -> list[Any]:
    dynamodb_query_copies.uninstall()
    try:
        return answers(table)
    finally:
        dynamodb_query_copies.install()


def test_every_answer_is_the_one_moto_gives_after_every_kind_of_write(table: Any) -> None:
    assert answers(table) == without_this_patch(table)
    for write in writes(table):
        assert answers(table) == without_this_patch(table), write


def test_a_query_neither_copies_an_item_nor_sizes_one_twice(
        table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[int] = []
    sized: list[int] = []
    moto_deepcopy, moto_size = Item.__deepcopy__, dynamodb_query_copies.MOTO_SIZE

    def counted_copy(self: Item, memo: dict[int, Any]) -> Item:
        copied.append(id(self))
        return moto_deepcopy(self, memo)

    def counted_size(self: Item) -> int:
        sized.append(id(self))
        return moto_size(self)

    monkeypatch.setattr(Item, "__deepcopy__", counted_copy)
    monkeypatch.setattr(dynamodb_query_copies, "MOTO_SIZE", counted_size)
    found = table.query(IndexName="ByStatus", KeyConditionExpression=Key("status").eq("open"))
    assert len(found["Items"]) == len(sized) == len(set(sized)) == 4
    sized.clear()
    table.query(KeyConditionExpression=Key("pk").eq("REF#3"))  # on the table's own key
    assert len(sized) == 1
    assert copied == []


def test_outside_a_query_a_deep_copy_is_still_a_copy(table: Any) -> None:
    """Backups and restores deep-copy whole tables through the same name in moto's module."""
    item = Item(DynamoType({"S": "REF#1"}), None,
                {"pk": {"S": "REF#1"}, "timeline": {"L": [{"S": "made"}]}})
    copied = getattr(moto_table, "copy").deepcopy(item)  # noqa: B009 - not exported
    assert copied is not item
    assert copied.attrs["timeline"] is not item.attrs["timeline"]


def test_uninstall_puts_back_what_was_there() -> None:
    query, size, module = Table.query, Item.size, getattr(moto_table, "copy")  # noqa: B009
    dynamodb_query_copies.install()
    dynamodb_query_copies.uninstall()
    assert (Table.query, Item.size, getattr(moto_table, "copy")) == (  # noqa: B009
        query, size, module)


def test_the_moto_code_relied_on_is_the_code_it_was_written_against() -> None:
    """moto's Table.query sizes items to cut a page at 1 MB and deep-copies what it returns
    through its module's `copy`; the answer is then built of new dicts (DynamoResult). A new
    release: read, check, re-digest."""
    assert changed({
        "Table.query": (dynamodb_index_queries.MOTO_QUERY, "002b4d00be6df07c"),
        "dynamo_to_dict": (dynamo_to_dict, "80f600124c13ddcb"),
    }) == {}
