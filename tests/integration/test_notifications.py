"""Reminders, chasers, alerts and feedback: sent once, at the right time, only while they
still apply, only to whoever agreed, and never with their words kept or shown to ops."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.api_client import Api, appointment
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.fake_sender import FakeSender
from workingbetter.adapters.outbox import Notice
from workingbetter.domain import slots
from workingbetter.domain.channels import Channel
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.working_days import is_working_day
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def sending(cloud: Cloud, sender: FakeSender) -> Sending:
    return Sending(cloud.store, sender, sender, cloud.settings)


def rows(cloud: Cloud, referral_id: str) -> dict[str, OutboxRow]:
    return {str(r.kind): r for r in cloud.store.outbox.for_referral(referral_id)}


def at(row: OutboxRow) -> datetime:
    return slots.parse_iso(str(row.due_at))


def test_a_booked_sms_patient_gets_exactly_one_reminder_the_day_before(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    referral_id = api.refer()  # contact_preference sms
    booked = api.awaiting(referral_id, "appointment_outcome")
    reminder = rows(cloud, referral_id)["appointment_reminder"]
    start = slots.parse_iso(appointment(booked).start)
    assert reminder.channel == "sms"
    assert slots.parse_iso(reminder.service_due) == start - timedelta(days=1)

    early = sending.run(at(reminder) - timedelta(seconds=1))
    assert "Working Better appointment is tomorrow" not in " ".join(sender.bodies("sms"))
    twice = [sending.run(at(reminder)), sending.run(at(reminder) + timedelta(seconds=1))]

    reminders = [b for b in sender.bodies("sms") if "is tomorrow" in b]
    assert len(reminders) == 1, (early, twice)
    assert "Ada" in reminders[0]
    assert rows(cloud, referral_id)["appointment_reminder"].state == "sent"


@pytest.mark.quiet_hours
def test_no_sms_between_nine_at_night_and_eight_in_the_morning(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    late = datetime(2026, 11, 24, 22, 30, tzinfo=slots.UK).astimezone(UTC)
    now = datetime.now(UTC)
    outbox = cloud.store.outbox
    assert outbox.schedule(Notice(referral_id, Kind.APPOINTMENT_CONFIRMATION, Channel.SMS,
                                  slots.iso(now), slots.iso(late), "late-test"))

    def late_row() -> OutboxRow:
        return {r.notification_id: r for r in outbox.for_referral(referral_id)}[
            "appointment_confirmation:late-test"]

    sending.run(now)
    held = late_row()
    assert held.state == "scheduled"
    held_until = slots.parse_iso(held.service_due).astimezone(slots.UK)
    assert (held_until.date().isoformat(), held_until.hour) == ("2026-11-25", 8)
    sending.run(at(held) + timedelta(seconds=1))
    assert late_row().state == "sent"


def test_withdrawal_cancels_everything_pending_and_only_the_gp_hears(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(),
                    {}).status == 200

    after = rows(cloud, referral_id)
    for kind in ("appointment_reminder", "coach_outcome_not_recorded",
                 "ops_not_acknowledged"):
        assert after[kind].state == "cancelled", kind
    sending.run(datetime.now(UTC) + timedelta(days=400))
    assert sender.bodies("sms") == [] or all("tomorrow" not in b for b in sender.bodies("sms"))
    practice = [m for c, m in sender.sent if c == "email"]
    assert [m.to for m in practice][-1] == "f83001.workingbetter@nhs.example"
    assert "the patient chose to leave" in practice[-1].body
    assert "Ada" not in practice[-1].body  # status words only
    # The reference the practice finds the referral by, not its internal id.
    reference = str(cloud.referral(referral_id).reference)
    assert reference in practice[-1].body
    assert referral_id not in practice[-1].body


def test_no_feedback_to_the_practice_without_the_patients_consent(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    referral_id = api.refer(consent__share_outcome_with_gp=False)
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(), {})
    sending.run(datetime.now(UTC) + timedelta(days=400))
    assert not [k for k in rows(cloud, referral_id) if k.startswith("practice_")]
    assert [c for c, _ in sender.sent if c == "email"] == []


def test_with_consent_the_gp_hears_accepted_attended_and_ended(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(), {})
    kinds = {k for k in rows(cloud, referral_id) if k.startswith("practice_")}
    assert kinds == {"practice_accepted", "practice_first_attended", "practice_ended"}


def test_overlapping_triggers_send_each_message_once(
        cloud: Cloud, api: Api, sender: FakeSender) -> None:
    for nhs in VALID_NHS_NUMBERS[1:4]:
        referral_id = api.refer(patient__nhs_number=nhs, patient__contact_preference="email",
                                patient__email="someone@example.com")
        api.awaiting(referral_id, "appointment_outcome")
    later = datetime.now(UTC) + timedelta(days=60)
    triggers = [Sending(cloud.store, sender, sender, cloud.settings) for _ in range(4)]
    threads = [threading.Thread(target=t.run, args=(later,)) for t in triggers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies = sender.bodies("email")
    confirmations = [b for b in bodies if "your Working Better appointment is on" in b]
    assert len(confirmations) == 3
    assert len(bodies) == len(set(bodies))


def test_a_failed_send_is_retried_then_shown_to_ops(
        cloud: Cloud, api: Api, sender: FakeSender, sending: Sending) -> None:
    sender.failing.add("email")
    referral_id = api.refer(patient__contact_preference="email",
                            patient__email="bounce@example.com")
    api.awaiting(referral_id, "appointment_outcome")
    now = datetime.now(UTC)
    for _ in range(8):  # the backoff doubles; a compressed day brings each retry close
        now += timedelta(days=1)
        sending.run(now)
    confirmation = rows(cloud, referral_id)["appointment_confirmation"]
    assert confirmation.state == "failed"
    assert int(confirmation.attempts) == 5
    assert "ops_notification_failed" in rows(cloud, referral_id)
    listed = api.call("GET", "/ops/notifications", api.ops()).body
    assert any(n["kind"] == "appointment_confirmation" and n["status"] == "failed"
               for n in listed)


def test_ops_see_what_was_sent_but_never_its_words_or_address(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = api.refer()
    booked = api.awaiting(referral_id, "appointment_outcome")
    sending.run(slots.parse_iso(appointment(booked).start))
    reply = api.call("GET", f"/ops/notifications?referral_id={referral_id}", api.ops())
    assert reply.status == 200
    assert {n["kind"] for n in reply.body} >= {"appointment_confirmation",
                                               "appointment_reminder"}
    for listed in reply.body:
        assert set(listed) == {"notification_id", "referral_id", "kind", "channel", "status",
                               "due_at", "sent_at", "receipt_at", "attempts", "failure_reason"}
    assert "07700" not in str(reply.body)
    assert "Ada" not in str(reply.body)
    assert api.call("GET", "/ops/notifications", api.referrer()).status == 403


def test_the_patients_link_withdraws_once_with_no_login(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    referral_id = api.refer(patient__contact_preference="email",
                            patient__email="ada@example.com")
    api.awaiting(referral_id, "appointment_outcome")
    sending.run()
    (confirmation,) = [b for b in sender.bodies("email") if "leave at any time" in b]
    link = confirmation.rsplit(" ", 1)[-1]
    path = link.split("://", 1)[1].split("/", 1)[1]
    token = path.rsplit("/", 1)[-1]

    guessed = api.client.http.post(f"/patient/withdraw/{referral_id}.not-the-secret",
                                   body=b"{}", headers={"Content-Type": "application/json"})
    assert guessed.status_code == 404
    page = api.client.http.get(f"/{path}")
    assert page.status_code == 200
    assert b"Leave Working Better" in page.body
    assert api.client.http.get(f"/{path}/leave").status_code == 200  # asks first
    used = api.client.http.post(f"/{path}/leave", body=b"erase=yes",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert used.status_code == 200
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "WITHDRAWN"
    assert item.timeline[-2].by == "patient" or item.timeline[-1].by == "patient"
    assert cloud.personal_data(referral_id) is None
    again = api.client.http.post(f"/patient/withdraw/{token}", body=b"{}",
                                 headers={"Content-Type": "application/json"})
    assert again.status_code == 404


@pytest.mark.service_days(review_interval_days=5)
def test_a_coach_is_chased_three_days_after_a_review_falls_due(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    due = api.awaiting(referral_id, "review")
    # The run parks on the review, then schedules its chaser: wait for both.
    chaser = cloud.wait_for_row(lambda: rows(cloud, referral_id).get("coach_review_overdue"))
    # Three days on, at the same UK time; on a weekend or bank holiday, the next working day.
    chase = slots.parse_iso(str(due.awaiting_since)).astimezone(slots.UK) + timedelta(days=3)
    while not is_working_day(chase.date()):
        chase += timedelta(days=1)
    assert slots.parse_iso(str(chaser.service_due)) == chase
    api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 1})
    assert rows(cloud, referral_id)["coach_review_overdue"].state == "cancelled"


def test_acceptance_stops_the_not_acknowledged_alert(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert rows(cloud, referral_id)["ops_not_acknowledged"].state == "cancelled"
