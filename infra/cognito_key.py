"""Read moto's Cognito signing key once, not once per user pool.

Every moto user pool (`moto.cognitoidp.models.CognitoIdpUserPool.__init__`) imports the same
private key from moto's package (`jwk.RSAKey.import_key` of jwks-private.json), and importing
an RSA key recovers its primes: 0.1 to 0.3 s of CPU per pool, which is most of what a test's
fresh cloud costs. The key is the same file for every pool, so it is imported once and shared
(it is only read: pools sign with it). moto finds `jwk` as a name of its models module; only
that name is replaced, by one whose RSAKey.import_key remembers what it imported.
"""

from __future__ import annotations

import functools
import json
from types import SimpleNamespace
from typing import Any

from joserfc import jwk
from moto.cognitoidp import models

_original = vars(models)["jwk"]


@functools.lru_cache(maxsize=4)
def _import(text: str) -> Any:
    return jwk.RSAKey.import_key(json.loads(text))


def _import_key(data: Any, *args: Any, **kwargs: Any) -> Any:
    if args or kwargs or not isinstance(data, dict):
        return jwk.RSAKey.import_key(data, *args, **kwargs)
    return _import(json.dumps(data, sort_keys=True))


CACHED_JWK = SimpleNamespace(RSAKey=SimpleNamespace(import_key=_import_key))


def install() -> None:
    setattr(models, "jwk", CACHED_JWK)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(models, "jwk", _original)  # noqa: B010
