"""First-appointment slots: a coach sits in a surgery one day a week, except on bank holidays.

Times are UK wall-clock (Europe/London, so they stay put across the clock change) and stored as
UTC instants ending in Z.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workingbetter.domain import working_days

UK = ZoneInfo("Europe/London")
# One-hour appointments in a surgery day, lunch left free.
SESSION_SLOTS = (time(9, 30), time(10, 30), time(11, 30), time(13, 30), time(14, 30), time(15, 30))
MIN_NOTICE = timedelta(hours=24)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def session_days(weekday: int, start: date) -> Iterator[date]:
    """Every date on `weekday` (0 = Monday) from `start` on that is a working day: there is no
    session on a bank holiday (that week has none)."""
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    while True:
        if working_days.is_working_day(day):
            yield day
        day += timedelta(days=7)


def candidate_slots(weekday: int, after: datetime) -> Iterator[datetime]:
    """Slot start instants in the coach's weekly session, in order, strictly after `after`."""
    for day in session_days(weekday, after.astimezone(UK).date()):
        for slot in SESSION_SLOTS:
            start = datetime.combine(day, slot, tzinfo=UK).astimezone(UTC)
            if start > after:
                yield start


def next_free_slot(
    weekday: int, now: datetime, booked: Iterable[datetime], weeks_ahead: int = 12
) -> datetime | None:
    """The first slot at least MIN_NOTICE away that nobody holds; None if the diary is full."""
    taken = set(booked)
    horizon = now + timedelta(weeks=weeks_ahead)
    for start in candidate_slots(weekday, now + MIN_NOTICE):
        if start > horizon:
            return None
        if start not in taken:
            return start
    return None  # pragma: no cover - candidate_slots never ends


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
