"""When a follow-up may be booked, and the diary's weeks: pure rules, UK time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workingbetter.domain import diary

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday
WEDNESDAY = 2


@pytest.mark.parametrize(("start", "mode", "problem"), [
    (datetime(2026, 11, 25, 9, 30), "surgery", None),
    (datetime(2026, 11, 25, 9, 45), "surgery", "surgery session"),
    (datetime(2026, 11, 26, 9, 30), "surgery", "surgery session"),
    (datetime(2026, 11, 26, 17, 15), "phone", None),
    (datetime(2026, 11, 26, 7, 30), "video", "weekday between 08:00 and 18:00"),
    (datetime(2026, 11, 28, 10, 0), "phone", "weekday between 08:00 and 18:00"),
    (datetime(2026, 11, 20, 10, 0), "phone", "in the future"),
    (datetime(2027, 11, 24, 10, 0), "phone", "26 weeks ahead"),
])
def test_a_follow_up_fits_the_session_or_a_working_day(start: datetime, mode: str,
                                                       problem: str | None) -> None:
    found = diary.booking_problem(start, mode, WEDNESDAY, NOW)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_a_time_without_an_offset_is_uk_time_across_the_clock_change() -> None:
    summer = diary.as_uk(datetime(2026, 7, 1, 10, 0))
    assert summer.astimezone(UTC).hour == 9
    assert diary.as_uk(datetime(2026, 12, 1, 10, 0)).astimezone(UTC).hour == 10


def test_weeks_run_monday_to_monday_in_uk_time() -> None:
    assert diary.monday_of(date(2026, 11, 29)) == date(2026, 11, 23)
    assert diary.week_bounds(date(2026, 6, 1)) == ("2026-05-31T23:00:00Z",
                                                   "2026-06-07T23:00:00Z")


def test_a_follow_up_id_is_its_start_and_nothing_else_is() -> None:
    assert diary.follow_up_id("2026-12-01T10:30:00Z") == "20261201T103000Z"
    assert diary.start_of("20261201T103000Z") == "2026-12-01T10:30:00Z"
    assert diary.start_of("not-an-id") is None
