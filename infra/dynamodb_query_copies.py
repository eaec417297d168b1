"""A Query's items go into its answer as they are held: not deep-copied first, nor sized twice.

moto's `Table.query` sizes each item it returns twice (once to see whether it still fits the
1 MB page, once to add it) and then deep-copies them all (`copy.deepcopy(results)`). A
referral carries its timeline, so a list page of 100 referrals spent over a third of its CPU
on those. The copy guards the answer against the items changing while it is made. Here that
cannot happen: every DynamoDB request is answered under one lock (dynamodb_atomicity), and the
answer is built of new dicts and lists before the lock is let go (moto's `DynamoResult`), so
while a query runs on a thread, a deep copy is the item itself and each item is sized once.
Only the Query action calls `Table.query`; nothing else changes.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.dynamodb.models import table as moto_table
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

MOTO_SIZE = Item.size
_querying = threading.local()  # sizes: {id(item): size} while this thread runs a query
_replaced: dict[str, Any] = {}  # what install() replaced (another patch's query, or moto's)


class _CopyDuringQuery:
    """Stands in for the `copy` module inside moto's table.py: outside a query, the module."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_querying, "sizes", None) is not None:
            return value
        return copy.deepcopy(value, memo)


def _size(self: Item) -> int:
    sizes: dict[int, int] | None = getattr(_querying, "sizes", None)
    if sizes is None:
        return MOTO_SIZE(self)
    if id(self) not in sizes:
        sizes[id(self)] = MOTO_SIZE(self)
    return sizes[id(self)]


def _query(self: Table, *args: Any, **kwargs: Any) -> Any:
    _querying.sizes = {}
    try:
        return _replaced["query"](self, *args, **kwargs)
    finally:
        _querying.sizes = None


def install() -> None:
    """Wrap the query there now (dynamodb_queries', dynamodb_index_queries')."""
    _replaced["query"] = Table.query
    setattr(Table, "query", _query)  # noqa: B010 - patching moto on purpose
    setattr(Item, "size", _size)  # noqa: B010
    setattr(moto_table, "copy", _CopyDuringQuery())  # noqa: B010


def uninstall() -> None:
    if "query" in _replaced:
        setattr(Table, "query", _replaced.pop("query"))  # noqa: B010
    setattr(Item, "size", MOTO_SIZE)  # noqa: B010
    setattr(moto_table, "copy", copy)  # noqa: B010
