"""A fingerprint of the moto internals a patch of infra/ relies on: a moto upgrade that
changes one fails the patch's test, to be read and re-checked before the digest is updated."""

from __future__ import annotations

import hashlib
import inspect
from importlib.metadata import version

CHECKED_AGAINST = "5.2.5"  # moto's version when the digests below were taken


def digest(obj: object) -> str:
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]  # type: ignore[arg-type]


def changed(expected: dict[str, tuple[object, str]]) -> dict[str, str]:
    """The internals whose source differs from the digest recorded, with moto's version."""
    return {name: f"{digest(obj)} (moto {version('moto')}, checked {CHECKED_AGAINST})"
            for name, (obj, known) in expected.items() if digest(obj) != known}
