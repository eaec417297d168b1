"""Let moto forget model instances nobody uses any more.

Every moto model (`moto.core.common_models.BaseModel`) appends itself, on creation, to its
class's `instances_tracked` list, for moto's dashboard (/moto-api/data.json). Nothing ever
removes them, so every short-lived copy stays alive for good: DynamoDB deep-copies items on
each UpdateItem, Query and Scan result, and whole tables in each TransactWriteItems. Over a
long `make run` that is most of the memory. Here the lists hold their instances weakly: the
dashboard still lists every live model, and a copy is freed once moto drops it.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Iterator
from typing import Any

from moto.core.common_models import BaseModel

_original_new = BaseModel.__dict__["__new__"]


class WeakInstances:
    """The part of a list moto uses (append, iterate, len), holding its items weakly."""

    def __init__(self, instances: Any = ()) -> None:
        self._refs: dict[int, weakref.ref[Any]] = {}
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        key = id(instance)
        # Keyed by id: models define __eq__ without __hash__, so no WeakSet. An instance
        # without weak-reference support is left untracked.
        with contextlib.suppress(TypeError):
            self._refs[key] = weakref.ref(instance, functools.partial(self._forget, key))

    def _forget(self, key: int, _: object) -> None:
        self._refs.pop(key, None)

    def __iter__(self) -> Iterator[Any]:
        for ref in list(self._refs.values()):
            instance = ref()
            if instance is not None:
                yield instance

    def __len__(self) -> int:
        return len(self._refs)


def _weakly_tracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    instance = super(BaseModel, cls).__new__(cls)  # type: ignore[misc] # as moto does
    tracked = cls.instances_tracked  # type: ignore[attr-defined]
    if not isinstance(tracked, WeakInstances):
        # A class's first instance since install, or since moto's reset put back a list.
        tracked = WeakInstances(tracked)
        cls.instances_tracked = tracked  # type: ignore[attr-defined]
    tracked.append(instance)
    return instance


def install() -> None:
    setattr(BaseModel, "__new__", staticmethod(_weakly_tracked_new))  # noqa: B010 - patching moto


def uninstall() -> None:
    setattr(BaseModel, "__new__", _original_new)  # noqa: B010
