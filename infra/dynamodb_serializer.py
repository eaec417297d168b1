"""DynamoDB's item values go into a response as they are, not walked member by member.

moto 5.2 serialises every response through a generic serializer driven by botocore's model:
each attribute of each item returned is a structure (`AttributeValue`) whose members (S, N,
M, L, …) it looks up one by one, trying each name's aliases. That walk was most of the CPU
of a list page or an intake at scale. An item's values are held in the wire format already
(moto stores them as DynamoDB's JSON), so for DynamoDB a value made only of JSON types
(strings, booleans, lists, maps) is written as it is: the same bytes reach the client.
Anything else (bytes, say) goes through moto's own code.
"""

from __future__ import annotations

from typing import Any

from moto.core.serialize import BaseJSONSerializer

MOTO_SERIALIZE_STRUCTURE = BaseJSONSerializer._serialize_type_structure
_JSON_LEAVES = (str, bool)


def _plain(value: Any) -> bool:
    """Made only of what JSON writes as it is: strings, booleans, lists and maps of them."""
    if isinstance(value, _JSON_LEAVES):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return False


def _serialize_type_structure(self: BaseJSONSerializer, serialized: Any, value: Any,
                              shape: Any, key: str) -> None:
    if (shape.name == "AttributeValue" and self.service_model.service_name == "dynamodb"
            and isinstance(value, dict) and _plain(value)):
        if key:
            self._default_serialize(serialized, value, shape, key)
        else:
            serialized.update(value)
        return
    MOTO_SERIALIZE_STRUCTURE(self, serialized, value, shape, key)


def install() -> None:
    setattr(BaseJSONSerializer, "_serialize_type_structure",  # noqa: B010 - patching moto
            _serialize_type_structure)


def uninstall() -> None:
    setattr(BaseJSONSerializer, "_serialize_type_structure",  # noqa: B010
            MOTO_SERIALIZE_STRUCTURE)
