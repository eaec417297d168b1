"""A DynamoDB Query on a global secondary index reads that index's partition, not the table.

moto answers an index query by listing every item of the table, sorted, and keeping those
whose index key matches (`Table.query` over `Table.all_items`): at 10,000 referrals each list
page cost over a second. Here each table keeps, once an index of it is first queried, its
items by each GSI's partition key value, brought up to date by every write: `Table.put_item`
and `Table.delete_item` (PutItem, DeleteItem, batches, PartiQL, the items of a transaction),
`DynamoDBBackend.update_item` (which changes an item in place) and
`DynamoDBBackend.transact_write_items` (whose rollback puts items back directly). While an
index query runs, `all_items` gives just that partition's items and moto's own code does the
rest (key conditions, sort, paging, filter, projection), so the answers are moto's.

Writes are serialised by dynamodb_atomicity, so the postings need no lock of their own.
Queries on an index with a multi-attribute partition key, and local indexes, read every
item as on moto.
"""

from __future__ import annotations

import inspect
import threading
from collections import defaultdict
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

MOTO_QUERY = Table.query
MOTO_ALL_ITEMS = Table.all_items
MOTO_PUT_ITEM = Table.put_item
MOTO_DELETE_ITEM = Table.delete_item
MOTO_UPDATE_ITEM = DynamoDBBackend.update_item
MOTO_TRANSACT = DynamoDBBackend.transact_write_items
_SIGNATURE = inspect.signature(MOTO_QUERY)
_KEY_TYPES = {"S", "N", "B"}

PrimaryKey = tuple[DynamoType, DynamoType | None]
_querying = threading.local()  # the (postings, index, value) of the index query this thread runs
_installed = [0]  # how many times install() ran: postings from before it missed writes
_replaced: dict[str, Any] = {}  # what install() replaced (another patch's, or moto's own)


class Postings:
    """One table's items by each GSI's partition key value (single-attribute keys only)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.generation = _installed[0]
        self.hash_attrs = {
            index.name: hashes[0] for index in table.global_indexes or []
            if len(hashes := [k["AttributeName"] for k in index.schema
                              if k["KeyType"] == "HASH"]) == 1}
        self.partitions: dict[str, defaultdict[DynamoType, dict[PrimaryKey, Item]]] = {
            name: defaultdict(dict) for name in self.hash_attrs}
        self.placed: dict[PrimaryKey, list[tuple[str, DynamoType]]] = {}
        for item in MOTO_ALL_ITEMS(table):
            self._place((item.hash_key, item.range_key), item)

    def _place(self, key: PrimaryKey, item: Item) -> None:
        places = []
        for name, attr in self.hash_attrs.items():
            value = item.attrs.get(attr)
            if value is not None and value.type in _KEY_TYPES:
                self.partitions[name][value][key] = item
                places.append((name, value))
        if places:
            self.placed[key] = places

    def refresh(self, key: PrimaryKey) -> None:
        """Re-file the item at `key` as the table now holds it (or drop it if gone)."""
        for name, value in self.placed.pop(key, ()):
            partition = self.partitions[name]
            partition[value].pop(key, None)
            if not partition[value]:
                del partition[value]
        held = self.table.items.get(key[0])  # .get: items is a defaultdict
        item = held.get(key[1]) if held is not None and self.table.range_key_attr else held
        if isinstance(item, Item):
            self._place(key, item)

    def partition(self, index: str, value: DynamoType) -> list[Item]:
        held = self.partitions[index].get(value)
        return list(held.values()) if held else []


_ATTRIBUTE = "_wb_index_postings"  # kept on the table: it goes when the table goes


def _postings(table: Table, build: bool) -> Postings | None:
    held: Postings | None = table.__dict__.get(_ATTRIBUTE)
    if held is not None and (held.table is not table  # a copy of a table (a backup, a restore)
                             or held.generation != _installed[0]):
        held = None
    if held is None and build:
        held = Postings(table)
        table.__dict__[_ATTRIBUTE] = held
    return held


def _refresh(table: Table, key: PrimaryKey) -> None:
    held = _postings(table, build=False)
    if held is not None:
        held.refresh(key)


def _key(table: Table, attrs: dict[str, Any]) -> PrimaryKey | None:
    if table.hash_key_attr not in attrs:
        return None
    range_value = attrs.get(table.range_key_attr) if table.range_key_attr else None
    return (DynamoType(attrs[table.hash_key_attr]),
            DynamoType(range_value) if range_value is not None else None)


def _query(self: Table, *args: Any, **kwargs: Any) -> Any:
    asked = _SIGNATURE.bind(self, *args, **kwargs).arguments
    name, conditions = asked.get("index_name"), asked.get("hash_key_conditions") or []
    postings = _postings(self, build=True) if name and len(conditions) == 1 else None
    if postings is None or postings.hash_attrs.get(str(name)) != conditions[0][0]:
        return _replaced["query"](self, *args, **kwargs)
    _querying.partition = (postings, name, conditions[0][1])
    try:
        return _replaced["query"](self, *args, **kwargs)
    finally:
        _querying.partition = None


def _all_items(self: Table) -> list[Item]:
    asked = getattr(_querying, "partition", None)
    if asked is None or asked[0].table is not self:
        return _replaced["all_items"](self)  # type: ignore[no-any-return]
    postings, name, value = asked
    return postings.partition(name, value)  # type: ignore[no-any-return]


def _put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    try:
        return _replaced["put_item"](self, item_attrs, *args, **kwargs)  # type: ignore[no-any-return]
    finally:
        if (key := _key(self, item_attrs)) is not None:
            _refresh(self, key)


def _delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    try:
        return _replaced["delete_item"](self, hash_key, range_key)  # type: ignore[no-any-return]
    finally:
        _refresh(self, (hash_key, range_key))


def _update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any,
                 **kwargs: Any) -> Item:
    try:
        return _replaced["update_item"](self, table_name, key, *args, **kwargs)  # type: ignore[no-any-return]
    finally:
        table = self.get_table(table_name)
        if (primary := _key(table, key)) is not None:
            _refresh(table, primary)


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    try:
        _replaced["transact_write_items"](self, transact_items)
    finally:  # a cancelled transaction puts its items back without put_item or delete_item
        for entry in transact_items:
            for op in entry.values():
                if isinstance(op, dict) and "TableName" in op:
                    _refresh_named(self, op["TableName"], op.get("Key") or op.get("Item") or {})


def _refresh_named(backend: DynamoDBBackend, table_name: str, attrs: dict[str, Any]) -> None:
    table = backend.tables.get(table_name)
    if table is not None and (key := _key(table, attrs)) is not None:
        _refresh(table, key)


_PATCHED: dict[str, tuple[type, Any]] = {
    "query": (Table, _query), "all_items": (Table, _all_items),
    "put_item": (Table, _put_item), "delete_item": (Table, _delete_item),
    "update_item": (DynamoDBBackend, _update_item),
    "transact_write_items": (DynamoDBBackend, _transact_write_items),
}


def install() -> None:
    """Wrap what is there now (dynamodb_queries' base-table query, dynamodb_transactions'
    transaction), so install this after them."""
    _installed[0] += 1
    for name, (owner, patched) in _PATCHED.items():
        _replaced[name] = getattr(owner, name)
        setattr(owner, name, patched)


def uninstall() -> None:
    for name, (owner, _) in _PATCHED.items():
        if name in _replaced:
            setattr(owner, name, _replaced.pop(name))
