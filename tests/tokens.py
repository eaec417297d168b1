"""Tokens a test makes itself: signed with moto's Cognito key (what the pool would sign, with
claims of the test's choosing), with another key, or not as Cognito signs at all (HS256 keyed
with the public key, alg none). Real tokens come from the pool: Cloud.token()."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from functools import cache
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.cognito import moto_keys
from workingbetter.adapters.token_check import CognitoPool

Signer = Literal["pool", "stranger"]


def claims(changes: dict[str, Any] | None = None,
           pool: CognitoPool | None = None) -> dict[str, Any]:
    """A coach's ID token claims for the pool (the test cloud's, by default), with `changes`
    (None removes a claim)."""
    if pool is None:
        from workingbetter.settings import get_settings

        pool = get_settings().cognito_pool()
    now = int(time.time())
    body: dict[str, Any] = {
        "sub": "user-1", "cognito:groups": ["coach"], "custom:coach_id": "coach-amara",
        "iss": pool.issuer, "aud": pool.client_id, "token_use": "id",
        "iat": now, "auth_time": now, "exp": now + 600}
    for name, value in (changes or {}).items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


@cache
def _moto_private_key() -> Any:
    from moto.utilities.utils import load_resource

    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


@cache
def _stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], body: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"


def public_pem() -> bytes:
    """The pool's public key as PEM: what an alg-confusion attacker HMACs with."""
    key = jwt.PyJWK(moto_keys()["keys"][0]).key
    pem: bytes = key.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem


def forged(changes: dict[str, Any] | None = None, *, alg: str = "RS256",
           signer: Signer = "pool", kid: str = "dummy", pool: CognitoPool | None = None) -> str:
    """A token with these claims. RS256 is signed with the pool's key (moto's) or a
    stranger's; HS256 is keyed with the pool's public key; none is not signed."""
    body = claims(changes, pool)
    header = {"alg": alg, "kid": kid, "typ": "JWT"}
    if alg == "RS256":
        key = _moto_private_key() if signer == "pool" else _stranger_key()
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})
    signing_input = _unsigned(header, body)
    if alg == "none":
        return f"{signing_input}."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    signature = hmac.new(public_pem(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(signature)}"


Claims = dict[str, Any]
# Every way a token can be wrong, each with the claims of an account that would otherwise get in
# (None: no token at all). No route and no page accepts any of them.
BAD_TOKENS: dict[str, Callable[[Claims], str | None]] = {
    "missing": lambda claims: None,
    "expired": lambda claims: forged({**claims, "exp": int(time.time()) - 60}),
    "signed by another key": lambda claims: forged(claims, signer="stranger"),
    "HS256 keyed with the pool's public key": lambda claims: forged(claims, alg="HS256"),
    "alg none": lambda claims: forged(claims, alg="none"),
    "wrong audience": lambda claims: forged({**claims, "aud": "someone-else"}),
    "wrong issuer": lambda claims: forged({**claims, "iss": "https://evil.example"}),
    "an access token": lambda claims: forged({**claims, "token_use": "access"}),
    "no expiry": lambda claims: forged({**claims, "exp": None}),
    "not a jwt": lambda claims: "not-a-token",
}
