"""The service manager moves one referral to another coach at its practice: its place moves
in one transaction (the old coach's count down, the new one's up, only while under the cap;
two moves at once cannot both win), its appointments still to come move to the new coach's
diary (their next free session slots), and the patient is told who their new coach is.

What the manager sees of the referral is what they need to choose: its reference, its status
and its coach; never the patient's name or details (nothing here reads the personal-data
table). Each move is audited on both coaches (services/cover.py keeps that audit): who, when,
which referral by reference, from or to whom.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from workingbetter.adapters.caseloads import move_place
from workingbetter.adapters.dynamo import ConditionFailed, Event, now_iso
from workingbetter.adapters.store import Store
from workingbetter.domain.absence import CoverAuditEntry, CoverChange
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from workingbetter.domain.parsing import parse
from workingbetter.domain.records.directory import Coach
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import HOLDS_CAPACITY
from workingbetter.domain.text import Line
from workingbetter.observability import count
from workingbetter.services.appointment_moves import Moves
from workingbetter.services.diary_slots import DiaryFull

if TYPE_CHECKING:
    from workingbetter.adapters.absences import CoverAudit
    from workingbetter.notifications.notices import Notices
    from workingbetter.settings import Settings  # pydantic-settings: only when read

CHOOSE = "Choose a coach at the referral's practice with a free place"
FULL = "That coach has no free place now: choose another"
NOT_HOLDING = ("Only a referral with a coach's place can move (this one has ended, or is "
               "waiting for a place)")


class NewCoach(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    field_messages: ClassVar[dict[str, str]] = {"coach_id": CHOOSE}

    coach_id: Line


@dataclass(frozen=True)
class MovePage:
    referral: Referral  # ids and enums: the workflow item, never the patient's details
    coach: Coach | None
    choices: list[Coach]  # the practice's other coaches with a free place


@dataclass(frozen=True)
class Moved:
    referral_id: str
    coach_id: str
    appointments: int  # moved to the new coach's diary


def with_places(store: Store, settings: Settings, practice_ods: str,
                but_not: str) -> list[Coach]:
    """The practice's coaches other than `but_not` with a free place, the least loaded
    first (a coach who left has none)."""
    practice = store.directory.practice(practice_ods)
    ids = [c for c in (practice.coach_ids if practice else ()) if c != but_not]
    return sorted((c for c in store.directory.coaches(ids)
                   if c.active < c.cap(settings.caseload_cap) and not c.left),
                  key=lambda c: (c.active, c.name.casefold()))


class CaseloadMoves:
    def __init__(self, store: Store, settings: Settings, audit: CoverAudit, notices: Notices,
                 moves: Moves, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.audit = audit
        self.clock = clock
        self.notices = notices
        self.moves = moves

    def page(self, manager: Principal, referral_id: str) -> MovePage:
        manager.require(Role.MANAGER)
        item = self._found(referral_id)
        coach = self.store.directory.coach(str(item.coach_id)) if item.coach_id else None
        return MovePage(item, coach, self.choices(item))

    def choices(self, item: Referral) -> list[Coach]:
        return with_places(self.store, self.settings, item.practice_ods, str(item.coach_id))

    def move(self, manager: Principal, referral_id: str, body: Any) -> Moved:
        manager.require(Role.MANAGER)
        item = self._found(referral_id)
        wanted = parse(NewCoach, body, "The referral was not moved").coach_id
        if item.status not in HOLDS_CAPACITY or item.capacity_released or not item.coach_id:
            raise Conflict(NOT_HOLDING)
        if wanted == item.coach_id:
            return Moved(referral_id, wanted, 0)  # sent again: it is theirs already
        practice = self.store.directory.practice(item.practice_ods)
        to = self.store.directory.coach(wanted)
        if to is None or to.left or wanted not in (practice.coach_ids if practice else ()):
            raise InvalidInput("The referral was not moved", [FieldError("coach_id", CHOOSE)])
        return self.move_to(manager, item, to)

    def move_to(self, manager: Principal, item: Referral, to: Coach) -> Moved:
        """Move it (checked by the caller: a coach at its practice); Conflict if the coach is
        full or the referral changed meanwhile."""
        old = str(item.coach_id)
        at = datetime.fromtimestamp(self.clock(), UTC)
        reference = item.reference or item.referral_id
        entries = [(old, self.audit.record(CoverAuditEntry(
                        old, at, CoverChange.REFERRAL_MOVED_OUT, manager.subject,
                        reference=reference, other_coach=to.coach_id))),
                   (to.coach_id, self.audit.record(CoverAuditEntry(
                       to.coach_id, at, CoverChange.REFERRAL_MOVED_IN, manager.subject,
                       reference=reference, other_coach=old)))]
        try:
            move_place(self.store, item.referral_id, item.created_at, old, to.coach_id,
                       to.cap(self.settings.caseload_cap),
                       Event("coach_changed", manager.actor, {"coach_id": to.coach_id}))
        except Exception as error:
            for coach_id, sort_key in entries:
                self.audit.take_back(coach_id, sort_key)
            if isinstance(error, ConditionFailed):
                raise Conflict(FULL if self._full(to) else "Someone changed this referral at "
                               "the same moment: reload the page and check",
                               [FieldError("coach_id", FULL)] if self._full(to) else []) \
                    from None
            raise
        moved = self._appointments(item.referral_id, old, to, manager.actor)
        for coach_id, sort_key in entries:
            self.audit.moved(coach_id, sort_key, moved)
        updated = self.store.referrals.get(item.referral_id)
        assert updated is not None
        self.notices.new_coach(updated, at)
        count("ReferralMovedCoach")
        return Moved(item.referral_id, to.coach_id, moved)

    def _appointments(self, referral_id: str, old: str, to: Coach, actor: str) -> int:
        """What is still to come in the old coach's diary goes to the new coach's (a covering
        colleague's appointment stays with them)."""
        item = self.store.referrals.get(referral_id)
        assert item is not None
        moved = 0
        booked = item.appointment
        try:
            if booked and not booked.outcome and booked.coach_id is None and \
                    booked.start > now_iso()[:19] and self.moves.first(item, old, actor, to):
                moved += 1
            for row in self.store.diary.follow_ups(old, now_iso()[:19], "9999"):
                if row.referral_id == referral_id and not row.outcome and \
                        self.moves.follow_up(item, row, to, actor):
                    moved += 1
        except DiaryFull:
            pass  # the new coach's diary is full for weeks: they arrange it with the patient
        return moved

    def _full(self, coach: Coach) -> bool:
        now = self.store.directory.coach(coach.coach_id)
        return now is not None and now.active >= now.cap(self.settings.caseload_cap)

    def _found(self, referral_id: str) -> Referral:
        item = self.store.referrals.get(referral_id)
        if item is None:
            raise NotFound("No referral with that id")
        return item
