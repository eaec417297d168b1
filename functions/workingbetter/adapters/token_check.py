"""Checking a Cognito token ourselves, on every path: RS256 against the pool's published keys,
the pool's issuer, our app client, the token's use, its expiry, and that the person has not
signed out since it was issued (sign_outs.py).

Deployed, API Gateway's Cognito authoriser has checked a JSON API call's token already and
pages carry theirs in a cookie it cannot read; the app checks both the same way, so the local
stack (moto's Cognito, no gateway) runs exactly the code AWS runs.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from workingbetter.adapters.sign_outs import SignOuts
from workingbetter.domain.auth import Principal, principal_from_claims
from workingbetter.domain.errors import Unauthenticated

TokenUse = Literal["id", "access"]
ALGORITHM = "RS256"  # Cognito signs with RS256 only: any other alg is refused before decoding
KEYS_REFRESH_SECONDS = 300  # an unknown key id refetches the keys at most this often


@dataclass(frozen=True)
class CognitoPool:
    region: str
    pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    def jwks_url(self) -> str:
        """The pool's keys, where Cognito's API is: on AWS the issuer's own address, locally
        moto's server, which serves them at the same path (boto3 reads the same variables)."""
        endpoint = (os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP")
                    or os.environ.get("AWS_ENDPOINT_URL")
                    or f"https://cognito-idp.{self.region}.amazonaws.com")
        return f"{endpoint.rstrip('/')}/{self.pool_id}/.well-known/jwks.json"


class KeySource(Protocol):
    """The pool's public keys, by key id (a JWKS)."""

    def key(self, kid: str) -> Any: ...


class StaticKeys:
    """Keys given up front: in-process tests hand in moto's, no network."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        import jwt

        self._keys = {k["kid"]: jwt.PyJWK(k) for k in jwks["keys"]}

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def key(self, kid: str) -> Any:
        if kid not in self._keys:
            raise Unauthenticated("Your token is not valid")
        return self._keys[kid]


class FetchedKeys:
    """The pool's JWKS fetched once per container and kept; a key id we have not seen (Cognito
    rotated its keys) fetches them again, at most every KEYS_REFRESH_SECONDS."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._keys: StaticKeys | None = None
        self._fetched_at = 0.0

    def key(self, kid: str) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > KEYS_REFRESH_SECONDS
            if self._keys is None or (stale and not self._has(kid)):
                self._keys = StaticKeys(self._fetch())
                self._fetched_at = time.monotonic()
            keys = self._keys
        return keys.key(kid)

    def _has(self, kid: str) -> bool:
        return self._keys is not None and kid in self._keys

    def _fetch(self) -> dict[str, Any]:
        if not self.url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("the pool's keys are fetched over HTTPS (plain HTTP on loopback)")
        with urllib.request.urlopen(self.url, timeout=5) as answer:  # noqa: S310 - checked above
            keys: dict[str, Any] = json.load(answer)
        return keys


class TokenCheck:
    def __init__(self, pool: CognitoPool, keys: KeySource, sign_outs: SignOuts) -> None:
        self.pool = pool
        self.keys = keys
        self.sign_outs = sign_outs

    def claims(self, token: str, use: TokenUse = "id") -> dict[str, Any]:
        """The token's claims once it has passed every check; Unauthenticated otherwise."""
        claims = self.signed(token, use)
        self._not_signed_out(claims)
        return claims

    def signed(self, token: str, use: TokenUse = "id") -> dict[str, Any]:
        """The token's claims if Cognito signed it for this pool and it has not expired,
        whether or not its person has signed out since (that costs a read: `claims`)."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthenticated("Your token is not valid") from error
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise Unauthenticated("Your token is not valid")
        key = self.keys.key(header["kid"])
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[ALGORITHM], issuer=self.pool.issuer,
                audience=self.pool.client_id if use == "id" else None,
                options={"require": ["exp", "iat", "iss", "sub", "token_use"],
                         "verify_aud": use == "id"})
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated("Your sign-in has expired: sign in again") from error
        except jwt.PyJWTError as error:
            raise Unauthenticated("Your token is not valid") from error
        if claims.get("token_use") != use:
            raise Unauthenticated(f"Send a Cognito {use} token")
        if use == "access" and claims.get("client_id") != self.pool.client_id:
            raise Unauthenticated("Your token is not valid")
        return claims

    def _not_signed_out(self, claims: dict[str, Any]) -> None:
        """A token from a sign-in that the person has ended since is refused. Cognito keeps a
        sign-in's `auth_time` in every token refreshed from it; `iat` if a token lacks it."""
        ended = self.sign_outs.signed_out_at(str(claims["sub"]))
        signed_in = claims.get("auth_time", claims["iat"])
        if ended is not None and (not isinstance(signed_in, int) or signed_in <= ended):
            raise Unauthenticated("You have signed out: sign in again")

    def principal(self, token: str) -> Principal:
        """Who calls: the ID token carries the groups and the practice or coach that scope them
        (an access token carries no custom attributes)."""
        return principal_from_claims(self.claims(token, "id"))

    def bearer(self, authorization: str | None) -> Principal:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated("Send a bearer token in the Authorization header")
        return self.principal(authorization.removeprefix("Bearer ").strip())


def key_source(pool: CognitoPool) -> KeySource:
    """Where the pool's keys come from (in-process tests swap in moto's: infra/cognito.py)."""
    return FetchedKeys(pool.jwks_url())
