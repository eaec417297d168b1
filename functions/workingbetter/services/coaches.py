"""The service manager runs the coaches: adds one (their id checked and not taken), edits
their name and the days a week they work (which scale their caseload cap), and adds and
removes their weekly surgery sessions, which booking uses from then on. A change made
meanwhile is never overwritten; a session with appointments still booked in it, or a
practice's last session while the coach has clients there, cannot be removed.

Managers only (`Role.MANAGER`). Every change is audited as practices' are: the entry first,
taken back if the change fails; it holds the coach, the change, the manager and the time.
A session's practice keeps its list of the coaches who sit there in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from workingbetter.adapters.dynamo import ConditionFailed
from workingbetter.adapters.store import Store
from workingbetter.domain import slots
from workingbetter.domain.absence import CoverAuditEntry
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.coaches import (
    CoachAuditEntry,
    CoachChange,
    in_order,
    overlaps,
    practice_sessions,
    session_words,
)
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from workingbetter.domain.parsing import parse
from workingbetter.domain.records.directory import (
    FULL_TIME_DAYS,
    Coach,
    Practice,
    PracticeStatus,
    SurgerySession,
)
from workingbetter.domain.referral import LIVE
from workingbetter.domain.text import Name

if TYPE_CHECKING:
    from workingbetter.adapters.absences import CoverAudit
    from workingbetter.adapters.people_audit import CoachAudit
    from workingbetter.services.lifecycle import Lifecycle
    from workingbetter.settings import Settings  # pydantic-settings: only when read

TAKEN = "A coach with this id is already in Working Better"
CHANGED_MEANWHILE = ("Someone changed this coach after you opened the form: reload the page "
                     "to see their change, then make yours again")
ENTER_ID = ("Enter the coach's id as their account has it (custom:coach_id): up to 64 "
            "letters, digits, hyphens or underscores")
ENTER_DAYS = "Enter the days a week the coach works for the service, from 1 to 5"
ENTER_WEEKDAY = "Choose the day of the session, Monday to Friday"
ENTER_TIME = "Enter a time like 9:30am or 16:30"
ENTER_START = "Enter the start time, like 9:30am or 09:30"
ENTER_END = "Enter the end time, like 4:30pm or 16:30"
ENTER_MINUTES = "Enter the appointment length in minutes, from 15 to 120"
END_AFTER_START = "end: The end must be after the start"
NONE_FIT = "minutes: No appointment of that length fits between the start and the end"
NO_PRACTICE = "Choose a practice that takes part"
SESSION_REFUSED = "The session has errors: nothing was saved"
HAS_LEFT = "This coach has left the service: they get no new sessions"
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def coach_id_checked(value: str) -> str:
    """As the coach's account has it (Cognito's custom:coach_id): it keys their caseload."""
    if not (value[:1].isalnum() and all(c.isalnum() or c in "-_" for c in value)
            and value.isascii() and len(value) <= 64):
        raise ValueError(ENTER_ID)
    return value


def weekday_checked(value: int) -> int:
    if not 0 <= value < len(slots.WEEKDAYS):
        raise ValueError(ENTER_WEEKDAY)
    return value


def clock_checked(value: str) -> str:
    """"9:30am", "9.30", "16:30" or "4pm" as "HH:MM" (UK wall-clock)."""
    found = _CLOCK.match(value.strip())
    hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (99, 0)
    half = (found.group(3) or "").lower() if found else ""
    if half:
        hour = -1 if not 1 <= hour <= 12 else hour % 12 + (12 if half == "pm" else 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(ENTER_TIME)
    return f"{hour:02d}:{minute:02d}"


CoachId = Annotated[str, AfterValidator(coach_id_checked)]
Weekday = Annotated[int, AfterValidator(weekday_checked)]
Clock = Annotated[str, AfterValidator(clock_checked)]
DaysAWeek = Annotated[int, Field(ge=1, le=FULL_TIME_DAYS)]


class CoachDetails(BaseModel):
    """What a manager types about a coach (their id only when adding them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    field_messages: ClassVar[dict[str, str]] = {"coach_id": ENTER_ID,
                                                "days_a_week": ENTER_DAYS}

    name: Name
    days_a_week: DaysAWeek


class NewCoach(CoachDetails):
    coach_id: CoachId


class NewSession(BaseModel):
    """A weekly surgery session: where, which day, from when to when, appointments how long."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    field_messages: ClassVar[dict[str, str]] = {
        "practice_ods": NO_PRACTICE, "weekday": ENTER_WEEKDAY, "start": ENTER_START,
        "end": ENTER_END, "minutes": ENTER_MINUTES}

    practice_ods: str
    weekday: Weekday
    start: Clock
    end: Clock
    minutes: Annotated[int, Field(ge=15, le=120)] = 60

    @model_validator(mode="after")
    def _fits(self) -> Self:
        start, end = slots.clock(self.start), slots.clock(self.end)
        if end <= start:
            raise ValueError(END_AFTER_START)
        if not slots.session_times(self.session()):
            raise ValueError(NONE_FIT)
        return self

    def session(self) -> SurgerySession:
        return SurgerySession(self.practice_ods, self.weekday, self.start, self.end,
                              self.minutes)


@dataclass(frozen=True)
class CoachPage:
    coach: Coach
    read: str  # what the page read (`fingerprint`): a change is made only over this
    cap: int
    sessions: list[tuple[str, str]]  # (its key, in words), in weekday order
    # Everything managers did to the coach, newest first: their details and sessions (the
    # coaches' audit) and their absences, moves and leaving (the cover audit), in one list.
    audit: list[CoachAuditEntry | CoverAuditEntry]

    @property
    def over_cap(self) -> bool:
        return self.coach.active > self.cap


def fingerprint(coach: Coach) -> str:
    """What a manager sets of the coach (not their caseload count, which allocation moves),
    in a few characters a form carries back."""
    sessions = None if coach.sessions is None else [asdict(s) for s in coach.sessions]
    held = json.dumps([coach.name, coach.days_a_week, coach.practice_ods, coach.weekday,
                       sessions], sort_keys=True)
    return hashlib.sha256(held.encode()).hexdigest()[:16]


def session_key(session: SurgerySession) -> str:
    """A session's name in a form: "F83002-1-0930"."""
    return f"{session.practice_ods}-{session.weekday}-{session.start.replace(':', '')}"


class Coaches:
    def __init__(self, store: Store, audit: CoachAudit, cover_audit: CoverAudit,
                 lifecycle: Lifecycle, settings: Settings,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.audit = audit
        self.cover_audit = cover_audit
        self.lifecycle = lifecycle
        self.settings = settings
        self.full_time = settings.caseload_cap  # the cap of a coach working 5 days a week
        self.clock = clock

    def everyone(self, manager: Principal) -> list[Coach]:
        """Every coach: those added here, and those a seed file put at its practices."""
        manager.require(Role.MANAGER)
        ids = [*self.store.directory.coach_ids(), *(c for p in self.store.directory.practices()
                                           for c in p.coach_ids)]
        return sorted(self.store.directory.coaches(ids),
                      key=lambda c: (c.name.casefold(), c.coach_id))

    def practice_names(self) -> dict[str, str]:
        return {p.practice_ods: p.name for p in self.store.directory.practices()}

    def taking_part(self) -> list[Practice]:
        """The practices a session may be at (not one that has left the pilot)."""
        return sorted((p for p in self.store.directory.practices()
                       if p.status is not PracticeStatus.LEFT),
                      key=lambda p: p.name.casefold())

    def page(self, manager: Principal, coach_id: str) -> CoachPage:
        manager.require(Role.MANAGER)
        coach = self._found(coach_id)
        names = self.practice_names()
        sessions = [(session_key(s), session_words(s, names.get(s.practice_ods, s.practice_ods)))
                    for s in in_order(coach.surgery_sessions)]
        audit: list[CoachAuditEntry | CoverAuditEntry] = [
            *self.audit.entries(coach_id), *self.cover_audit.entries(coach_id)]
        return CoachPage(coach, fingerprint(coach), coach.cap(self.full_time), sessions,
                         sorted(audit, key=lambda e: e.at, reverse=True))

    def add(self, manager: Principal, body: Any) -> Coach:
        manager.require(Role.MANAGER)
        typed = parse(NewCoach, body, "The coach has errors: nothing was saved")
        if self.store.directory.coach(typed.coach_id) is not None:
            raise Conflict(TAKEN, [FieldError("coach_id", TAKEN)])
        added = Coach(typed.coach_id, "", 0, name=typed.name, sessions=(),
                      days_a_week=typed.days_a_week)
        self._changed(manager, added, None, CoachChange.ADDED, lost=TAKEN)
        return added

    def edit(self, manager: Principal, coach_id: str, body: Any, read: str) -> Coach:
        """Their name and days a week (a cap lowered below the places taken stands: no new
        allocations until they are under it)."""
        manager.require(Role.MANAGER)
        typed = parse(CoachDetails, body, "The coach has errors: nothing was saved")
        was = self._as_read(coach_id, read)
        new = replace(was, name=typed.name, days_a_week=typed.days_a_week)
        self._changed(manager, new, was, CoachChange.EDITED)
        self._places_to_waiters(new)
        return new

    def add_session(self, manager: Principal, coach_id: str, body: Any, read: str) -> None:
        manager.require(Role.MANAGER)
        chosen = body.get("practice_ods") if isinstance(body, dict) else None
        practice = self.store.directory.practice(chosen) \
            if isinstance(chosen, str) and chosen else None
        wrong = [] if practice and practice.status is not PracticeStatus.LEFT else \
            [FieldError("practice_ods", NO_PRACTICE)]
        try:  # every mistake in one round: the practice's with the rest
            typed = parse(NewSession, body, SESSION_REFUSED)
        except InvalidInput as error:
            raise InvalidInput(SESSION_REFUSED, [*wrong, *error.errors]) from None
        if wrong:
            raise InvalidInput(SESSION_REFUSED, wrong)
        was = self._as_read(coach_id, read)
        if was.left:
            raise Conflict(HAS_LEFT)
        new = typed.session()
        clash = overlaps(new, was.surgery_sessions)
        if clash is not None:
            words = session_words(clash, self.practice_names().get(clash.practice_ods, ""))
            raise InvalidInput(SESSION_REFUSED, [FieldError(
                "start", f"This overlaps the coach's session on {words}: choose other times")])
        self._with_sessions(manager, was, (*was.surgery_sessions, new),
                            CoachChange.SESSION_ADDED)
        self._places_to_waiters(self._found(coach_id))

    def _places_to_waiters(self, coach: Coach) -> None:
        """New places (a session at a practice, more days) go at once to the referrals
        waiting at the coach's practices, longest waiting first: a free place is never idle
        while someone waits (the daily reconcile would, a day later)."""
        for practice_ods in coach.practices:
            self.lifecycle.fill_free_places(practice_ods)

    def remove_session(self, manager: Principal, coach_id: str, key: str, read: str) -> None:
        manager.require(Role.MANAGER)
        was = self._as_read(coach_id, read)
        gone = next((s for s in was.surgery_sessions if session_key(s) == key), None)
        if gone is None:
            raise NotFound("The coach has no such session")
        problem = self._still_needed(was, gone)
        if problem:
            raise Conflict(problem)
        self._with_sessions(manager, was, tuple(s for s in was.surgery_sessions if s != gone),
                            CoachChange.SESSION_REMOVED)

    def _still_needed(self, coach: Coach, gone: SurgerySession) -> str | None:
        """Why the session cannot go (None: it can): nothing booked in it is stranded."""
        now = datetime.now(UTC)
        booked = [s for s in self.store.diary.booked_slots(coach.coach_id, slots.iso(now))
                  if slots.session_of((gone,), slots.parse_iso(s)) is not None]
        if booked:
            many = f"{len(booked)} appointments are" if len(booked) > 1 else \
                "1 appointment is"
            return (f"{many} booked in this session from now on: it can be removed once "
                    "they have happened or moved")
        if any(s.practice_ods == gone.practice_ods for s in coach.surgery_sessions if s != gone):
            return None
        clients = sum(1 for r in self.store.lists.for_coach(coach.coach_id)
                      if r.status in LIVE and r.practice_ods == gone.practice_ods)
        if clients:
            return (f"This is the coach's last session at the practice, and {clients} of their "
                    "clients there would have nowhere to be seen: move them to another coach "
                    "first")
        return None

    def _with_sessions(self, manager: Principal, was: Coach,
                       sessions: tuple[SurgerySession, ...], change: CoachChange) -> None:
        ordered = in_order(sessions)
        first = ordered[0] if ordered else None
        new = replace(was, sessions=ordered, practice_ods=first.practice_ods if first else "",
                      weekday=first.weekday if first else 0)
        self._changed(manager, new, was, change)

    def _found(self, coach_id: str) -> Coach:
        found = self.store.directory.coach(coach_id)
        if found is None:
            raise NotFound("No coach with this id works for Working Better")
        return found

    def _as_read(self, coach_id: str, read: str) -> Coach:
        was = self._found(coach_id)
        if fingerprint(was) != read:
            raise Conflict(CHANGED_MEANWHILE)
        return was

    def _practices_changed(self, new: Coach,
                           was: Coach | None) -> list[tuple[Practice, Practice]]:
        """Each practice whose list of coaches' sessions the change alters: (read, becomes)."""
        touched = {s.practice_ods for s in new.surgery_sessions} | \
            {s.practice_ods for s in (was.surgery_sessions if was else ())}
        found = []
        for ods in sorted(touched):
            practice = self.store.directory.practice(ods)
            if practice is None:
                continue
            becomes = practice_sessions(ods, practice.sessions, [new])
            if becomes != practice.sessions:
                found.append((practice, replace(practice, sessions=becomes)))
        return found

    def _changed(self, manager: Principal, new: Coach, was: Coach | None, change: CoachChange,
                 lost: str = CHANGED_MEANWHILE) -> None:
        """The entry first, then the writes, conditional on what was read; the entry taken
        back if they lose (`lost` says why) or fail."""
        at = datetime.fromtimestamp(self.clock(), UTC)
        sort_key = self.audit.record(new.coach_id, at, str(change), manager.subject)
        try:
            self.store.directory.put_coach(new, was, self._practices_changed(new, was))
        except ConditionFailed:
            self.audit.take_back(new.coach_id, sort_key)
            field = [FieldError("coach_id", lost)] if was is None else []
            raise Conflict(lost, field) from None
        except Exception:
            self.audit.take_back(new.coach_id, sort_key)
            raise


