"""England and Wales bank holidays are not working days (issue 21, item 6): no session is booked
on one, the diary offers none, the limits written in working days do not count them, and a
coach's chaser due on one moves to the next working day.

The dates are GOV.UK's (gov.uk/bank-holidays, England and Wales), written out here so each test
states the calendar fact it relies on."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time

import pytest

from infra import bank_holidays as written
from tests.unit.test_import_graph import PACKAGE
from tests.unit.test_notice_channels import RecordingOutbox
from workingbetter.domain import bank_holidays, diary, slots
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.directory import usual_day
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import Status
from workingbetter.domain.working_days import is_working_day
from workingbetter.notifications.notices import Notices
from workingbetter.settings import Settings

MONDAY, FRIDAY = 0, 4
# England and Wales, from GOV.UK's list.
BANK_HOLIDAYS = [
    date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31),
    date(2026, 12, 25),  # a Friday
    date(2026, 12, 28),  # Boxing Day falls on a Saturday: the substitute Monday
    date(2027, 1, 1),
    date(2027, 3, 26),  # Good Friday
    date(2027, 3, 29),  # Easter Monday
    date(2027, 5, 3), date(2027, 5, 31), date(2027, 8, 30),
    date(2027, 12, 27), date(2027, 12, 28),  # Christmas and Boxing Day on the weekend
]


def uk(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=slots.UK)


@pytest.mark.parametrize("day", BANK_HOLIDAYS, ids=str)
def test_a_bank_holiday_is_not_a_working_day(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 12, 24), True),  # Christmas Eve is an ordinary Thursday
    (date(2026, 12, 29), True),
    (date(2026, 12, 26), False),  # Saturday
    (date(2026, 12, 27), False),  # Sunday
    (date(2027, 3, 30), True),
])
def test_weekdays_work_and_weekends_do_not(day: date, working: bool) -> None:
    assert is_working_day(day) is working


# -- the table the functions read ------------------------------------------------------------------


def test_the_functions_table_is_the_holidays_packages_list() -> None:
    """A new release of `holidays` (a one-off holiday added) or a hand edit fails here."""
    assert written.TABLE.read_text() == written.table_text(), \
        "the bank holidays changed: run `python -m infra.bank_holidays` and commit the table"


def test_the_table_reaches_at_least_five_years_ahead() -> None:
    assert date.today().year + 5 <= bank_holidays.LAST_YEAR, \
        "raise LAST_YEAR in infra/bank_holidays.py and run `python -m infra.bank_holidays`"


def test_no_function_imports_the_holidays_package() -> None:
    """It is a development tool here: the functions do not ship it (docs/working-days.md)."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "holidays" for n in names), path


# -- booking the first appointment --------------------------------------------------------------


@pytest.mark.parametrize(("weekday", "now", "first"), [
    # The week before Easter 2027: Monday 29 March is Easter Monday, so 5 April.
    (MONDAY, datetime(2027, 3, 24, 12, 0, tzinfo=UTC), date(2027, 4, 5)),
    # Good Friday 2027 (26 March): the Friday after.
    (FRIDAY, datetime(2027, 3, 22, 12, 0, tzinfo=UTC), date(2027, 4, 2)),
    # Monday 28 December 2026 is Boxing Day's substitute: 4 January 2027.
    (MONDAY, datetime(2026, 12, 21, 12, 0, tzinfo=UTC), date(2027, 1, 4)),
    # Christmas Day 2026 and New Year's Day 2027 are both Fridays: 8 January 2027.
    (FRIDAY, datetime(2026, 12, 21, 12, 0, tzinfo=UTC), date(2027, 1, 8)),
])
def test_a_referral_is_never_booked_on_a_bank_holiday(weekday: int, now: datetime,
                                                       first: date) -> None:
    slot = slots.next_free_slot(usual_day(weekday), now, [])
    assert slot == uk(first, slots.SESSION_SLOTS[0]).astimezone(UTC)


def test_a_full_session_before_a_bank_holiday_moves_the_booking_past_the_holiday() -> None:
    now = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)  # Wednesday; Monday 21 is full
    full = [uk(date(2026, 12, 21), at) for at in slots.SESSION_SLOTS]
    assert slots.next_free_slot(usual_day(MONDAY), now, full) == \
        uk(date(2027, 1, 4), time(9, 30)).astimezone(UTC)


# -- the diary ------------------------------------------------------------------------------------


def test_the_diary_offers_no_free_slot_on_a_bank_holiday() -> None:
    now = datetime(2026, 12, 21, 12, 0, tzinfo=UTC)
    holiday_week = diary.free_session_slots(usual_day(MONDAY), now, set(), date(2026, 12, 28),
                                            date(2027, 1, 4))
    assert holiday_week == []
    after = diary.free_session_slots(usual_day(MONDAY), now, set(), date(2026, 12, 28),
                                     date(2027, 1, 11))
    assert {f.date() for f in after} == {date(2027, 1, 4)}


@pytest.mark.parametrize("mode", ["surgery", "phone", "video"])
def test_a_follow_up_cannot_be_booked_on_a_bank_holiday(mode: str) -> None:
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    problem = diary.booking_problem(uk(date(2027, 3, 29), time(10, 30)), mode,
                                    usual_day(MONDAY), now)
    assert problem is not None
    assert "bank holiday" in problem
    # The Monday after is an ordinary session day.
    assert diary.booking_problem(uk(date(2027, 4, 5), time(10, 30)), mode,
                                 usual_day(MONDAY), now) is None


def test_an_empty_diary_opens_on_the_week_of_the_next_session_after_a_bank_holiday() -> None:
    evening = datetime(2026, 12, 21, 18, 0, tzinfo=UTC)  # Monday's session is over
    assert diary.opening_week(date(2026, 12, 21), False, usual_day(MONDAY),
                              evening) == date(2027, 1, 4)


# -- limits in working days, and chasers ----------------------------------------------------------


def referral(created_at: str) -> Referral:
    return Referral("r1", created_at, Status.RECEIVED, "F83001", coach_id="c1")


def scheduled(call: str, created_at: str, *arguments: str) -> dict[Kind, str]:
    """What the notices schedule for the call, each kind with its service-clock due time."""
    outbox = RecordingOutbox()
    notices = Notices(outbox, Settings.model_construct(seconds_per_day=86400.0))
    getattr(notices, call)(referral(created_at), *arguments)
    return {n.kind: n.service_due for n in outbox.recorded}


@pytest.mark.parametrize(("created", "limit"), [
    # Thursday 24 December 2026: Friday 25 and Monday 28 are bank holidays.
    ("2026-12-24T10:00:00Z", "2026-12-30T10:00:00Z"),
    # Thursday 25 March 2027 at 10:00 (GMT): Good Friday and Easter Monday are not counted;
    # the limit is 10:00 on Wednesday 31 March, in BST by then (09:00 UTC).
    ("2027-03-25T10:00:00Z", "2027-03-31T09:00:00Z"),
    # An ordinary week: Wednesday to Friday.
    ("2026-12-02T10:00:00Z", "2026-12-04T10:00:00Z"),
])
def test_acknowledging_within_2_working_days_does_not_count_a_bank_holiday(
        created: str, limit: str) -> None:
    due = scheduled("received", created)
    assert due[Kind.OPS_NOT_ACKNOWLEDGED] == limit


def test_a_coachs_chaser_due_on_a_bank_holiday_moves_to_the_next_working_day() -> None:
    # A review falls due on Friday 25 December 2026 at 11:00; three days on is Monday 28
    # December, Boxing Day's substitute: the coach is chased on Tuesday 29 at 11:00.
    due = scheduled("step_due", "2026-11-01T09:00:00Z", "review", "2026-12-25T11:00:00Z")
    assert due[Kind.COACH_REVIEW_OVERDUE] == "2026-12-29T11:00:00Z"
    # An ordinary week: three days on, as before.
    due = scheduled("step_due", "2026-11-01T09:00:00Z", "review", "2026-12-01T11:00:00Z")
    assert due[Kind.COACH_REVIEW_OVERDUE] == "2026-12-04T11:00:00Z"


def test_a_reminder_the_day_before_an_appointment_is_sent_on_a_bank_holiday() -> None:
    # The appointment is on Tuesday 30 March 2027; its reminder goes the day before, Easter
    # Monday: it is tied to the appointment, so it is not moved.
    due = scheduled("booked", "2027-03-01T09:00:00Z", "2027-03-30T08:30:00Z")
    assert due[Kind.APPOINTMENT_REMINDER] == "2027-03-29T08:30:00Z"
