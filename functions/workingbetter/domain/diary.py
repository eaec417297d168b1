"""The coach's diary: weeks (Monday to Sunday, UK time) and when a follow-up may be booked.
Pure rules, no AWS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from workingbetter.domain import slots, working_days
from workingbetter.domain.records.directory import SurgerySession

# Phone and video follow-ups fit a working day; surgery ones a slot of the coach's session.
WORKING_DAY = (time(8, 0), time(18, 0))
BOOK_AHEAD = timedelta(weeks=26)
MODES = ("surgery", "phone", "video")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date) -> tuple[str, str]:
    """The week's first and next week's first instant, as stored (UTC, ...Z)."""
    start = datetime.combine(monday, time(0, 0), tzinfo=slots.UK)
    end = datetime.combine(monday + timedelta(days=7), time(0, 0), tzinfo=slots.UK)
    return slots.iso(start), slots.iso(end)


def as_uk(start: datetime) -> datetime:
    """A time typed without an offset is UK wall-clock time."""
    return start.replace(tzinfo=slots.UK) if start.tzinfo is None else start.astimezone(slots.UK)


def booking_problem(start: datetime, mode: str, sessions: Sequence[SurgerySession],
                    now: datetime) -> str | None:
    """Why a follow-up cannot start then (None: it can)."""
    local = as_uk(start)
    if local <= now:
        return "The appointment must be in the future"
    if local - now > BOOK_AHEAD:
        return "Book at most 26 weeks ahead"
    if working_days.is_bank_holiday(local.date()):
        return "That day is a bank holiday: choose another day"
    if mode == "surgery":
        if slots.session_of(sessions, local) is None:
            return f"Choose a time in your surgery session: {session_words(sessions)}"
        return None
    if not working_days.is_working_day(local.date()) or \
            not WORKING_DAY[0] <= local.time() <= WORKING_DAY[1]:
        return "Choose a weekday between 08:00 and 18:00"
    return None


def session_words(sessions: Sequence[SurgerySession]) -> str:
    """Their slot times by weekday: "Monday at 09:30, 10:30; Thursday at 14:00"."""
    days = sorted({s.weekday for s in sessions})
    return "; ".join(
        f"{slots.WEEKDAYS[d].capitalize()} at "
        + ", ".join(f"{t:%H:%M}" for t in sorted({t for s in sessions if s.weekday == d
                                                  for t in slots.session_times(s)}))
        for d in days) or "you have no surgery sessions"


def follow_up_id(start_iso: str) -> str:
    """A follow-up's id in a URL: its start, 2026-12-01T10:30:00Z as 20261201T103000Z."""
    return start_iso.replace("-", "").replace(":", "")


def start_of(follow_up: str) -> str | None:
    """The start a follow-up id stands for; None if it is not one."""
    try:
        instant = datetime.strptime(follow_up, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return slots.iso(instant)


def free_session_slots(sessions: Sequence[SurgerySession], now: datetime, held: set[str],
                       monday: date, until: date) -> list[datetime]:
    """The session's slots from `monday` up to (not including) `until` that a surgery follow-up
    could be booked in now: nobody holds them and `booking_problem` has nothing against them
    (the one rule booking checks). UK wall-clock instants."""
    after = max(now, datetime.combine(monday, time(0, 0), tzinfo=slots.UK))
    free = []
    for start in slots.candidate_slots(sessions, after):
        local = start.astimezone(slots.UK)
        if local.date() >= until:
            break
        if slots.iso(start) not in held and \
                booking_problem(local, "surgery", sessions, now) is None:
            free.append(local)
    return free


def opening_week(this_monday: date, has_entries: bool, sessions: Sequence[SurgerySession],
                 now: datetime) -> date:
    """The week the diary opens on: this one while it has appointments, else the week of the
    coach's next session (this week's is over, or the diary is empty till then)."""
    if has_entries:
        return this_monday
    for day in slots.session_days((s.weekday for s in sessions),
                                  now.astimezone(slots.UK).date()):
        times = slots.times_on(sessions, day)
        if times and datetime.combine(day, times[-1][0], tzinfo=slots.UK) > now:
            return monday_of(day)
    return this_monday  # no sessions: this week
