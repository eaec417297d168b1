"""Cover for a coach's absence: the service manager records the days a coach is away (never
why), and every appointment of theirs on those days moves, each patient told by their channel.

- **Nothing is booked into an absence** from the moment it is recorded: every booking asks
  `diary_slots.next_free_slot`, which skips the days away, and follow-ups and the diary's free
  slots leave them out too.
- **A first appointment** goes to the next free slot among the practice's coaches: the
  referral's own coach after the absence, or a colleague's sooner. A colleague's appointment
  is cover: their diary holds the time and they may record its outcome, but the referral stays
  in its coach's caseload (the place, the case record and the follow-ups do not move).
- **A follow-up** stays with the referral's coach (it is their ongoing work with the patient,
  and its record is theirs), in their next free session slot after the absence.
- **The run is not stranded**: see services/appointment_moves.py.

Every change is audited (coach, change, dates, how many moved, manager, time): never a patient.
The entry is written first and taken back if the absence cannot be recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from workingbetter.adapters.absences import new_absence_id
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import Workflow
from workingbetter.domain import slots
from workingbetter.domain.absence import (
    Absence,
    CoverAuditEntry,
    CoverChange,
    dates_problem,
)
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from workingbetter.domain.idempotency import KeyReused
from workingbetter.domain.parsing import parse
from workingbetter.domain.records.diary import Slot
from workingbetter.domain.records.directory import Coach
from workingbetter.observability import count
from workingbetter.services.appointment_moves import Moves
from workingbetter.services.diary_slots import DiaryFull

if TYPE_CHECKING:
    from workingbetter.adapters.absences import Absences, CoverAudit
    from workingbetter.settings import Settings  # pydantic-settings: only when read

ENTER_FROM = "Enter the first day away as a real date, like 2027-01-04"
ENTER_TO = "Enter the last day away as a real date, like 2027-01-08"
REFUSED = "The absence has errors: nothing was saved"
RETRIES = 5


class AbsenceDates(BaseModel):
    """What a manager gives: the first and last days away, both included. Never why."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)
    field_messages: ClassVar[dict[str, str]] = {"from": ENTER_FROM, "to": ENTER_TO}

    first: date | None = Field(None, alias="from")  # missing: named by `missing_dates`
    last: date | None = Field(None, alias="to")

    def missing_dates(self) -> list[FieldError]:
        return ([FieldError("from", "Enter the first day away")] if self.first is None else []) \
            + ([FieldError("to", "Enter the last day away")] if self.last is None else [])


@dataclass(frozen=True)
class CoachAbsences:
    coach: Coach
    absences: list[Absence]
    audit: list[CoverAuditEntry]


@dataclass(frozen=True)
class Covered:
    absence: Absence
    moved: int  # appointments rebooked off the days away
    not_moved: int  # none free within the diary's horizon: left for the manager to arrange


class Cover:
    def __init__(self, store: Store, workflow: Workflow, settings: Settings,
                 absences: Absences, audit: CoverAudit, moves: Moves,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings
        self.absences = absences
        self.audit = audit
        self.clock = clock
        self.moves = moves

    def page(self, manager: Principal, coach_id: str) -> CoachAbsences:
        manager.require(Role.MANAGER)
        coach = self._coach(coach_id)
        return CoachAbsences(coach, self.absences.of(coach_id), self.audit.entries(coach_id))

    def add_absence(self, manager: Principal, coach_id: str, body: Any,
                    key: str | None = None) -> Covered:
        """Record it and move what it covers. With `key` (a form's nonce, a request's
        Idempotency-Key) the absence's id follows from it, so a repeat records nothing more."""
        manager.require(Role.MANAGER)
        coach = self._coach(coach_id)
        typed = parse(AbsenceDates, body, REFUSED)
        if typed.first is None or typed.last is None:
            raise InvalidInput(REFUSED, typed.missing_dates())
        problems = dates_problem(typed.first, typed.last, self.today())
        if problems:
            raise InvalidInput(REFUSED, problems)
        absence = Absence(coach_id, new_absence_id(key), typed.first, typed.last,
                          manager.subject)
        at = datetime.fromtimestamp(self.clock(), UTC)
        sort_key = self.audit.record(CoverAuditEntry(coach_id, at, CoverChange.ABSENCE_ADDED,
                                                     manager.subject, typed.first, typed.last))
        try:
            added = self.absences.add(absence)
        except Exception:
            self.audit.take_back(coach_id, sort_key)
            raise
        if not added:  # sent again: the first recorded it (and moved what it covers)
            self.audit.take_back(coach_id, sort_key)
            first = next((a for a in self.absences.of(coach_id)
                          if a.absence_id == absence.absence_id), absence)
            if (first.first, first.last) != (absence.first, absence.last):
                raise KeyReused(what="absence")
            return Covered(first, 0, 0)
        moved, not_moved = self.rebook(coach, absence, manager.actor)
        self.audit.moved(coach_id, sort_key, moved)
        count("AbsenceCovered", moved=str(min(moved, 10)))
        return Covered(absence, moved, not_moved)

    def cancel_absence(self, manager: Principal, coach_id: str, absence_id: str) -> None:
        """Only one that has not started: what was moved for it stays where it went."""
        manager.require(Role.MANAGER)
        self._coach(coach_id)
        found = next((a for a in self.absences.of(coach_id) if a.absence_id == absence_id),
                     None)
        if found is None:
            raise NotFound("No absence with that id for this coach")
        if found.first <= self.today():
            raise Conflict("This absence has started: only one still to come can be "
                           "cancelled")
        at = datetime.fromtimestamp(self.clock(), UTC)
        sort_key = self.audit.record(CoverAuditEntry(
            coach_id, at, CoverChange.ABSENCE_CANCELLED, manager.subject, found.first,
            found.last))
        if not self.absences.remove(coach_id, absence_id):
            self.audit.take_back(coach_id, sort_key)  # cancelled by someone else just now

    # -- moving what the absence covers ---------------------------------------------------

    def rebook(self, coach: Coach, absence: Absence, actor: str) -> tuple[int, int]:
        """Move every appointment the coach holds on the days away; (moved, not moved).
        Safe to repeat: what has moved is no longer on those days."""
        start, end = _bounds(absence.first, absence.last)
        moved = not_moved = 0
        for slot in self.store.diary.slots_between(coach.coach_id, start, end):
            try:
                if self._move(coach, slot, actor):
                    moved += 1
            except DiaryFull:
                not_moved += 1
        return moved, not_moved

    def _move(self, coach: Coach, slot: Slot, actor: str) -> bool:
        follow_up = self.store.diary.follow_up(coach.coach_id, slot.start, slot.referral_id)
        for attempt in range(RETRIES):
            item = self.store.referrals.get(slot.referral_id)
            if item is None or item.status.terminal:
                return False
            if follow_up is not None:
                return not follow_up.outcome and \
                    self.moves.follow_up(item, follow_up, coach, actor)
            booked = item.appointment
            if booked is None or booked.start != slot.start or booked.outcome:
                return False  # moved, recorded or called off meanwhile: off these days
            if self.moves.first(item, coach.coach_id, actor):
                return True
            # Lost to a change of the referral (its step chased or answered at that moment):
            # look again, as the appointment may still be on a day away.
            time.sleep(0.05 * 2 ** attempt)
        return False

    # -- reading ----------------------------------------------------------------------------

    def _coach(self, coach_id: str) -> Coach:
        found = self.store.directory.coach(coach_id)
        if found is None:
            raise NotFound("No coach with that id")
        return found

    def today(self) -> date:
        """Today in the UK: an absence starting before it cannot be cancelled."""
        return datetime.fromtimestamp(self.clock(), UTC).astimezone(slots.UK).date()


def _bounds(first: date, last: date) -> tuple[str, str]:
    """The stored instants from the start of `first` to the end of `last` (UK days)."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=slots.UK)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=slots.UK)
    return slots.iso(start), slots.iso(end)
