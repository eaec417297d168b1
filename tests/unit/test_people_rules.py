"""The people manager's changes, with fakes for Cognito and the audit: nothing is half done
(an audit entry is taken back when its change fails, an account deleted again when its
invitation cannot be audited), nobody but a manager changes anything, and a manager cannot
change their own account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import pytest

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, Forbidden
from workingbetter.domain.people import AuditEntry, Invitation, Person
from workingbetter.services.people import People
from workingbetter.services.staff import Directory, Staff

MANAGER = Principal(Role.MANAGER, "manager-1")
SOMEONE = "person-2"


class Refused(Exception):
    """Cognito or DynamoDB said no."""


@dataclass
class FakeDirectory:
    fail: set[str] = field(default_factory=set)
    done: list[str] = field(default_factory=list)

    def _do(self, what: str) -> None:
        if what in self.fail:
            raise Refused(what)
        self.done.append(what)

    def invite(self, invited: Invitation) -> str:
        self._do("invite")
        return SOMEONE

    def delete(self, person_id: str) -> None:
        self._do("delete")

    def disable(self, person_id: str) -> None:
        self._do("disable")

    def sign_out_everywhere(self, person_id: str) -> None:
        self._do("sign_out")

    def remove_authenticator(self, person_id: str) -> None:
        self._do("remove_authenticator")

    def person(self, person_id: str) -> Person:
        return Person(person_id, "a@nhs.example", "A", (Role.COACH,), True, "CONFIRMED", True)


@dataclass
class FakeAudit:
    fail: bool = False
    entries: dict[str, AuditEntry] = field(default_factory=dict)

    def record(self, entry: AuditEntry) -> str:
        if self.fail:
            raise Refused("audit")
        key = f"{entry.at.isoformat()}#{len(self.entries)}"
        self.entries[key] = entry
        return key

    def take_back(self, person_id: str, sort_key: str) -> None:
        del self.entries[sort_key]

    def last_sign_ins(self, person_ids: Any) -> dict[str, datetime]:
        return {}


@dataclass
class FakeSignOuts:
    recorded: list[str] = field(default_factory=list)

    def signed_out_at(self, subject: str) -> int | None:
        return None

    def record(self, subject: str, at: int) -> None:
        self.recorded.append(subject)


class FakeStaff:
    def directory(self) -> Directory:
        return Directory({}, {})


def _people(directory: FakeDirectory, audit: FakeAudit,
            sign_outs: FakeSignOuts | None = None) -> People:
    return People(cast(Any, directory), cast(Any, audit), sign_outs or FakeSignOuts(),
                  cast(Staff, FakeStaff()), clock=lambda: 1_765_000_000.0)


def test_a_disable_that_cognito_refuses_leaves_no_audit_entry_and_no_sign_out() -> None:
    directory, audit, sign_outs = FakeDirectory(fail={"disable"}), FakeAudit(), FakeSignOuts()

    with pytest.raises(Refused):
        _people(directory, audit, sign_outs).disable(MANAGER, SOMEONE)

    assert audit.entries == {}
    assert sign_outs.recorded == []


def test_a_disable_records_one_entry_and_the_sign_out_that_refuses_their_tokens() -> None:
    directory, audit, sign_outs = FakeDirectory(), FakeAudit(), FakeSignOuts()

    _people(directory, audit, sign_outs).disable(MANAGER, SOMEONE)

    assert directory.done == ["disable", "sign_out"]
    assert sign_outs.recorded == [SOMEONE]
    assert [(e.change, e.by) for e in audit.entries.values()] == [("disabled", "manager-1")]


def test_an_invitation_that_cannot_be_audited_deletes_the_account_again() -> None:
    directory = FakeDirectory()
    invited = Invitation("b@nhs.example", "B", Role.OPS)

    with pytest.raises(Refused):
        _people(directory, FakeAudit(fail=True)).invite(MANAGER, invited)

    assert directory.done == ["invite", "delete"]


@pytest.mark.parametrize("role", [Role.OPS, Role.REFERRER, Role.COACH, Role.COMMISSIONER])
def test_nobody_but_a_manager_changes_an_account(role: Role) -> None:
    directory, audit = FakeDirectory(), FakeAudit()
    people = _people(directory, audit)
    who = Principal(role, "someone-else", practice_ods="F83001", coach_id="coach-amara")

    for change in (people.disable, people.reset_authenticator):
        with pytest.raises(Forbidden):
            change(who, SOMEONE)
    with pytest.raises(Forbidden):
        people.invite(who, Invitation("c@nhs.example", "C", Role.MANAGER))

    assert directory.done == [] and audit.entries == {}  # noqa: PT018


def test_ops_who_are_also_managers_may_manage() -> None:
    directory = FakeDirectory()

    _people(directory, FakeAudit()).reset_authenticator(
        Principal(Role.OPS, "ops-1", manages=True), SOMEONE)

    assert directory.done == ["remove_authenticator", "sign_out"]


def test_a_manager_cannot_disable_or_reset_their_own_account() -> None:
    directory = FakeDirectory()
    people = _people(directory, FakeAudit())

    for change in (people.disable, people.reset_authenticator):
        with pytest.raises(Conflict):
            change(MANAGER, MANAGER.subject)

    assert directory.done == []
