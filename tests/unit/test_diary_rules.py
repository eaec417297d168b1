"""When a follow-up may be booked, and the diary's weeks: pure rules, UK time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workingbetter.domain import diary
from workingbetter.domain.records.directory import usual_day

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
    found = diary.booking_problem(start, mode, usual_day(WEDNESDAY), NOW)
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


def test_an_empty_diary_opens_on_the_week_of_the_next_session() -> None:
    this_monday = date(2026, 11, 23)
    # Wednesday's session is still to come on Monday: this week.
    assert diary.opening_week(this_monday, False, usual_day(WEDNESDAY), NOW) == this_monday
    # Monday's session was over by noon's last slot? Not yet (15:30): this week.
    assert diary.opening_week(this_monday, False, usual_day(0), NOW) == this_monday
    evening = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert diary.opening_week(this_monday, False, usual_day(0), evening) == date(2026, 11, 30)
    # A week with appointments opens on itself, whatever the session.
    assert diary.opening_week(this_monday, True, usual_day(0), evening) == this_monday


def test_free_slots_are_the_sessions_slots_nobody_holds_that_booking_would_take() -> None:
    held = {"2026-11-25T10:30:00Z"}
    free = diary.free_session_slots(usual_day(WEDNESDAY), NOW, held, date(2026, 11, 23),
                                    date(2026, 11, 30))
    assert [f"{f:%a %H:%M}" for f in free] == ["Wed 09:30", "Wed 11:30", "Wed 13:30",
                                               "Wed 14:30", "Wed 15:30"]
    assert all(diary.booking_problem(f, "surgery", usual_day(WEDNESDAY), NOW) is None for f in free)
    # Today's session is past by the evening; the next is a week on.
    evening = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert diary.free_session_slots(usual_day(WEDNESDAY), evening, set(), date(2026, 11, 23),
                                    date(2026, 11, 30)) == []
