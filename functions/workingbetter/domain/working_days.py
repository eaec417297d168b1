"""Working days: Monday to Friday, and not an England and Wales bank holiday. The one place that
says whether a day is one: sessions (first appointments and follow-ups), the diary's free slots,
the limits written in working days and the coach's chasers all ask here.

Bank holidays come from the `holidays` package (kept up to date by its maintainers with
GOV.UK's list, substitute days included: Boxing Day 2026 falls on a Saturday, so Monday 28
December is the holiday), through the table `bank_holidays.py` written from it: importing the
package in a function would cost about a second of every cold start (docs/working-days.md).

Days are calendar days in the UK. On a compressed service clock (WB_SECONDS_PER_DAY) the
service still counts in calendar dates (slots and due times are real dates, only mapped onto
the real clock sooner), so a bank holiday is the same fact there as in production.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from workingbetter.domain.bank_holidays import ENGLAND_AND_WALES


def is_bank_holiday(day: date) -> bool:
    """An England and Wales bank holiday (in the table's years: a test keeps them ten years
    ahead of today)."""
    return day in ENGLAND_AND_WALES


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


def working_days_before(start: datetime, days: int) -> datetime:
    """`days` working days before `start` (same wall-clock time), as `add_working_days`."""
    current, taken = start, 0
    while taken < days:
        current -= timedelta(days=1)
        if is_working_day(current.date()):
            taken += 1
    return current
