"""Follow-up appointments through the HTTP API: booked into the coach's session or by phone or
video after the first appointment, reminded, recorded; a missed one becomes a message and an
outreach task. And a coach's tasks leave their list once the step they chase is done."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.api_client import Api, appointment
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from workingbetter.domain import slots
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.working_days import is_working_day
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration


def in_support(api: Api) -> str:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    return referral_id


def session_slot(cloud: Cloud, referral_id: str, weeks_on: int = 1) -> datetime:
    """A slot of the coach's session after the first appointment, as UK wall-clock time."""
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    coach = cloud.store.directory.coach(str(item.coach_id))
    assert coach is not None
    after = slots.parse_iso(appointment(item).start) + timedelta(weeks=weeks_on - 1,
                                                                      hours=1)
    start = next(slots.candidate_slots(coach.sessions_at(item.practice_ods), after))
    return start.astimezone(slots.UK).replace(tzinfo=None)


def weekday_at_ten(days_on: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=days_on)
    while not is_working_day(day):  # a weekday, not a bank holiday
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0)


def rows(cloud: Cloud, referral_id: str) -> dict[str, OutboxRow]:
    return {r.notification_id: r for r in cloud.store.outbox.for_referral(referral_id)}


def until(due_at: str) -> None:
    time.sleep(max(0.0, (slots.parse_iso(due_at) - datetime.now(UTC)).total_seconds()) + 0.05)


def test_follow_ups_are_booked_reminded_and_recorded(cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    path = f"/referrals/{referral_id}/follow-ups"
    surgery = session_slot(cloud, referral_id)
    booked = api.call("POST", path, coach, {"start": surgery.isoformat(), "mode": "surgery"})
    assert booked.status == 201, booked.body
    again = api.call("POST", path, coach, {"start": surgery.isoformat(), "mode": "surgery"})
    assert again.status == 201
    assert again.body == booked.body
    phone = api.call("POST", path, coach, {"start": weekday_at_ten(3).isoformat(),
                                           "mode": "phone"})
    assert phone.status == 201, phone.body

    reminder = rows(cloud, referral_id)[
        f"appointment_follow_up_reminder:{booked.body['follow_up_id']}"]
    assert reminder.state == "scheduled"
    assert reminder.channel == "sms"
    assert slots.parse_iso(reminder.service_due) == \
        slots.parse_iso(booked.body["start"]) - timedelta(days=1)

    week = api.call("GET", f"/diary?week={surgery.date()}", coach).body
    assert {(e["start"], e["kind"], e["mode"]) for e in week["items"]} >= {
        (booked.body["start"], "follow_up", "surgery")}

    far = api.call("POST", path, coach, {"start": session_slot(cloud, referral_id, 20)
                                         .isoformat(), "mode": "surgery"}).body
    early = api.call("POST", f"{path}/{far['follow_up_id']}", coach, {"outcome": "attended"})
    assert early.status == 409
    assert "not happened yet" in early.body["detail"]
    outcome = f"{path}/{booked.body['follow_up_id']}"
    row = cloud.store.diary.follow_up(str(cloud.referral(referral_id).coach_id),
                                booked.body["start"], referral_id)
    assert row is not None
    until(str(row.due_at))
    assert api.call("POST", outcome, coach, {"outcome": "attended"}).status == 200
    twice = api.call("POST", outcome, coach, {"outcome": "did_not_attend"})
    assert twice.status == 409
    events = [e.event for e in cloud.referral(referral_id).timeline]
    assert "follow_up_attended" in events


def test_a_missed_follow_up_becomes_a_message_and_an_outreach_task(
        cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    booked = api.call("POST", f"/referrals/{referral_id}/follow-ups", coach,
                      {"start": weekday_at_ten(2).isoformat(), "mode": "video"}).body
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    row = cloud.store.diary.follow_up(str(item.coach_id), booked["start"], referral_id)
    assert row is not None
    until(str(row.due_at))
    reply = api.call("POST", f"/referrals/{referral_id}/follow-ups/{booked['follow_up_id']}",
                     coach, {"outcome": "did_not_attend"})
    assert reply.status == 200, reply.body
    found = rows(cloud, referral_id)
    key = booked["follow_up_id"]
    assert found[f"appointment_follow_up_missed:{key}"].channel == "sms"
    assert found[f"coach_follow_up_outreach:{key}"].channel == "coach_task"
    assert found[f"appointment_follow_up_reminder:{key}"].state == "cancelled"

    sender = FakeSender()
    sending = Sending(cloud.store, sender, sender, cloud.settings)
    for later in (5, 10):  # an SMS due in quiet hours is held until 08:00, then sent
        sending.run(datetime.now(UTC) + timedelta(seconds=later))
    tasks = cloud.store.outbox.tasks_for(str(item.coach_id), 10)
    assert [t.kind for t in tasks] == ["coach_follow_up_outreach"]
    assert any("we missed you" in message.body.lower() for _, message in sender.sent)


def test_follow_ups_are_refused_before_support_and_outside_the_rules(
        cloud: Cloud, api: Api) -> None:
    waiting = api.refer()
    api.awaiting(waiting, "appointment_outcome")
    coach = api.coach_of(waiting)
    early = api.call("POST", f"/referrals/{waiting}/follow-ups", coach,
                     {"start": weekday_at_ten(3).isoformat(), "mode": "phone"})
    assert early.status == 409  # the first appointment has not been attended
    api.step(waiting, "appointment-outcome", {"outcome": "attended"})
    path = f"/referrals/{waiting}/follow-ups"
    surgery = session_slot(cloud, waiting)
    for body, field in [
        ({"start": (surgery + timedelta(minutes=15)).isoformat(), "mode": "surgery"}, "start"),
        ({"start": weekday_at_ten(-3).isoformat(), "mode": "phone"}, "start"),
        ({"start": weekday_at_ten(3).replace(hour=20).isoformat(), "mode": "phone"}, "start"),
        ({"start": weekday_at_ten(3).isoformat(), "mode": "carrier pigeon"}, "mode"),
        ({"start": "soon", "mode": "phone"}, "start"),
    ]:
        reply = api.call("POST", path, coach, body)
        assert reply.status == 422, (body, reply.body)
        assert field in [e["field"] for e in reply.body["errors"]]
    assert api.call("POST", path, coach, {"start": surgery.isoformat(),
                                          "mode": "surgery"}).status == 201
    other = api.refer(patient__nhs_number="9434765919")
    api.awaiting(other, "appointment_outcome")
    api.step(other, "appointment-outcome", {"outcome": "attended"})
    if api.coach_of(other) == coach:  # the same coach cannot be in two places at once
        clash = api.call("POST", f"/referrals/{other}/follow-ups", coach,
                         {"start": surgery.isoformat(), "mode": "phone"})
        assert clash.status == 409


def test_a_cancelled_follow_up_frees_the_time_and_sends_no_reminder(
        cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    surgery = session_slot(cloud, referral_id, weeks_on=2)
    booked = api.call("POST", f"/referrals/{referral_id}/follow-ups", coach,
                      {"start": surgery.isoformat(), "mode": "surgery"}).body
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert booked["start"] in cloud.store.diary.booked_slots(str(item.coach_id), booked["start"])
    reply = api.call("POST", f"/referrals/{referral_id}/follow-ups/{booked['follow_up_id']}",
                     coach, {"outcome": "cancelled"})
    assert reply.status == 200
    assert booked["start"] not in cloud.store.diary.booked_slots(str(item.coach_id),
                                                           booked["start"])
    assert rows(cloud, referral_id)[
        f"appointment_follow_up_reminder:{booked['follow_up_id']}"].state == "cancelled"


@pytest.mark.service_days(review_interval_days=5)
def test_the_review_chaser_leaves_the_coachs_tasks_once_the_review_is_done(
        cloud: Cloud, api: Api) -> None:
    """Regression: "The review is 3 days overdue" stayed on the coach's list after the review."""
    referral_id = in_support(api)
    api.awaiting(referral_id, "review")
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    # The run parks on the review, then schedules its chaser: wait for both.
    chaser = cloud.wait_for_row(lambda: next(
        (r for r in cloud.store.outbox.for_referral(referral_id)
         if r.kind == "coach_review_overdue"), None))
    Sending(cloud.store, FakeSender(), FakeSender(), cloud.settings).run(
        slots.parse_iso(str(chaser.due_at)) + timedelta(seconds=1))
    coach_id = str(item.coach_id)
    assert [t.kind for t in cloud.store.outbox.tasks_for(coach_id, 10)] == \
        ["coach_review_overdue"]
    assert api.step(referral_id, "reviews", {"decision": "continue",
                                             "employer_contacts": 0}).status == 200
    assert cloud.store.outbox.tasks_for(coach_id, 10) == []


def test_an_ended_referral_gives_its_follow_ups_times_back(cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    booked = api.call("POST", f"/referrals/{referral_id}/follow-ups", coach,
                      {"start": session_slot(cloud, referral_id, 3).isoformat(),
                       "mode": "surgery"}).body
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    coach_id = str(item.coach_id)
    assert api.call("POST", f"/referrals/{referral_id}/withdraw", coach, {}).status == 200
    assert booked["start"] not in cloud.store.diary.booked_slots(coach_id, booked["start"])
    row = cloud.store.diary.follow_up(coach_id, booked["start"], referral_id)
    assert row is not None
    assert row.outcome == "cancelled"
    assert rows(cloud, referral_id)[
        f"appointment_follow_up_reminder:{booked['follow_up_id']}"].state == "cancelled"
