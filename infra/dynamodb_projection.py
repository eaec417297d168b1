"""Projecting an item converts it once, not once per attribute kept.

moto's `Item.project` turns the whole item into plain JSON (a deep copy of every attribute)
for each attribute it keeps: an index with INCLUDE projection or a Query's
ProjectionExpression of ten names converted each item ten times, and a referral carries its
timeline. The list pages read dozens of items that way per request. For the common case,
top-level names only, this converts just the attributes kept, each once, and builds the same
Item; a nested path or a list element ("a.b", "a[1]") goes to moto's own code.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.dynamo_type import Item, deserializer, serializer

MOTO_PROJECT = Item.project


def _project(self: Item, projection_expressions: list[list[str]]) -> Item:
    names = [path[0] for path in projection_expressions]
    if any(len(path) != 1 or "[" in path[0] for path in projection_expressions):
        return MOTO_PROJECT(self, projection_expressions)
    kept: dict[str, Any] = {name: deserializer.deserialize(self.attrs[name].to_regular_json())
                            for name in dict.fromkeys(names) if name in self.attrs}
    return Item(hash_key=self.hash_key, range_key=self.range_key,
                attrs=dict(serializer.serialize(kept)["M"]))


def install() -> None:
    setattr(Item, "project", _project)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(Item, "project", MOTO_PROJECT)  # noqa: B010
