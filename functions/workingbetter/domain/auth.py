"""Who is calling: a role and the scope that comes with it, read from a Cognito ID token's
claims (token_check.py checks the token first, deployed and locally alike)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workingbetter.domain.errors import Forbidden

# The longest name the header shows (longer is not a name an administrator meant to type).
SHOWN_NAME_MAX = 100


class Role(StrEnum):
    REFERRER = "referrer"
    COACH = "coach"
    OPS = "ops"
    # Reads outcome reports only: counts and rates, never a referral or a person.
    COMMISSIONER = "commissioner"
    # The service manager: invites people, disables leavers, resets a lost authenticator.
    # Separate from ops (who read no personal data) as least privilege; one person may hold
    # it beside one other role.
    MANAGER = "manager"


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str
    practice_ods: str | None = None
    coach_id: str | None = None
    # The member of staff's own name (the token's `name`), for the page header alone: never
    # on a timeline, in a log or in a run.
    name: str = ""
    # Also in the manager group, beside the role above (a manager alone has role MANAGER).
    manages: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({self.role, Role.MANAGER} if self.manages else {self.role})

    @property
    def actor(self) -> str:
        """How the principal appears on a timeline: a role and an id, never a name."""
        if self.role is Role.COACH:
            return f"coach:{self.coach_id}"
        if self.role is Role.REFERRER:
            return f"referrer:{self.practice_ods}"
        return str(self.role)

    def require(self, *roles: Role) -> None:
        if not self.roles & set(roles):
            raise Forbidden(f"This needs the {' or '.join(roles)} role")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    groups = claims.get("cognito:groups") or []
    roles = [Role(g) for g in groups if g in Role.__members__.values()]
    manages = Role.MANAGER in roles and len(roles) == 2
    if manages:
        roles.remove(Role.MANAGER)
    if len(roles) != 1:
        raise Forbidden("Your account must belong to exactly one of: " + ", ".join(Role)
                        + " (and may also be a manager)")
    role = roles[0]
    practice = claims.get("custom:practice_ods")
    coach = claims.get("custom:coach_id")
    if role is Role.REFERRER and not practice:
        raise Forbidden("A referrer account needs a practice")
    if role is Role.COACH and not coach:
        raise Forbidden("A coach account needs a coach id")
    return Principal(role=role, subject=str(claims.get("sub", "")),
                     practice_ods=practice if role is Role.REFERRER else None,
                     coach_id=coach if role is Role.COACH else None,
                     name=_shown_name(claims.get("name")), manages=manages)


def _shown_name(claimed: Any) -> str:
    """The token's name if it is one printable line of at most SHOWN_NAME_MAX characters,
    else none: the header then names the role alone."""
    if not isinstance(claimed, str):
        return ""
    name = " ".join(claimed.split())
    return name if 0 < len(name) <= SHOWN_NAME_MAX and name.isprintable() else ""
