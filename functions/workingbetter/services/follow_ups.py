"""Follow-up appointments and the coach's diary.

After the first appointment the run waits in support (or in work) for its next review; the
sessions in between need no workflow. They live beside the referral: a row in the coach's diary
(`FOLLOWUP#<coach>`, ids, enums and times only) that also holds the time in the coach's slots,
so nobody is booked twice. Each has a reminder for the patient and, once it is over, an outcome;
a missed one becomes a message and an outreach task for the coach.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from workingbetter.adapters.dynamo import ConditionFailed, Event, Item, now_iso
from workingbetter.adapters.store import Store
from workingbetter.domain import days, diary, slots
from workingbetter.domain.absence import away
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.coaches import in_order
from workingbetter.domain.communication_needs import needs_interpreter
from workingbetter.domain.errors import BadRequest, Conflict, FieldError, InvalidInput, NotFound
from workingbetter.domain.records.diary import FollowUp
from workingbetter.domain.records.directory import SurgerySession
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import Status
from workingbetter.services import diary_slots
from workingbetter.services.case_record import in_caseload
from workingbetter.services.steps import parse_body

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.settings import Settings  # pydantic-settings: only when read

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
# Follow-ups come after the first appointment was attended.
BOOKABLE = frozenset({Status.IN_SUPPORT, Status.IN_WORK})


class FollowUpBooking(BaseModel):
    model_config = _STRICT
    start: datetime  # without an offset: UK time
    mode: Literal["surgery", "phone", "video"]


class FollowUpOutcome(BaseModel):
    model_config = _STRICT
    outcome: Literal["attended", "did_not_attend", "cancelled"]


@dataclass(frozen=True)
class Entry:
    """One appointment in the diary."""

    start: str
    referral_id: str
    first: bool  # the first appointment (booked by the run), or a follow-up
    mode: str
    outcome: str | None
    follow_up_id: str | None
    # A first appointment's interpreter: "to_arrange" (its confirmation held) or "arranged";
    # None when the patient needs none (the diary's page only: not in the API's answer).
    interpreter: str | None = None
    also: str | None = None  # a longer appointment's second slot (the diary's page only)

    def as_item(self) -> Item:
        return {"start": self.start, "referral_id": self.referral_id,
                "kind": "first" if self.first else "follow_up", "mode": self.mode,
                "outcome": self.outcome, "follow_up_id": self.follow_up_id}


@dataclass(frozen=True)
class Week:
    monday: date
    entries: list[Entry]
    practice_ods: str | None
    sessions: tuple[SurgerySession, ...] | None = None  # the coach's (None: no coach record)
    free: tuple[datetime, ...] = ()  # the session's slots a follow-up could take, UK time

    def days(self) -> list[Day]:
        """Monday to Friday, and a weekend day only when something is booked on it."""
        found = []
        for offset in range(7):
            on = self.monday + timedelta(days=offset)
            entries = [e for e in self.entries
                       if slots.parse_iso(e.start).astimezone(slots.UK).date() == on]
            if offset < 5 or entries:
                sessions = in_order(s for s in self.sessions or () if s.weekday == on.weekday())
                found.append(Day(on, sessions, entries, [f for f in self.free if f.date() == on]))
        return found


@dataclass(frozen=True)
class Day:
    on: date
    sessions: tuple[SurgerySession, ...]  # the coach's on its weekday, in order
    entries: list[Entry]
    free: list[datetime]


AWAY = "You are away that day (an absence is recorded): choose another day"
SLOTS_OFFERED = timedelta(weeks=4)  # how far ahead the booking form lists the session's slots


class FollowUps:
    def __init__(self, store: Store, settings: Settings, notices: Notices) -> None:
        self.store = store
        self.settings = settings
        self.notices = notices

    def _mine(self, principal: Principal, referral_id: str) -> Referral:
        return in_caseload(self.store, principal, referral_id)

    def book(self, principal: Principal, referral_id: str, body: object) -> Item:
        item = self._mine(principal, referral_id)
        booking = parse_body(FollowUpBooking, body)
        if item.status not in BOOKABLE:
            raise Conflict("Book follow-up appointments once the first appointment has been "
                           f"attended, while support goes on (this referral is {item.status})")
        coach = self.store.directory.coach(str(item.coach_id))
        assert coach is not None, "a referral's coach exists"
        now = datetime.now(UTC)
        problem = diary.booking_problem(booking.start, booking.mode,
                                        coach.sessions_at(item.practice_ods), now) or (
            AWAY if away(diary_slots.absences(self.store, coach.coach_id),
                         diary.as_uk(booking.start).astimezone(slots.UK).date()) else None)
        if problem:
            raise InvalidInput("The appointment cannot be booked then: nothing was booked",
                               [FieldError("start", problem)])
        start_iso = slots.iso(diary.as_uk(booking.start))
        follow_up_id = diary.follow_up_id(start_iso)
        answer = {"referral_id": referral_id, "follow_up_id": follow_up_id,
                  "start": start_iso, "mode": booking.mode}
        booked = self.store.diary.follow_up(str(item.coach_id), start_iso, referral_id)
        if booked is not None:
            if booked.mode == booking.mode and not booked.outcome:
                return answer  # a repeat of this booking
            raise Conflict("This patient already had an appointment at that time")
        if not self.store.diary.hold_slot(str(item.coach_id), start_iso, referral_id):
            raise Conflict("You already have an appointment at that time: choose another")
        due_at = slots.iso(self.settings.on_real_clock(slots.parse_iso(start_iso), now))
        self.store.diary.book_follow_up(FollowUp(
            str(item.coach_id), start_iso, referral_id, booking.mode, due_at=due_at,
            booked_at=now_iso(), booked_by=principal.actor))
        self.notices.follow_up_booked(item, start_iso, follow_up_id)
        return answer

    def record_outcome(self, principal: Principal, referral_id: str, follow_up_id: str,
                       body: object) -> Item:
        item = self._mine(principal, referral_id)
        start_iso = diary.start_of(follow_up_id)
        coach_id = str(item.coach_id)
        booked = self.store.diary.follow_up(coach_id, start_iso, referral_id) if start_iso else None
        if start_iso is None or booked is None:
            raise NotFound("No follow-up appointment with that id for this referral")
        outcome = parse_body(FollowUpOutcome, body).outcome
        if item.status.terminal:
            raise Conflict(f"This referral has ended ({item.status}): nothing more can be "
                           "recorded")
        if outcome != "cancelled" and datetime.now(UTC) < slots.parse_iso(str(booked.due_at)):
            raise Conflict("The appointment has not happened yet: record whether the patient "
                           "came once it has started (a cancellation can be recorded now)")
        if not self.store.diary.follow_up_outcome(coach_id, start_iso, referral_id, outcome,
                                            principal.actor):
            raise Conflict(f"This appointment's outcome was already recorded "
                           f"({booked.outcome or 'just now'})")
        if outcome == "cancelled":
            self.store.diary.free_slot(coach_id, start_iso, referral_id)
        self.notices.follow_up_over(item, follow_up_id, outcome)
        with contextlib.suppress(ConditionFailed):  # ended a moment ago: the diary keeps it
            self.store.referrals.add_fact(referral_id, Event(
                f"follow_up_{outcome}", principal.actor,
                                                   {"mode": booked.mode}))
        return {"referral_id": referral_id, "follow_up_id": follow_up_id, "outcome": outcome}

    def for_referral(self, item: Referral) -> list[Entry]:
        """The referral's follow-ups, oldest first (from when it was made)."""
        rows = self.store.diary.follow_ups(str(item.coach_id), item.created_at[:19],
                                     "9999")
        return [_follow_up(r) for r in rows if r.referral_id == item.referral_id]

    def week(self, principal: Principal, monday: date) -> Week:
        """Every appointment in the coach's week: first appointments held in their slots and
        follow-ups, in time order."""
        principal.require(Role.COACH)
        coach_id = str(principal.coach_id)
        coach = self.store.directory.coach(coach_id)
        start, end = diary.week_bounds(monday)
        entries, held = self.between(coach_id, start, end)
        if coach is None:
            return Week(monday, entries, None)
        free = self._not_away(coach.coach_id, diary.free_session_slots(
            coach.surgery_sessions, datetime.now(UTC), held, monday, monday + timedelta(days=7)))
        return Week(monday, entries, coach.practice_ods, coach.surgery_sessions, tuple(free))

    def patients_of(self, principal: Principal, week: Week) -> dict[str, PersonalData]:
        """The week's patients' details, in one audited read naming them all."""
        ids = list(dict.fromkeys(e.referral_id for e in week.entries))
        if not ids or not week.practice_ods:
            return {}
        return self.store.patients.for_page(ids, week.practice_ods, principal.actor,
                                            "GET /coach/diary")

    def patient_to_book(self, principal: Principal,
                        referral_id: str) -> tuple[Referral, PersonalData | None]:
        """The referral a follow-up is being booked for, and its patient's details (an audited
        read); 404 outside the coach's caseload."""
        item = self._mine(principal, referral_id)
        personal = self.store.patients.for_page([referral_id], item.practice_ods,
                                                principal.actor,
                                                "GET /coach/diary/book/{referral_id}")
        return item, personal.get(referral_id)

    def between(self, coach_id: str, start: str, end: str) -> tuple[list[Entry], set[str]]:
        """The coach's appointments from `start` to `end` (stored instants) in time order,
        and the slot times held."""
        follow_ups = {r.start: r for r in self.store.diary.follow_ups(coach_id, start, end)}
        entries = [_follow_up(r) for r in follow_ups.values()]
        held = self.store.diary.slots_between(coach_id, start, end)
        for slot in held:
            if slot.start not in follow_ups:
                first = self._first(slot.start, slot.referral_id)
                if first is not None:
                    entries.append(first)
        entries.sort(key=lambda e: e.start)
        return entries, {s.start for s in held}

    def opening_week(self, principal: Principal, asked: str | None) -> Week:
        """The week asked for; without one, this week while it has appointments, else the
        week of the coach's next session."""
        if asked:
            return self.week(principal, parse_week(asked))
        now = datetime.now(UTC)
        this = self.week(principal, diary.monday_of(now.astimezone(slots.UK).date()))
        if this.sessions is None:
            return this
        monday = diary.opening_week(this.monday, bool(this.entries), this.sessions, now)
        return this if monday == this.monday else self.week(principal, monday)

    def free_slots(self, principal: Principal, referral_id: str) -> list[datetime]:
        """The session's slots a surgery follow-up for this referral could take, for the next
        few weeks: the diary's own calculation (`diary.free_session_slots`)."""
        item = self._mine(principal, referral_id)
        coach = self.store.directory.coach(str(item.coach_id))
        assert coach is not None, "a referral's coach exists"
        now = datetime.now(UTC)
        today = now.astimezone(slots.UK).date()
        start, end = diary.week_bounds(today)[0], slots.iso(now + SLOTS_OFFERED + timedelta(days=1))
        held = {s.start for s in self.store.diary.slots_between(coach.coach_id, start, end)}
        return self._not_away(coach.coach_id, diary.free_session_slots(
            coach.sessions_at(item.practice_ods), now, held, today,
            (now + SLOTS_OFFERED).astimezone(slots.UK).date()))

    def _not_away(self, coach_id: str, free: list[datetime]) -> list[datetime]:
        """The free slots left once the days the coach is away are taken out."""
        absent = diary_slots.absences(self.store, coach_id)
        return [f for f in free if not away(absent, f.date())]

    def _first(self, start_iso: str, referral_id: str) -> Entry | None:
        """A first appointment held in this slot; None for the second slot of a longer one
        (the diary shows one long appointment, from its first slot)."""
        item = self.store.referrals.get(referral_id)
        appointment = item.appointment if item else None
        if appointment and appointment.also == start_iso:
            return None
        this = appointment if appointment and appointment.start == start_iso else None
        outcome = this.outcome if this else None
        interpreter = None
        if this and item and not outcome and needs_interpreter(item.need_kinds):
            interpreter = "arranged" if item.interpreter_arranged == start_iso else "to_arrange"
        return Entry(start_iso, referral_id, True, "surgery", outcome, None, interpreter,
                     this.also if this else None)


def _follow_up(row: FollowUp) -> Entry:
    return Entry(row.start, row.referral_id, False, row.mode, row.outcome,
                 diary.follow_up_id(row.start))


def parse_week(text: str | None) -> date:
    """`?week=YYYY-MM-DD` (any day of it), or this week."""
    if not text:
        return diary.monday_of(datetime.now(UTC).astimezone(slots.UK).date())
    try:
        return diary.monday_of(days.typed_day(text))
    except ValueError as error:
        raise BadRequest(f"Give the week as a day in it: {error}",
                         [FieldError("week", str(error))]) from error
