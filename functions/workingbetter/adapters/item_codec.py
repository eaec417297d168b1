"""DynamoDB items ⇄ the typed records of `domain.records.*` (the adapter's one converter).

Reading, each field is made the type its record declares: Decimal to int (or float), lists
to tuples, nested maps to their records, strings to their enums; attributes a record has no
field for (keys, index keys) are left behind. Writing, records become plain maps (fields that
are None left out), enums their values and tuples lists.
"""

from __future__ import annotations

import dataclasses
import sys
import types
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

R = TypeVar("R")


@cache
def _hints(record: type) -> dict[str, Any]:
    # A record's annotations are strings: read them where the record is declared (a record
    # from another domain module, such as a communication need, names that module's enums).
    return get_type_hints(record, vars(sys.modules[record.__module__]))


def decode(record: type[R], item: Mapping[str, Any]) -> R:
    """The record an item holds (a field it lacks takes the record's default)."""
    hints = _hints(cast(type, record))
    found = {f.name: _as(hints[f.name], item[f.name])
             for f in dataclasses.fields(record)  # type: ignore[arg-type]
             if item.get(f.name) is not None}
    return record(**found)


def _as(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        wanted = [a for a in get_args(hint) if a is not type(None)]
        return _as(wanted[0], value)
    if origin is tuple:
        return tuple(_as(get_args(hint)[0], v) for v in value)
    if dataclasses.is_dataclass(hint):
        return decode(hint, value)  # type: ignore[arg-type]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is bool:
        return bool(value)
    if hint is int:
        return int(value)
    if hint is str:
        return str(value)
    return plain(value)


def plain(value: Any) -> Any:
    """An item's value with DynamoDB's Decimals made int or float (maps and lists too)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def encode(value: Any) -> Any:
    """A value as DynamoDB stores it: a record as a map without its empty fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(v) for f in dataclasses.fields(value)
                if (v := getattr(value, f.name)) is not None}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: encode(v) for k, v in value.items()}
    return value


def encode_set(record: Any) -> dict[str, Any]:
    """A new record's item: only the fields it sets (none left at its default), so that an
    attribute whose absence means something (a place not yet released) stays absent."""
    return {f.name: encode(value) for f in dataclasses.fields(record)
            if (value := getattr(record, f.name)) is not None
            and (f.default is dataclasses.MISSING or value != f.default)}
