"""Appointment slots: a coach's weekly surgery sessions (`SurgerySession`), never on a bank
holiday. Each session offers appointments from its start, one after another at its length,
the last ending by its end.

Times are UK wall-clock (Europe/London, so they stay put across the clock change) and stored as
UTC instants ending in Z. Pure: the callers pass the sessions (those at the referral's
practice, usually) and the times already held.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workingbetter.domain import working_days
from workingbetter.domain.records.directory import SurgerySession, usual_day

UK = ZoneInfo("Europe/London")
MIN_NOTICE = timedelta(hours=24)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def clock(text: str) -> time:
    """A session's "HH:MM" as a time of day."""
    return time.fromisoformat(text)


def session_times(session: SurgerySession) -> tuple[time, ...]:
    """When its appointments start: from its start at its length, each ending by its end."""
    day = date(2000, 1, 3)  # any day: the arithmetic is on wall-clock times
    at, end = datetime.combine(day, clock(session.start)), datetime.combine(day, clock(session.end))
    step = timedelta(minutes=session.minutes)
    found = []
    while at + step <= end:
        found.append(at.time())
        at += step
    return tuple(found)


# The usual day's slot times (a coach from before sessions were set: see USUAL_DAY).
SESSION_SLOTS = tuple(t for s in usual_day(0) for t in session_times(s))


def session_days(weekdays: Iterable[int], start: date) -> Iterator[date]:
    """Every date from `start` on, on one of `weekdays` (0 = Monday), that is a working day:
    there is no session on a bank holiday (that week has none). Nothing for no weekdays."""
    wanted = set(weekdays)
    if not wanted:
        return
    day = start
    while True:
        if day.weekday() in wanted and working_days.is_working_day(day):
            yield day
        day += timedelta(days=1)


def times_on(sessions: Sequence[SurgerySession], day: date) -> list[tuple[time, SurgerySession]]:
    """The slot times the sessions give on `day` (its weekday's), in order."""
    return sorted(((t, s) for s in sessions if s.weekday == day.weekday()
                   for t in session_times(s)), key=lambda found: found[0])


def candidate_slots(sessions: Sequence[SurgerySession], after: datetime) -> Iterator[datetime]:
    """Slot start instants in the sessions, in order, strictly after `after`."""
    for day in session_days((s.weekday for s in sessions), after.astimezone(UK).date()):
        for slot, _ in times_on(sessions, day):
            start = datetime.combine(day, slot, tzinfo=UK).astimezone(UTC)
            if start > after:
                yield start


def session_of(sessions: Sequence[SurgerySession], start: datetime) -> SurgerySession | None:
    """The session a slot starting then belongs to (None: it is not one of their slots)."""
    local = start.astimezone(UK)
    if not working_days.is_working_day(local.date()):
        return None
    return next((s for t, s in times_on(sessions, local.date()) if t == local.time()), None)


def next_free_slot(sessions: Sequence[SurgerySession], now: datetime,
                   booked: Iterable[datetime], weeks_ahead: int = 12,
                   length: int = 1) -> datetime | None:
    """The first slot in `sessions` at least MIN_NOTICE away that nobody holds (with `length`
    2, a longer appointment: it and the next slot of the same session); None if the diary is
    full (or there are no sessions)."""
    taken = set(booked)
    horizon = now + timedelta(weeks=weeks_ahead)
    for start in candidate_slots(sessions, now + MIN_NOTICE):
        if start > horizon:
            return None
        run = following(sessions, start, length)
        if len(run) == length and taken.isdisjoint(run):
            return start
    return None


def following(sessions: Sequence[SurgerySession], start: datetime,
              length: int) -> tuple[datetime, ...]:
    """The `length` consecutive slots from `start` in its session, fewer if it ends first."""
    session = session_of(sessions, start)
    if session is None:
        return ()
    run = tuple(start + timedelta(minutes=session.minutes * n) for n in range(length))
    return tuple(itertools.takewhile(lambda t: session_of(sessions, t) == session, run))


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
