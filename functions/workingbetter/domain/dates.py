"""Dates and times as the service writes them and reads them back: one style everywhere
(GOV.UK's: 7 December 2026, 10:30am, UK wall-clock time), and the times people type.

Every page, message and error that shows a date uses these; nothing else formats one.
Pure: values in, words out.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from workingbetter.domain import slots

# "10am", "10:30", "10.30 am", "9:30 PM", "14:00", "midday": what people write for a time.
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?:([ap])\.?m?\.?)?$")
NAMED_TIMES = {"midday": time(12, 0), "noon": time(12, 0), "midnight": time(0, 0)}


def instant(value: str | datetime) -> datetime:
    """A stored instant (…Z, or any ISO form with an offset) as UK wall-clock time."""
    moment = value if isinstance(value, datetime) else \
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(slots.UK)


def today() -> date:
    """Today in the UK."""
    return datetime.now(UTC).astimezone(slots.UK).date()


def _as_day(value: str | date | datetime) -> date:
    if isinstance(value, datetime):
        return instant(value).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if len(value) == 10 else instant(value).date()


def day(value: str | date | datetime) -> str:
    """A day (a date, YYYY-MM-DD, or an instant's UK day): 7 December 2026."""
    shown = _as_day(value)
    return f"{shown.day} {shown:%B %Y}"


def weekday_day(value: str | date | datetime) -> str:
    """Monday 7 December 2026."""
    shown = _as_day(value)
    return f"{shown:%A} {shown.day} {shown:%B %Y}"


def day_month(value: str | date | datetime) -> str:
    """7 December (a span's first day, where its last names the year)."""
    shown = _as_day(value)
    return f"{shown.day} {shown:%B}"


def clock(value: time | datetime) -> str:
    """10:30am, 2pm on the hour, midday, midnight."""
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def when(value: str | datetime, seconds: bool = False) -> str:
    """An instant: 7 December 2026 at 10:30am (with seconds, for an ops log: at 10:30:07)."""
    local = instant(value)
    at = f"{local:%H:%M:%S}" if seconds else clock(local)
    return f"{day(local)} at {at}"


def long_when(value: str | datetime) -> str:
    """A time people go to: Monday 7 December 2026 at 10:30am."""
    local = instant(value)
    return f"{weekday_day(local)} at {clock(local)}"


def parse_clock(text: str) -> time | None:
    """A time as people write it ("10am", "10:00", "10.00 am", "2:30pm", "14:30", "midday");
    None when it is not one. Without am or pm, a 24-hour clock."""
    typed = " ".join(text.lower().split())
    if typed in NAMED_TIMES:
        return NAMED_TIMES[typed]
    found = _CLOCK.match(typed.replace(" ", ""))
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    half = found.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif found.group(2) is None and hour < 7:
        return None  # "3" alone: morning or afternoon? Ask again.
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
