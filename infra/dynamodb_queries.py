"""A DynamoDB Query on a table's own key reads its partition, not the whole table.

moto's `Table.query` finds a base-table query's items by listing every item of the table,
sorted (`Table.all_items`: O(n log n) per query), and keeping those with the partition key.
The service queries its own partitions on every referral (a referral's outbox rows, a coach's
booked slots, the practices), so each referral cost more than the one before it. Here, while
such a query runs, `all_items` gives just that partition's items, in the order moto would
have listed them; index queries and scans still read every item, as on moto.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

_original_query = Table.query
_original_all_items = Table.all_items
_SIGNATURE = inspect.signature(_original_query)
_querying = threading.local()  # the partition key of the base-table query this thread runs


def _query(self: Table, *args: Any, **kwargs: Any) -> Any:
    asked = _SIGNATURE.bind(self, *args, **kwargs).arguments
    hash_key = asked.get("hash_key")
    if asked.get("index_name") or hash_key is None:
        return _original_query(self, *args, **kwargs)
    _querying.partition = hash_key
    try:
        return _original_query(self, *args, **kwargs)
    finally:
        _querying.partition = None


def _all_items(self: Table) -> list[Item]:
    partition = getattr(_querying, "partition", None)
    if partition is None:
        return _original_all_items(self)
    held = self.items.get(partition)  # .get: items is a defaultdict
    if held is None:
        return []
    if not self.range_key_attr:
        return [held]  # type: ignore[list-item]
    return sorted(held.values(), key=lambda item: item.range_key)


def install() -> None:
    setattr(Table, "query", _query)  # noqa: B010 - patching moto on purpose
    setattr(Table, "all_items", _all_items)  # noqa: B010


def uninstall() -> None:
    setattr(Table, "query", _original_query)  # noqa: B010
    setattr(Table, "all_items", _original_all_items)  # noqa: B010
