"""A coach's weekly surgery sessions and caseload cap, as pure rules: appointments from the
start at the session's length, the last ending by its end, never on a bank holiday; a cap
of 20 for five days a week, scaled by the days worked; coaches from before sessions keep the
usual day (one-hour appointments, lunch left free) and the full cap."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from workingbetter.domain import slots
from workingbetter.domain.coaches import clock_words, overlaps, practice_sessions, session_words
from workingbetter.domain.records.directory import Coach, Session, SurgerySession
from workingbetter.services.coaches import clock_checked

MONDAY, WEDNESDAY = 0, 2


def at(text: str) -> time:
    return time.fromisoformat(text)


@pytest.mark.parametrize(("days", "cap"), [(5, 20), (4, 16), (3, 12), (2, 8), (1, 4)])
def test_the_cap_is_twenty_for_five_days_scaled_by_the_days_worked(days: int, cap: int) -> None:
    assert Coach("c", "", 0, days_a_week=days).cap(20) == cap


def test_a_cap_is_rounded_half_up_and_never_below_one() -> None:
    assert Coach("c", "", 0, days_a_week=1).cap(2) == 1  # 0.4 of a place: still one
    assert Coach("c", "", 0, days_a_week=2).cap(5) == 2
    assert Coach("c", "", 0, days_a_week=3).cap(5) == 3
    assert Coach("c", "", 0, days_a_week=1).cap(7) == 1  # 1.4
    assert Coach("c", "", 0, days_a_week=4).cap(10) == 8


def test_a_session_offers_appointments_at_its_length_each_ending_by_its_end() -> None:
    whole_day = SurgerySession("F83002", 1, "09:30", "16:30", 60)
    short = SurgerySession("F83002", 1, "10:00", "13:00", 45)
    tight = SurgerySession("F83002", 1, "10:00", "12:59", 45)

    assert slots.session_times(whole_day) == tuple(at(f"{h:02d}:30") for h in range(9, 16))
    assert slots.session_times(short) == (at("10:00"), at("10:45"), at("11:30"), at("12:15"))
    assert slots.session_times(tight) == (at("10:00"), at("10:45"), at("11:30"))


def test_a_coach_from_before_sessions_keeps_the_usual_day_and_the_full_cap() -> None:
    before = Coach("coach-amara", "F83001", MONDAY)

    assert {s.practice_ods for s in before.surgery_sessions} == {"F83001"}
    times = [t for s in before.surgery_sessions for t in slots.session_times(s)]
    assert times == [at("09:30"), at("10:30"), at("11:30"), at("13:30"), at("14:30"),
                     at("15:30")]  # lunch left free
    assert before.cap(20) == 20
    assert Coach("coach-new", "", 0, sessions=()).surgery_sessions == ()


def test_the_first_slot_is_in_the_sessions_at_the_practice_and_never_on_a_bank_holiday() -> None:
    # Easter Monday 2027 is 29 March: the Monday session that week has no appointments.
    sessions = (SurgerySession("F83002", MONDAY, "14:00", "15:00", 30),)
    now = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)  # Friday before

    first = slots.next_free_slot(sessions, now, [])

    assert first is not None
    local = first.astimezone(slots.UK)
    assert (local.date(), local.time()) == (date(2027, 4, 5), at("14:00"))
    again = slots.next_free_slot(sessions, now, [first])
    assert again is not None
    assert again.astimezone(slots.UK).time() == at("14:30")


def test_with_no_sessions_there_is_no_slot() -> None:
    assert slots.next_free_slot((), datetime(2027, 1, 4, tzinfo=UTC), []) is None


def test_sessions_on_two_days_give_slots_in_time_order() -> None:
    sessions = (SurgerySession("F83002", WEDNESDAY, "09:00", "10:00", 60),
                SurgerySession("F83002", MONDAY, "15:00", "16:00", 60))
    after = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday

    found = slots.candidate_slots(sessions, after)

    firsts = [next(found).astimezone(slots.UK) for _ in range(3)]
    assert [(d.weekday(), d.time()) for d in firsts] == [(MONDAY, at("15:00")),
                                                         (WEDNESDAY, at("09:00")),
                                                         (MONDAY, at("15:00"))]


def test_sessions_overlap_only_on_the_same_day_when_their_times_cross() -> None:
    morning = SurgerySession("F83001", MONDAY, "09:30", "12:30")
    assert overlaps(SurgerySession("F83002", MONDAY, "12:00", "14:00"), [morning]) == morning
    assert overlaps(SurgerySession("F83002", MONDAY, "12:30", "13:30"), [morning]) is None
    assert overlaps(SurgerySession("F83001", WEDNESDAY, "09:30", "12:30"), [morning]) is None


@pytest.mark.parametrize(("typed", "clock"), [
    ("9:30am", "09:30"), ("9.30", "09:30"), ("16:30", "16:30"), ("4pm", "16:00"),
    ("12pm", "12:00"), ("12:15am", "00:15"), (" 10 AM ", "10:00")])
def test_times_are_read_as_people_type_them(typed: str, clock: str) -> None:
    assert clock_checked(typed) == clock


@pytest.mark.parametrize("typed", ["25:00", "13pm", "9:75", "noon", "", "0am"])
def test_a_time_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="Enter a time like 9:30am or 16:30"):
        clock_checked(typed)


def test_sessions_read_in_plain_words() -> None:
    session = SurgerySession("F83002", 1, "09:30", "16:30")
    assert session_words(session, "Goodinge Group Practice") == \
        "Tuesdays 9:30am to 4:30pm at Goodinge Group Practice"
    assert (clock_words("12:00"), clock_words("00:30"), clock_words("13:05")) == (
        "midday", "12:30am", "1:05pm")


def test_a_practice_lists_each_of_its_coaches_once_a_weekday_keeping_the_others() -> None:
    nia = Coach("coach-nia", "Y01234", 2, sessions=(
        SurgerySession("Y01234", 2, "09:00", "12:00"), SurgerySession("Y01234", 2, "13:00",
                                                                     "16:00"),
        SurgerySession("Y01234", 4, "09:00", "12:00"), SurgerySession("F83001", 1, "09:00",
                                                                     "12:00")))
    was = (Session("coach-amara", 0), Session("coach-nia", 3))

    assert practice_sessions("Y01234", was, [nia]) == (
        Session("coach-amara", 0), Session("coach-nia", 2), Session("coach-nia", 4))
    assert practice_sessions("Y01234", was, [Coach("coach-nia", "", 0, sessions=())]) == (
        Session("coach-amara", 0),)
