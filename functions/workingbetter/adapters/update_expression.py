"""The one builder of DynamoDB UpdateExpressions (the store's and the outbox's writes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Update:
    """An UpdateExpression and its placeholders, ready for UpdateItem."""

    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def arguments(self) -> dict[str, Any]:
        return {"UpdateExpression": self.expression, "ExpressionAttributeNames": self.names,
                **({"ExpressionAttributeValues": self.values} if self.values else {})}


def update(sets: Mapping[str, Any], remove: Iterable[str] = (),
           append: Mapping[str, Sequence[Any]] | None = None,
           add: Mapping[str, int] | None = None) -> Update:
    """SET `sets`, append to the lists in `append` (made if missing), REMOVE `remove`, ADD
    `add` to numbers (made if missing). Placeholders are #s/#a/#r/#c and :s/:a/:c/:empty,
    clear of boto3's conditions' #n/:v."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    parts: list[str] = []
    for i, (name, items) in enumerate((append or {}).items()):
        names[f"#a{i}"], values[f":a{i}"], values[":empty"] = name, list(items), []
        parts.append(f"#a{i} = list_append(if_not_exists(#a{i}, :empty), :a{i})")
    for i, (name, value) in enumerate(sets.items()):
        names[f"#s{i}"], values[f":s{i}"] = name, value
        parts.append(f"#s{i} = :s{i}")
    expression = "SET " + ", ".join(parts) if parts else ""
    if add:
        names.update({f"#c{i}": name for i, name in enumerate(add)})
        values.update({f":c{i}": step for i, step in enumerate(add.values())})
        expression += " ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(add)))
    removed = list(dict.fromkeys(remove))
    if removed:
        names.update({f"#r{i}": name for i, name in enumerate(removed)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
    return Update(expression.strip(), names, values)
