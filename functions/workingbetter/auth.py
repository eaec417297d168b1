"""Who is calling: a role and the scope that comes with it.

Deployed, API Gateway's Cognito authoriser has checked the token and hands us its claims.
Locally the same claims arrive in an HS256 token signed with WB_LOCAL_JWT_SECRET; only a
process started with WB_AUTH_MODE=local accepts those.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from workingbetter.domain.errors import Forbidden, Unauthenticated

LOCAL_ISSUER = "working-better-local"
AUDIENCE = "working-better"


# PyJWT (and cryptography, when installed) is imported only for local tokens: deployed, API
# Gateway's Cognito authoriser has checked the token and the API never imports it.
@cache
def _quiet_short_local_keys() -> None:
    """The local secret's documented default is short; that is fine for a token that never
    leaves the developer's machine, so PyJWT's key-length warning is silenced for them."""
    import jwt

    warnings.filterwarnings("ignore", category=jwt.warnings.InsecureKeyLengthWarning)


class Role(StrEnum):
    REFERRER = "referrer"
    COACH = "coach"
    OPS = "ops"
    # Reads outcome reports only: counts and rates, never a referral or a person.
    COMMISSIONER = "commissioner"


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str
    practice_ods: str | None = None
    coach_id: str | None = None

    @property
    def actor(self) -> str:
        """How the principal appears on a timeline: a role and an id, never a name."""
        if self.role is Role.COACH:
            return f"coach:{self.coach_id}"
        if self.role is Role.REFERRER:
            return f"referrer:{self.practice_ods}"
        return str(self.role)

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"This needs the {' or '.join(roles)} role")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    groups = claims.get("cognito:groups") or []
    if isinstance(groups, str):  # API Gateway flattens lists in authoriser claims
        groups = [g.strip() for g in groups.strip("[]").replace(",", " ").split()]
    roles = [Role(g) for g in groups if g in Role.__members__.values()]
    if len(roles) != 1:
        raise Forbidden("Your account must belong to exactly one of: " + ", ".join(Role))
    role = roles[0]
    practice = claims.get("custom:practice_ods")
    coach = claims.get("custom:coach_id")
    if role is Role.REFERRER and not practice:
        raise Forbidden("A referrer account needs a practice")
    if role is Role.COACH and not coach:
        raise Forbidden("A coach account needs a coach id")
    return Principal(role=role, subject=str(claims.get("sub", "")),
                     practice_ods=practice if role is Role.REFERRER else None,
                     coach_id=coach if role is Role.COACH else None)


def verify_local_token(authorization: str | None, secret: str) -> Principal:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("Send a bearer token in the Authorization header")
    token = authorization.removeprefix("Bearer ").strip()
    import jwt

    _quiet_short_local_keys()
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE,
                            issuer=LOCAL_ISSUER, options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("Your token has expired: sign in again") from error
    except jwt.PyJWTError as error:
        raise Unauthenticated("Your token is not valid") from error
    return principal_from_claims(claims)


def local_token(role: Role, secret: str, *, practice_ods: str | None = None,
                coach_id: str | None = None, ttl_seconds: int = 12 * 3600) -> str:
    """A token for the local stack and tests, with the same claims Cognito would issue."""
    import jwt

    _quiet_short_local_keys()
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": f"local-{role}-{practice_ods or coach_id or 'ops'}",
        "cognito:groups": [str(role)],
        "iss": LOCAL_ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl_seconds,
    }
    if practice_ods:
        claims["custom:practice_ods"] = practice_ods
    if coach_id:
        claims["custom:coach_id"] = coach_id
    return jwt.encode(claims, secret, algorithm="HS256")
