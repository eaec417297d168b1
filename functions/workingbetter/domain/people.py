"""The people who use the service (staff, never a patient): who they are, the role and scope
their account gives them, and what a service manager did to their account (the audit shown on
their page). Pure: values in, values out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from workingbetter.domain.auth import Role
from workingbetter.domain.errors import FieldError, InvalidInput

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EMAIL_MAX = 254  # RFC 5321's longest address
NAME_MAX = 100  # as the header shows (domain/auth.SHOWN_NAME_MAX)
PERSON_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # Cognito's sub: a UUID
# Roles a manager may invite into, in the order the form offers them.
INVITABLE = (Role.REFERRER, Role.COACH, Role.OPS, Role.COMMISSIONER, Role.MANAGER)


class Change(StrEnum):
    """What a manager did to someone's account (an audit entry names one)."""

    INVITED = "invited"
    DISABLED = "disabled"
    ENABLED = "enabled"  # a disabled account enabled again (a mistake undone)
    AUTHENTICATOR_RESET = "authenticator_reset"


@dataclass(frozen=True)
class Invitation:
    """Who to invite, into which role and scope (a practice for a referrer, a coach id for a
    coach, nothing otherwise)."""

    email: str
    name: str
    role: Role
    practice_ods: str | None = None
    coach_id: str | None = None

    @property
    def scope(self) -> str | None:
        return self.practice_ods or self.coach_id


def invitation(email: str, name: str, role: str, scope: str, practices: set[str],
               coaches: set[str]) -> Invitation:
    """The invitation, once every field is right; else InvalidInput naming each wrong one.
    `practices` and `coaches` are those the service knows: a scope must be one of them."""
    email, name, scope = email.strip().lower(), " ".join(name.split()), scope.strip()
    errors = _email_errors(email) + _name_errors(name)
    chosen = Role(role) if role in {r.value for r in INVITABLE} else None
    if chosen is None:
        errors.append(FieldError("role", "Choose a role"))
    elif chosen is Role.REFERRER and scope not in practices:
        errors.append(FieldError("practice_ods", "Choose the practice they work at"))
    elif chosen is Role.COACH and scope not in coaches:
        errors.append(FieldError("coach_id", "Choose which coach they are"))
    if errors or chosen is None:
        raise InvalidInput("The invitation has errors", errors)
    return Invitation(email, name, chosen,
                      practice_ods=scope if chosen is Role.REFERRER else None,
                      coach_id=scope if chosen is Role.COACH else None)


def _email_errors(email: str) -> list[FieldError]:
    if not email:
        return [FieldError("email", "Enter their email address")]
    if len(email) > EMAIL_MAX or not EMAIL.fullmatch(email):
        return [FieldError("email", "Enter an email address in the correct format, "
                                    "like name@nhs.net")]
    return []


def _name_errors(name: str) -> list[FieldError]:
    if not name:
        return [FieldError("name", "Enter their full name")]
    if len(name) > NAME_MAX or not name.isprintable():
        return [FieldError("name", f"Enter a name of {NAME_MAX} characters or fewer")]
    return []


def person_id(value: str) -> str:
    """A person's id as a URL carries it; anything else is no such person."""
    from workingbetter.domain.errors import NotFound

    if not PERSON_ID.fullmatch(value):
        raise NotFound("No such person")
    return value


@dataclass(frozen=True)
class Person:
    """An account as the manager's pages list it."""

    person_id: str  # Cognito's sub
    email: str
    name: str
    roles: tuple[Role, ...]
    enabled: bool
    status: str  # Cognito's UserStatus: FORCE_CHANGE_PASSWORD until their first sign-in
    has_authenticator: bool
    practice_ods: str | None = None
    coach_id: str | None = None
    last_signed_in: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One change to someone's account: who did it (the manager's id), what, when. Ids and
    enums only: never a patient's details, never a password or code."""

    person_id: str
    at: datetime
    change: Change
    by: str  # the manager's person id (Cognito sub)
    role: Role | None = None  # the role invited into
    scope: str | None = None  # the practice ODS code or coach id invited for


def person_json(person: Person) -> dict[str, object]:
    """A person as the JSON API answers: staff details and account state, no secret."""
    return {"person_id": person.person_id, "email": person.email, "name": person.name,
            "roles": [str(r) for r in person.roles], "enabled": person.enabled,
            "status": person.status, "has_authenticator": person.has_authenticator,
            "practice_ods": person.practice_ods, "coach_id": person.coach_id,
            "last_signed_in": person.last_signed_in.isoformat() if person.last_signed_in
            else None}


def entry_json(entry: AuditEntry) -> dict[str, object]:
    return {"at": entry.at.isoformat(), "change": str(entry.change), "by": entry.by,
            "role": str(entry.role) if entry.role else None, "scope": entry.scope}
