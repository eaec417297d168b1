"""moto's server finds a request's service without listing its own package each time.

In server mode every request goes through `DomainDispatcherApplication.get_application`,
which, holding one lock for the whole server, asks whether the host names a moto service by
calling `moto.backends.list_of_moto_modules()`: an `os.listdir` of moto's package and an
`isdir` for each of its ~200 entries. Every AWS call of the local stack (each DynamoDB read,
each Lambda task, each Step Functions call) so queues behind a few hundred file-system calls.
The list cannot change while moto runs, so it is read once here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from moto import backends

_original = backends.list_of_moto_modules


@functools.cache
def _modules() -> frozenset[str]:
    return frozenset(_original())


def list_of_moto_modules() -> Iterable[str]:
    return _modules()


def install() -> None:
    setattr(backends, "list_of_moto_modules", list_of_moto_modules)  # noqa: B010 - patching moto


def uninstall() -> None:
    setattr(backends, "list_of_moto_modules", _original)  # noqa: B010
