"""First-appointment slots: the coach's surgery day, UK wall-clock, at least 24 hours' notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from holidays import country_holidays
from hypothesis import given
from hypothesis import strategies as st

from workingbetter.domain.records.directory import usual_day
from workingbetter.domain.slots import (
    MIN_NOTICE,
    SESSION_SLOTS,
    UK,
    iso,
    next_free_slot,
    parse_iso,
)

MONDAY, FRIDAY = 0, 4
# England and Wales bank holidays: no session on them (the oracle's own copy of the fact).
BANK_HOLIDAYS = country_holidays("GB", subdiv="ENG")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def uk(day: date, at: time) -> datetime:
    """A UK wall-clock time as a UTC instant (the oracle, written without slots.py)."""
    return datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=UK).astimezone(UTC)


def every_slot(weekday: int, start: date, days: int) -> list[datetime]:
    """Every session slot on `weekday` for `days` calendar days from `start`, in order (none on
    a bank holiday)."""
    result = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() == weekday and day not in BANK_HOLIDAYS:
            result += [uk(day, at) for at in SESSION_SLOTS]
    return result


def assert_a_proper_slot(slot: datetime, weekday: int, now: datetime) -> None:
    local = slot.astimezone(UK)
    assert slot >= now + MIN_NOTICE
    assert local.weekday() == weekday
    assert local.date() not in BANK_HOLIDAYS
    assert local.time() in SESSION_SLOTS


# -- notice and wall-clock ----------------------------------------------------------------------


def test_the_first_slot_is_the_coachs_next_surgery_day_at_half_past_nine() -> None:
    now = utc("2026-01-14T12:00:00")  # Wednesday, GMT
    assert next_free_slot(usual_day(MONDAY), now, []) == utc("2026-01-19T09:30:00")


def test_a_slot_less_than_24_hours_away_is_never_offered() -> None:
    now = utc("2026-01-18T10:00:00")  # Sunday 10:00: Monday 09:30 is only 23.5 hours away
    assert next_free_slot(usual_day(MONDAY), now, []) == utc("2026-01-19T10:30:00")


def test_a_session_on_the_same_day_as_now_is_never_offered() -> None:
    now = utc("2026-01-19T09:30:00")  # Monday's first slot is now; next Monday is the earliest
    assert next_free_slot(usual_day(MONDAY), now, []) == utc("2026-01-26T09:30:00")


def test_slots_stay_at_uk_wall_clock_after_the_clocks_go_forward() -> None:
    # BST starts on Sunday 29 March 2026: Monday 30 March 09:30 in London is 08:30 UTC.
    now = utc("2026-03-27T12:00:00")
    slot = next_free_slot(usual_day(MONDAY), now, [])
    assert slot == utc("2026-03-30T08:30:00")
    assert slot is not None
    assert slot.astimezone(UK).time() == time(9, 30)


def test_a_friday_session_either_side_of_the_clocks_going_forward_keeps_its_local_time() -> None:
    before = next_free_slot(usual_day(FRIDAY), utc("2026-03-19T08:00:00"), [])
    after = next_free_slot(usual_day(FRIDAY), utc("2026-03-26T08:00:00"), [])
    assert before == utc("2026-03-20T09:30:00")  # GMT
    assert after == utc("2026-03-27T09:30:00")  # still GMT: the change is on the Sunday
    later = next_free_slot(usual_day(FRIDAY), utc("2026-03-27T08:00:00"), [])
    assert later == utc("2026-04-10T08:30:00")  # BST (3 April is Good Friday: no session)


def test_slots_stay_at_uk_wall_clock_after_the_clocks_go_back() -> None:
    # GMT returns on Sunday 25 October 2026: Monday 26 October 09:30 in London is 09:30 UTC.
    now = utc("2026-10-23T12:00:00")
    slot = next_free_slot(usual_day(MONDAY), now, [])
    assert slot == utc("2026-10-26T09:30:00")
    week_before = next_free_slot(usual_day(MONDAY), utc("2026-10-16T12:00:00"), [])
    assert week_before == utc("2026-10-19T08:30:00")


@pytest.mark.parametrize("now", ["2026-03-27T00:00:00", "2026-03-28T23:30:00",
                                 "2026-10-23T00:00:00", "2026-10-24T23:30:00"])
@pytest.mark.parametrize("weekday", range(5))
def test_across_the_clock_change_every_slot_is_a_session_slot_on_the_coachs_day(
    now: str, weekday: int
) -> None:
    start = utc(now)
    taken: list[datetime] = []
    for _ in range(len(SESSION_SLOTS) * 3):  # fill three weeks, one slot at a time
        slot = next_free_slot(usual_day(weekday), start, taken)
        assert slot is not None
        assert_a_proper_slot(slot, weekday, start)
        assert slot not in taken
        taken.append(slot)
    assert taken == sorted(taken)


# -- taken slots and a full diary ---------------------------------------------------------------


def test_a_taken_slot_is_skipped_for_the_next_one_that_day() -> None:
    now = utc("2026-01-14T12:00:00")
    taken = [utc("2026-01-19T09:30:00"), utc("2026-01-19T10:30:00")]
    assert next_free_slot(usual_day(MONDAY), now, taken) == utc("2026-01-19T11:30:00")


def test_a_slot_booked_in_uk_time_is_recognised_as_taken() -> None:
    now = utc("2026-06-10T12:00:00")
    taken = [datetime(2026, 6, 15, 9, 30, tzinfo=UK)]  # 08:30 UTC in summer
    assert next_free_slot(usual_day(MONDAY), now, taken) == utc("2026-06-15T09:30:00")  # 10:30 BST


def test_lunch_is_left_free() -> None:
    now = utc("2026-01-14T12:00:00")
    taken = [uk(date(2026, 1, 19), at) for at in SESSION_SLOTS if at < time(12, 0)]
    assert next_free_slot(usual_day(MONDAY), now, taken) == utc("2026-01-19T13:30:00")


def test_a_full_day_moves_the_appointment_to_the_next_week() -> None:
    now = utc("2026-01-14T12:00:00")
    taken = [uk(date(2026, 1, 19), at) for at in SESSION_SLOTS]
    assert next_free_slot(usual_day(MONDAY), now, taken) == utc("2026-01-26T09:30:00")


@pytest.mark.parametrize("now", ["2026-01-14T12:00:00", "2026-03-20T07:00:00",
                                 "2026-10-20T18:45:00"])
def test_when_every_slot_in_the_horizon_is_taken_there_is_no_slot(now: str) -> None:
    start = utc(now)
    weeks = 12
    taken = every_slot(MONDAY, start.date(), weeks * 7 + 2)
    assert next_free_slot(usual_day(MONDAY), start, taken, weeks_ahead=weeks) is None


def test_the_last_free_slot_inside_the_horizon_is_still_offered() -> None:
    start = utc("2026-01-14T12:00:00")
    inside = [s for s in every_slot(MONDAY, start.date(), 12 * 7 + 2)
              if s <= start + timedelta(weeks=12)]
    last = inside[-1]
    assert next_free_slot(usual_day(MONDAY), start, inside[:-1], weeks_ahead=12) == last


# -- properties ---------------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31),
                        timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))


@given(instants, st.integers(min_value=0, max_value=4), st.sets(st.integers(0, 17)))
def test_the_slot_offered_is_the_first_free_session_slot_with_24_hours_notice(
    now: datetime, weekday: int, taken_positions: set[int]
) -> None:
    upcoming = [s for s in every_slot(weekday, now.date() - timedelta(days=1), 40)
                if s > now + MIN_NOTICE]
    taken = [upcoming[i] for i in taken_positions]
    slot = next_free_slot(usual_day(weekday), now, taken)
    assert slot is not None
    assert_a_proper_slot(slot, weekday, now)
    assert slot == next(s for s in upcoming if s not in taken)


# -- stored as UTC text -------------------------------------------------------------------------


def test_an_instant_is_stored_as_utc_text_ending_in_z() -> None:
    assert iso(datetime(2026, 6, 15, 9, 30, tzinfo=UK)) == "2026-06-15T08:30:00Z"


@given(instants)
def test_iso_and_parse_iso_round_trip(instant: datetime) -> None:
    text = iso(instant)
    assert text.endswith("Z")
    assert parse_iso(text) == instant
    assert iso(parse_iso(text)) == text


def test_parse_iso_refuses_text_without_the_z() -> None:
    with pytest.raises(ValueError, match="does not match"):
        parse_iso("2026-06-15T08:30:00+01:00")


@given(instants, st.integers(min_value=0, max_value=4), st.integers(min_value=1, max_value=30),
       st.lists(st.integers(0, 6 * 24), max_size=30))
def test_slots_booked_one_after_another_are_never_in_the_past_nor_doubled(
    now: datetime, weekday: int, bookings: int, hours_later: list[int]
) -> None:
    """Each booking takes the next free slot, some hours after the one before: every slot
    given is a proper session slot with 24 hours' notice, and no slot is given twice."""
    booked: list[datetime] = []
    clock = now
    for i in range(bookings):
        clock += timedelta(hours=hours_later[i] if i < len(hours_later) else 0)
        slot = next_free_slot(usual_day(weekday), clock, booked)
        if slot is None:  # the diary is full for the next 12 weeks
            break
        assert_a_proper_slot(slot, weekday, clock)
        assert slot not in booked
        booked.append(slot)


# -- a longer appointment: two consecutive slots of one session --------------------------------


def test_a_longer_appointment_needs_the_next_slot_of_the_same_session_free_too() -> None:
    now = utc("2026-01-14T12:00:00")
    # 09:30 is free but 10:30 is taken, and 11:30 is the morning's last slot (lunch follows):
    # the first two in a row are after lunch, 13:30 and 14:30.
    taken = [utc("2026-01-19T10:30:00")]
    assert next_free_slot(usual_day(MONDAY), now, taken, length=2) == utc("2026-01-19T13:30:00")
    assert next_free_slot(usual_day(MONDAY), now, [], length=2) == utc("2026-01-19T09:30:00")


def test_a_longer_appointment_never_runs_past_its_session() -> None:
    now = utc("2026-01-14T12:00:00")
    taken = [uk(date(2026, 1, 19), at) for at in SESSION_SLOTS if at < time(11, 0)] + \
        [uk(date(2026, 1, 19), at) for at in SESSION_SLOTS if at >= time(14, 0)]
    # Left free: 11:30 (the morning's last) and 13:30 (after lunch): not two in a row.
    assert next_free_slot(usual_day(MONDAY), now, taken, length=2) == utc("2026-01-26T09:30:00")
