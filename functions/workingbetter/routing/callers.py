"""Who is calling: the one place a request's Cognito ID token becomes a principal.

The JSON API and FHIR routes read it from the Authorization header, the pages from their
sign-in cookie (web/http.py); both are checked here, the same way, whether or not API
Gateway's authoriser checked them first (deployed it has; the local stack has no gateway).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workingbetter.domain.auth import Principal, principal_from_claims
from workingbetter.wiring import sign_outs, tokens

if TYPE_CHECKING:
    from chalice.app import Request


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    issued_at: int
    expires_at: int
    # The same after every refresh of one sign-in: what its forms' CSRF tokens are keyed by.
    sign_in: str


def bearer(request: Request) -> Principal:
    return tokens().bearer(request.headers.get("authorization"))


def signed_in(id_token: str) -> SignedIn:
    """The ID token's principal once the token has passed every check (else Unauthenticated)."""
    claims = tokens().claims(id_token, "id")
    return SignedIn(principal_from_claims(claims), int(claims["iat"]), int(claims["exp"]),
                    _sign_in(claims, id_token))


def sign_in_of(id_token: str) -> str:
    """Which sign-in a token belongs to (its `origin_jti`, kept through every refresh), from
    a token Cognito signed for this pool and not expired. Whether its person has signed out
    since is not read here: a form keyed by it is only taken from a caller who passes
    `signed_in`, which reads it."""
    return _sign_in(tokens().signed(id_token, "id"), id_token)


def _sign_in(claims: dict[str, Any], id_token: str) -> str:
    return str(claims.get("origin_jti") or id_token)


def end_sign_ins(subject: str) -> None:
    """The person signed out: every token issued to them until now is refused from now on,
    in every container."""
    sign_outs().record(subject, int(time.time()))
