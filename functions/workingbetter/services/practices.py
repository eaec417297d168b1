"""The service manager runs the practices that take part: adds one (its ODS code checked and
not taken), edits its details (a change made meanwhile is never overwritten), pauses its new
referrals with a reason and resumes them, and lets it leave the pilot. Its open referrals
carry on with their coaches whatever it does.

Managers only (`Role.MANAGER`). Every change is audited as people's are (services/people.py):
the entry is written first and taken back if the change then fails. Entries hold the practice,
the change, the manager and the time: never a patient's details, nor the reason's words.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from workingbetter.adapters.dynamo import ConditionFailed
from workingbetter.adapters.store import Store
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from workingbetter.domain.parsing import parse
from workingbetter.domain.practices import (
    CARRY_ON,
    END,
    ROOMS_MAX,
    PracticeAuditEntry,
    PracticeChange,
)
from workingbetter.domain.records.directory import Practice, PracticeStatus
from workingbetter.domain.referral import LIVE, ExitReason, Status
from workingbetter.domain.text import EmailAddress, Line
from workingbetter.services.intake import OdsCode

if TYPE_CHECKING:
    from workingbetter.adapters.people_audit import PracticeAudit
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.withdrawal import Withdrawals

TAKEN = "A practice with this ODS code is already in Working Better"
CHANGED_MEANWHILE = ("Someone changed this practice after you opened the form: reload the page "
                     "to see their change, then make yours again")
NO_REASON = "Enter why the practice is not taking new referrals"
CHOOSE_OPEN = ("Choose whether its open referrals carry on with their coaches or end, each "
               "patient told")
ENTER_ODS = "Enter the practice's ODS code: a letter and 5 digits, like F83004"


class PracticeDetails(BaseModel):
    """What a manager types about a practice (its ODS code only when adding it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    field_messages: ClassVar[dict[str, str]] = {"practice_ods": ENTER_ODS}

    name: Line
    email: EmailAddress  # its generic mailbox: feedback and the practice's messages
    address: Line  # where patients go to their appointments
    phone: Line  # whom patients call
    rooms: list[Line] = Field(default_factory=list, max_length=ROOMS_MAX)


class NewPractice(PracticeDetails):
    practice_ods: OdsCode


class Pause(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    field_messages: ClassVar[dict[str, str]] = {"reason": NO_REASON}

    reason: Annotated[Line, Field(min_length=1)]


@dataclass(frozen=True)
class PracticePage:
    practice: Practice
    read: str  # what the page read (`fingerprint`): an edit is made only over this
    open_referrals: int  # carry on with their coaches, whatever the practice's status
    audit: list[PracticeAuditEntry]


def fingerprint(practice: Practice) -> str:
    """The practice as read, in a few characters a form carries back."""
    held = json.dumps(asdict(practice), sort_keys=True, default=str)
    return hashlib.sha256(held.encode()).hexdigest()[:16]


class Practices:
    def __init__(self, store: Store, audit: PracticeAudit,
                 withdrawals: Withdrawals, notices: Notices,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.audit = audit
        self.withdrawals = withdrawals  # ending a leaving practice's referrals
        self.notices = notices
        self.clock = clock

    def everyone(self, manager: Principal) -> list[Practice]:
        manager.require(Role.MANAGER)
        return sorted(self.store.directory.practices(), key=lambda p: p.name.casefold())

    def page(self, manager: Principal, practice_ods: str) -> PracticePage:
        manager.require(Role.MANAGER)
        practice = self._found(practice_ods)
        open_referrals = sum(1 for r in self.store.lists.for_practice(practice_ods)
                             if r.status in LIVE)
        return PracticePage(practice, fingerprint(practice), open_referrals,
                            self.audit.entries(practice_ods))

    def add(self, manager: Principal, body: Any) -> Practice:
        manager.require(Role.MANAGER)
        typed = parse(NewPractice, body, "The practice has errors: nothing was saved")
        if self.store.directory.practice(typed.practice_ods) is not None:
            raise Conflict(TAKEN, [FieldError("practice_ods", TAKEN)])
        added = Practice(typed.practice_ods, typed.name, (), typed.email, typed.address,
                         typed.phone, tuple(typed.rooms))
        self._changed(manager, added, None, PracticeChange.ADDED, TAKEN)
        return added

    def edit(self, manager: Principal, practice_ods: str, body: Any, read: str) -> None:
        """Its details as typed, only over what the form was read from (its sessions, status
        and ODS code are not the form's)."""
        manager.require(Role.MANAGER)
        typed = parse(PracticeDetails, body, "The practice has errors: nothing was saved")
        was = self._as_read(practice_ods, read)
        self._changed(manager, replace(was, name=typed.name, email=typed.email,
                                       address=typed.address, phone=typed.phone,
                                       rooms=tuple(typed.rooms)),
                      was, PracticeChange.EDITED)

    def pause(self, manager: Principal, practice_ods: str, body: Any, read: str) -> None:
        manager.require(Role.MANAGER)
        reason = parse(Pause, body, "Say why new referrals are paused").reason
        was = self._as_read(practice_ods, read)
        self._changed(manager, replace(was, status=PracticeStatus.PAUSED, paused_reason=reason),
                      was, PracticeChange.PAUSED)

    def resume(self, manager: Principal, practice_ods: str, read: str) -> None:
        self._status(manager, practice_ods, read, PracticeChange.RESUMED, PracticeStatus.TAKING)

    def leave(self, manager: Principal, practice_ods: str, read: str,
              open_referrals: object = CARRY_ON) -> int:
        """It leaves the pilot: no new referrals. Its open referrals carry on with their
        coaches, or (`open_referrals` "end") each ends as withdrawn by the service, every run
        ended, its place passed on, and the patient told; answers how many ended."""
        if open_referrals not in (CARRY_ON, END):
            raise InvalidInput("Choose what happens to its open referrals",
                               [FieldError("open_referrals", CHOOSE_OPEN)])
        self._status(manager, practice_ods, read, PracticeChange.LEFT, PracticeStatus.LEFT)
        if open_referrals == CARRY_ON:
            return 0
        return self._end_open_referrals(manager, practice_ods)

    def _end_open_referrals(self, manager: Principal, practice_ods: str) -> int:
        """Each open referral ended (one that ends meanwhile is left as it ended), its patient
        told; one audit entry for all (the count is on the page; entries hold no patient)."""
        ended = 0
        for item in self.store.lists.for_practice(practice_ods):
            if item.status not in LIVE:
                continue
            after = self.withdrawals.end_for_the_service(item, manager.actor,
                                                         ExitReason.PRACTICE_LEFT)
            if after.status is Status.WITHDRAWN and after.exit_reason is ExitReason.PRACTICE_LEFT:
                self.notices.practice_left(after)
                ended += 1
        if ended:
            self.audit.record(practice_ods, datetime.fromtimestamp(self.clock(), UTC),
                              str(PracticeChange.REFERRALS_ENDED), manager.subject)
        return ended

    def _status(self, manager: Principal, practice_ods: str, read: str,
                change: PracticeChange, status: PracticeStatus) -> None:
        manager.require(Role.MANAGER)
        was = self._as_read(practice_ods, read)
        if was.status is status:
            return  # a form sent twice: nothing more to record
        self._changed(manager, replace(was, status=status, paused_reason=""), was, change)

    def _found(self, practice_ods: str) -> Practice:
        found = self.store.directory.practice(practice_ods)
        if found is None:
            raise NotFound("No practice with this ODS code takes part")
        return found

    def _as_read(self, practice_ods: str, read: str) -> Practice:
        was = self._found(practice_ods)
        if fingerprint(was) != read:
            raise Conflict(CHANGED_MEANWHILE)
        return was

    def _changed(self, manager: Principal, new: Practice, was: Practice | None,
                 change: PracticeChange, lost: str = CHANGED_MEANWHILE) -> None:
        """The entry first, then the write conditional on what was read; the entry taken back
        if the write loses (`lost` says why) or fails."""
        at = datetime.fromtimestamp(self.clock(), UTC)
        sort_key = self.audit.record(new.practice_ods, at, str(change), manager.subject)
        try:
            self.store.directory.put_practice(new, was)
        except ConditionFailed:
            self.audit.take_back(new.practice_ods, sort_key)
            field = [FieldError("practice_ods", lost)] if was is None else []
            raise Conflict(lost, field) from None
        except Exception:
            self.audit.take_back(new.practice_ods, sort_key)
            raise

