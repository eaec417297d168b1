"""moto finds a request's handler method without listing the class's members every time.

moto 5.2's `BaseResponse.call_action` asks `method_names_from_class(self.__class__)` for every
request, which walks the whole class with `inspect.getmembers` (hundreds of members for
DynamoDB): a few per cent of the local engine's CPU for each DynamoDB call. A class's methods
do not change while it serves, so the names are listed once per class and kept. The answer is
the same list; only the walk is saved.
"""

from __future__ import annotations

from functools import cache

import moto.core.responses as responses
from moto.core.utils import method_names_from_class

MOTO_METHOD_NAMES = method_names_from_class


@cache
def _kept(clazz: type) -> tuple[str, ...]:
    return tuple(MOTO_METHOD_NAMES(clazz))


def method_names(clazz: object) -> list[str]:
    if isinstance(clazz, type):
        return list(_kept(clazz))
    return MOTO_METHOD_NAMES(clazz)


def install() -> None:
    setattr(responses, "method_names_from_class", method_names)  # noqa: B010 - patching moto


def uninstall() -> None:
    setattr(responses, "method_names_from_class", MOTO_METHOD_NAMES)  # noqa: B010
