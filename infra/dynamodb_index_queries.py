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

import bisect
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


class Partition:
    """One partition of an index, in moto's query order (`Table.sorted_items`): its items and,
    beside them, their sort keys as plain values, so a query finds its window by bisection."""

    def __init__(self) -> None:
        self.keys: list[tuple[Any, ...]] = []
        self.items: list[Item] = []

    def add(self, order: tuple[Any, ...], item: Item) -> None:
        at = bisect.bisect_left(self.keys, order)
        self.keys.insert(at, order)
        self.items.insert(at, item)

    def remove(self, order: tuple[Any, ...]) -> None:
        at = bisect.bisect_left(self.keys, order)
        if at < len(self.keys) and self.keys[at] == order:
            del self.keys[at], self.items[at]

    def window(self, asked: dict[str, Any], order: list[str]) -> list[Item]:
        """The items a query can answer with: its range condition's block, past its start key,
        the first `limit` + 1 in its direction (one more, so moto sees whether more follow).
        A condition not understood here gets the whole partition, for moto to judge."""
        block = _block(self.keys, asked.get("range_comparison"), asked.get("range_objs") or [])
        start = asked.get("exclusive_start_key")
        if block is None or (start and not all(a in start for a in order)):
            return list(self.items)
        lo, hi = block
        forward = asked.get("scan_index_forward") is not False
        if start:
            edge = tuple(DynamoType(start[a]).cast_value for a in order)
            if forward:
                lo = max(lo, bisect.bisect_right(self.keys, edge))
            else:
                hi = min(hi, bisect.bisect_left(self.keys, edge))
        limit = asked.get("limit")
        if limit and hi - lo > limit + 1:
            lo, hi = (lo, lo + limit + 1) if forward else (hi - limit - 1, hi)
        return self.items[lo:hi]


_ALIASES = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


def _block(keys: list[tuple[Any, ...]], comparison: str | None,
           values: list[DynamoType]) -> tuple[int, int] | None:
    """Where the keys whose first part (the index's range key) meets the condition lie; None
    for a condition this does not know."""
    if not comparison:
        return 0, len(keys)
    if not values:
        return None
    comparison = _ALIASES.get(comparison, comparison.upper())
    first = values[0].cast_value

    def left(v: Any, lo: int = 0) -> int:
        return bisect.bisect_left(keys, v, lo, key=lambda k: k[0])

    def right(v: Any) -> int:
        return bisect.bisect_right(keys, v, key=lambda k: k[0])

    if comparison == "BEGINS_WITH" and isinstance(first, str):
        lo = left(first)
        return lo, bisect.bisect_left(keys, True, lo,
                                      key=lambda k: not str(k[0]).startswith(first))
    if comparison == "BETWEEN" and len(values) == 2:
        return left(first), right(values[1].cast_value)
    blocks = {"EQ": lambda: (left(first), right(first)), "LT": lambda: (0, left(first)),
              "LE": lambda: (0, right(first)), "GT": lambda: (right(first), len(keys)),
              "GE": lambda: (left(first), len(keys))}
    return blocks[comparison]() if comparison in blocks else None  # type: ignore[no-untyped-call]


class Postings:
    """One table's GSIs with a single-attribute partition key: each partition's items."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.generation = _installed[0]
        self.hash_attrs: dict[str, str] = {}
        self.order: dict[str, list[str]] = {}  # each index's sort attributes after its hash key
        self.narrows: set[str] = set()  # indexes whose range key condition can be bisected
        for index in table.global_indexes or []:
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            if len(hashes) != 1 or len(ranges) > 1:
                continue
            self.hash_attrs[index.name] = hashes[0]
            # moto's own order for the index's query (hash key first, constant here)
            self.order[index.name] = table._generate_attr_to_sort_by(
                [hashes[0], table.hash_key_attr],
                [ranges[0] if ranges else table.range_key_attr, table.range_key_attr])[1:]
            if ranges:
                self.narrows.add(index.name)
        self.partitions: dict[str, defaultdict[DynamoType, Partition]] = {
            name: defaultdict(Partition) for name in self.hash_attrs}
        self.placed: dict[PrimaryKey, list[tuple[str, DynamoType, tuple[Any, ...]]]] = {}
        for item in MOTO_ALL_ITEMS(table):
            self._place((item.hash_key, item.range_key), item)

    def _place(self, key: PrimaryKey, item: Item) -> None:
        places = []
        for name, attr in self.hash_attrs.items():
            value = item.attrs.get(attr)
            sorting = [item.attrs.get(a) for a in self.order[name]]
            # Left out as moto leaves it out: no partition key, or (sparse) no range key.
            if value is None or value.type not in _KEY_TYPES or not all(sorting):
                continue
            order = tuple(v.cast_value for v in sorting if v is not None)
            self.partitions[name][value].add(order, item)
            places.append((name, value, order))
        if places:
            self.placed[key] = places

    def refresh(self, key: PrimaryKey) -> None:
        """Re-file the item at `key` as the table now holds it (or drop it if gone)."""
        for name, value, order in self.placed.pop(key, ()):
            partition = self.partitions[name]
            partition[value].remove(order)
            if not partition[value].items:
                del partition[value]
        held = self.table.items.get(key[0])  # .get: items is a defaultdict
        item = held.get(key[1]) if held is not None and self.table.range_key_attr else held
        if isinstance(item, Item):
            self._place(key, item)

    def partition(self, index: str, value: DynamoType, asked: dict[str, Any]) -> list[Item]:
        held = self.partitions[index].get(value)
        if held is None:
            return []
        if index in self.narrows and not asked.get("filter_kwargs") and (
                not asked.get("range_key_conditions")
                or len(asked["range_key_conditions"]) == 1):
            return held.window(asked, self.order[index])
        return list(held.items)


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
    _querying.partition = (postings, name, conditions[0][1], asked)
    try:
        return _replaced["query"](self, *args, **kwargs)
    finally:
        _querying.partition = None


def _all_items(self: Table) -> list[Item]:
    asked = getattr(_querying, "partition", None)
    if asked is None or asked[0].table is not self:
        return _replaced["all_items"](self)  # type: ignore[no-any-return]
    postings, name, value, query = asked
    return postings.partition(name, value, query)  # type: ignore[no-any-return]


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
