"""One date style, and the times people type: pure rules, UK time."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from workingbetter.domain import dates


def test_dates_read_as_govuk_writes_them_in_uk_time() -> None:
    assert dates.day("2026-12-07") == "7 December 2026"
    assert dates.day(date(2026, 12, 7)) == "7 December 2026"
    assert dates.day("2026-06-30T23:30:00Z") == "1 July 2026"  # summer: already the 1st
    assert dates.when("2026-12-14T10:00:00Z") == "14 December 2026 at 10am"
    assert dates.long_when("2026-12-14T10:30:00Z") == "Monday 14 December 2026 at 10:30am"
    assert dates.when("2026-12-14T12:00:00Z") == "14 December 2026 at midday"
    assert dates.when("2026-12-14T14:05:09Z", seconds=True) == "14 December 2026 at 14:05:09"


@pytest.mark.parametrize(("typed", "meant"), [
    ("10am", time(10, 0)), ("10:00", time(10, 0)), ("10.00 am", time(10, 0)),
    ("10:30AM", time(10, 30)), ("2pm", time(14, 0)), ("2:30 p.m.", time(14, 30)),
    ("14:30", time(14, 30)), ("12pm", time(12, 0)), ("12am", time(0, 0)),
    ("midday", time(12, 0)), (" 9.30 ", time(9, 30)), ("9", time(9, 0)),
])
def test_a_time_is_read_as_people_write_it(typed: str, meant: time) -> None:
    assert dates.parse_clock(typed) == meant


@pytest.mark.parametrize("typed", ["", "ten", "25:00", "10:75", "13pm", "3", "10:3", "1O:00"])
def test_what_is_not_a_time_is_not_guessed(typed: str) -> None:
    assert dates.parse_clock(typed) is None


def test_an_instant_is_shown_in_uk_wall_clock_time() -> None:
    assert dates.clock(dates.instant(datetime.fromisoformat("2026-07-01T08:30:00+00:00"))) \
        == "9:30am"
