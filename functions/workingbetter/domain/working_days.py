"""Working days: Monday to Friday, and not an England and Wales bank holiday. The one place that
says whether a day is one: sessions (first appointments and follow-ups), the diary's free slots,
the limits written in working days and the coach's chasers all ask here.

Bank holidays come from the `holidays` package (kept up to date by its maintainers from
GOV.UK's list, substitute days included: Boxing Day 2026 falls on a Saturday, so Monday 28
December is the holiday). Wales keeps England's list, so subdivision ENG serves both.

Days are calendar days in the UK. On a compressed service clock (WB_SECONDS_PER_DAY) the
service still counts in calendar dates (slots and due times are real dates, only mapped onto
the real clock sooner), so a bank holiday is the same fact there as in production.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays

# The library works out each year's holidays the first time a date in it is asked about.
_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


def is_bank_holiday(day: date) -> bool:
    return day in _BANK_HOLIDAYS


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def on_a_working_day(instant: datetime) -> datetime:
    """The same wall-clock time on the first working day from the instant's own day (itself
    if that is one). `instant` carries the zone its day is counted in (UK)."""
    moved = instant
    while not is_working_day(moved.date()):
        moved += timedelta(days=1)
    return moved


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days after `start` (same wall-clock time): weekends and bank holidays
    are not counted. `start` carries the zone its days are counted in (UK)."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if is_working_day(current.date()):
            added += 1
    return current
