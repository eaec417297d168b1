"""A projected read converts each item once, not once per attribute named.

moto's `Item.project` turns the whole item into plain JSON (`to_regular_json`, a deep walk of
every attribute) for each path of the ProjectionExpression, then keeps that path. A list or
report that names fifteen attributes of a referral walked the referral, timeline and all,
fifteen times per item: a 10,000-referral report spent minutes of CPU there. Here the item is
converted once per projection and each path is copied from that one conversion; the answer is
moto's.
"""

from __future__ import annotations

import copy
from typing import Any

from botocore.utils import merge_dicts
from moto.dynamodb.models.dynamo_type import Item, serializer
from moto.dynamodb.models.utilities import find_nested_key

_original_project = Item.project


def _project(self: Item, projection_expressions: list[list[str]]) -> Item:
    whole = self.to_regular_json()
    result: dict[str, Any] = {}
    for expr in projection_expressions:
        # A copy of the part kept: merging a later path must not change the one conversion.
        merge_dicts(result, copy.deepcopy(find_nested_key(expr, whole)))
    return Item(hash_key=self.hash_key, range_key=self.range_key,
                attrs=dict(serializer.serialize(result)["M"]))


def install() -> None:
    setattr(Item, "project", _project)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(Item, "project", _original_project)  # noqa: B010
