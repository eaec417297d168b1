"""The service manager runs the service's people: invites someone into a role and scope,
disables a leaver, resets a lost authenticator app, and sees who can see what.

Managers only (`Role.MANAGER`). Every change is audited: the entry is written first and taken
back if the change then fails, so the audit never names a change that did not happen, and no
change is made without its entry (an invitation, whose person id Cognito gives, is written the
other way round: the account is deleted again if its entry cannot be written). Entries hold
ids, enums and times: never a patient's details, a password or a code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, FieldError, NotFound
from workingbetter.domain.people import (
    AuditEntry,
    Change,
    Invitation,
    Person,
    invitation,
)
from workingbetter.domain.people import (
    person_id as checked,
)

if TYPE_CHECKING:
    from workingbetter.adapters.people_audit import PeopleAudit
    from workingbetter.adapters.people_directory import CognitoPeople
    from workingbetter.adapters.sign_outs import SignOuts
    from workingbetter.services.staff import Staff


OWN = "Ask another manager to change your own account"


@dataclass(frozen=True)
class PersonPage:
    person: Person
    audit: list[AuditEntry]
    by: dict[str, str]  # the managers the audit names: person id -> name (or email)


class People:
    def __init__(self, directory: CognitoPeople, audit: PeopleAudit, sign_outs: SignOuts,
                 staff: Staff, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.audit = audit
        self.sign_outs = sign_outs
        self.staff = staff
        self.clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def check_invitation(self, manager: Principal, email: str, name: str, role: str,
                         scope: str) -> Invitation:
        """The invitation as typed, checked against the practices and coaches the service
        knows (InvalidInput naming each wrong field); managers only, before anything else."""
        manager.require(Role.MANAGER)
        known = self.staff.directory(fresh=True)
        return invitation(email, name, role, scope, set(known.practices), set(known.coaches))

    def invite(self, manager: Principal, invited: Invitation) -> str:
        manager.require(Role.MANAGER)
        person_id = self.directory.invite(invited)
        try:
            self.audit.record(AuditEntry(person_id, self._now(), Change.INVITED,
                                         manager.subject, invited.role, invited.scope))
        except Exception:
            self.directory.delete(person_id)
            raise
        return person_id

    def disable(self, manager: Principal, person_id: str) -> None:
        """A leaver: they cannot sign in, and every token they hold is refused from the next
        request (the sign-out is recorded as the sign-out page records one)."""
        self._changed(manager, person_id, Change.DISABLED, self.directory.disable)

    def enable(self, manager: Principal, person_id: str) -> None:
        """A person disabled by mistake can sign in again (with their own password and app);
        the tokens they held when disabled stay refused."""
        manager.require(Role.MANAGER)
        person = self.directory.person(checked(person_id))  # NotFound before any write
        if person_id == manager.subject:
            raise Conflict(OWN, [FieldError("person_id", OWN)])
        if person.enabled:
            return  # enabled already (a form sent twice): nothing more to record
        sort_key = self.audit.record(AuditEntry(person_id, self._now(), Change.ENABLED,
                                                manager.subject))
        try:
            self.directory.enable(person_id)
        except Exception:
            self.audit.take_back(person_id, sort_key)
            raise

    def reset_authenticator(self, manager: Principal, person_id: str) -> None:
        """A lost app: removed, and signed out everywhere, so their next sign-in sets a new
        one up before any token is issued."""
        self._changed(manager, person_id, Change.AUTHENTICATOR_RESET,
                      self.directory.remove_authenticator)

    def _changed(self, manager: Principal, person_id: str, change: Change,
                 do: Callable[[str], None]) -> None:
        manager.require(Role.MANAGER)
        person = self.directory.person(checked(person_id))  # NotFound before any write
        if person_id == manager.subject:  # the last manager could lock everyone out
            raise Conflict(OWN, [FieldError("person_id", OWN)])
        if change is Change.DISABLED and not person.enabled:
            return  # disabled already (a form sent twice): nothing more to record
        sort_key = self.audit.record(AuditEntry(person_id, self._now(), change,
                                                manager.subject))
        try:
            do(person_id)
            self.directory.sign_out_everywhere(person_id)
            self.sign_outs.record(person_id, int(self.clock()))
        except Exception:
            self.audit.take_back(person_id, sort_key)
            raise

    def everyone(self, manager: Principal) -> list[Person]:
        manager.require(Role.MANAGER)
        people = self.directory.everyone()
        last = self.audit.last_sign_ins(p.person_id for p in people)
        return [replace(p, last_signed_in=last.get(p.person_id)) for p in people]

    def account_of_coach(self, manager: Principal, coach_id: str) -> Person | None:
        """The account whose scope is this coach (None when nobody's is): a leaving coach's
        page links to it, to be disabled."""
        manager.require(Role.MANAGER)
        return next((p for p in self.directory.everyone() if p.coach_id == coach_id), None)

    def page(self, manager: Principal, person_id: str) -> PersonPage:
        manager.require(Role.MANAGER)
        person = self.directory.person(checked(person_id))
        last = self.audit.last_sign_ins([person_id]).get(person_id)
        entries = self.audit.entries(person_id)
        return PersonPage(replace(person, last_signed_in=last), entries,
                          self.names_of({e.by for e in entries}))

    def names_of(self, person_ids: set[str]) -> dict[str, str]:
        """The people an audit names (managers): person id -> name (or email)."""
        return {person_id: self._name(person_id) for person_id in person_ids}

    def _name(self, person_id: str) -> str:
        try:
            found = self.directory.person(person_id)
        except NotFound:  # a manager's account since deleted: their id stands
            return person_id
        return found.name or found.email

    def signed_in(self, who: Principal) -> None:
        """Someone signed in at /login: their last sign-in, as the manager's list shows it."""
        self.audit.signed_in(who.subject, int(self.clock()))
