"""The sender through the real GOV.UK Notify client (notifications-python-client) against the
local Notify (infra/notify_server.py), not a fake that never looks a template up: one message
that cannot go never stops the others, and a patient who chose letters never gets a message
that has no letter template (issue 19, item 15)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.notify_server import LOCAL_API_KEY, LocalNotify, local_templates
from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.fake_sender import FakeSender
from tests.integration.test_follow_ups import weekday_at_ten
from workingbetter.adapters import keys
from workingbetter.adapters.outbox import reference
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.notifications.notify import NotifySender
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration

LETTER = {"patient__contact_preference": "letter",
          "patient__address": {"lines": ["1 Upper Street", "London"], "postcode": "N1 0PN"}}


@pytest.fixture
def notify() -> Iterator[LocalNotify]:
    # No receipts in these tests: none is due before they end.
    server = LocalNotify("http://127.0.0.1:9/notify/callbacks", receipt_after=3600).start()
    yield server
    server.stop()


def through(cloud: Cloud, notify: LocalNotify, alerts: FakeSender,
            leave_out: str = "") -> Sending:
    templates = {k: v for k, v in local_templates().items() if k != leave_out}
    settings = cloud.settings.model_copy(update={"notify_templates": {
        k: v for k, v in cloud.settings.notify_templates.items() if k != leave_out}})
    return Sending(cloud.store, NotifySender(LOCAL_API_KEY, notify.url, templates), alerts,
                   settings)


def booked(cloud: Cloud, api: Api, nhs_number: str, **changes: Any) -> str:
    referral_id = api.refer(patient__nhs_number=nhs_number, **changes)
    cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome", what="booked")
    return referral_id


def in_support(api: Api, **changes: Any) -> str:
    referral_id = api.refer(**changes)
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    return referral_id


def row(cloud: Cloud, referral_id: str, kind: str) -> OutboxRow:
    (found,) = [r for r in cloud.store.outbox.for_referral(referral_id) if r.kind == kind]
    return found


def test_a_message_that_cannot_go_is_given_up_with_a_reason_and_the_rest_still_go(
        cloud: Cloud, api: Api, notify: LocalNotify) -> None:
    # A deployment whose Notify has no letter template for the confirmation: the letter
    # patient, booked first, comes first in the batch; the email after it must still go.
    by_letter = booked(cloud, api, VALID_NHS_NUMBERS[1], **LETTER)
    by_email = booked(cloud, api, VALID_NHS_NUMBERS[2], patient__contact_preference="email",
                      patient__email="grace@example.com")
    alerts = FakeSender()
    sending = through(cloud, notify, alerts, leave_out="appointment_confirmation.letter")

    tally = sending.run(datetime.now(UTC))

    assert tally.get("failed") == 1, tally
    email = row(cloud, by_email, "appointment_confirmation")
    assert email.state == "sent"
    assert [m.type for m in notify.find(reference(email))] == ["email"]
    letter = row(cloud, by_letter, "appointment_confirmation")
    assert (letter.state, letter.failure_reason) == ("failed", "no_template")
    assert notify.find(reference(letter)) == []
    # Ops hear of it, by ids and the reason: never the error's words.
    sending.run(datetime.now(UTC) + timedelta(seconds=1))
    assert [s for s, _ in alerts.alerts] == ["A message could not be sent"]
    shown = api.call("GET", f"/ops/notifications?referral_id={by_letter}", api.ops()).body
    assert {(n["kind"], n["status"], n["failure_reason"]) for n in shown} >= {
        ("appointment_confirmation", "failed", "no_template")}


def test_a_letter_patients_follow_up_reminder_becomes_their_coachs_task(
        cloud: Cloud, api: Api, notify: LocalNotify) -> None:
    referral_id = in_support(api, **LETTER)
    coach = api.coach_of(referral_id)
    follow_ups = f"/referrals/{referral_id}/follow-ups"
    first = api.call("POST", follow_ups, coach,
                     {"start": weekday_at_ten(2).isoformat(), "mode": "phone"})
    second = api.call("POST", follow_ups, coach,
                      {"start": weekday_at_ten(3).isoformat(), "mode": "phone"})
    assert first.status == second.status == 201, (first.body, second.body)
    reminders = {r.about: r for r in cloud.store.outbox.for_referral(referral_id)
                 if r.kind == "appointment_follow_up_reminder"}
    assert {r.channel for r in reminders.values()} == {"coach_task"}
    # One as the code before the fix scheduled it, by letter (a row left in a deployed
    # outbox): it still falls to the coach when it goes.
    cloud.store.tables.table.update_item(
        Key=keys.notification(referral_id, reminders[second.body["follow_up_id"]]
                              .notification_id),
        UpdateExpression="SET channel = :letter", ExpressionAttributeValues={
            ":letter": "letter"})

    sending = through(cloud, notify, FakeSender())
    for later in (5, 10):  # both reminders fall due on the test's fast clock
        assert "failed" not in sending.run(datetime.now(UTC) + timedelta(seconds=later))

    item = cloud.referral(referral_id)
    tasks = cloud.store.outbox.tasks_for(str(item.coach_id), 10)
    assert sorted((t.kind, t.channel) for t in tasks
                  if t.kind == "appointment_follow_up_reminder") == \
        [("appointment_follow_up_reminder", "coach_task")] * 2
    assert not [m for m in notify.messages if m.kind == "appointment_follow_up_reminder"]


# Communication needs met by the message's format and channel (issue 24 item 3).
LARGE_PRINT = [{"need": "large_print"}]


def test_a_patient_who_needs_large_print_gets_the_large_print_letter(
        cloud: Cloud, api: Api, notify: LocalNotify) -> None:
    referral_id = booked(cloud, api, VALID_NHS_NUMBERS[1], **LETTER,
                         patient__communication_needs=LARGE_PRINT)

    through(cloud, notify, FakeSender()).run(datetime.now(UTC))

    (letter,) = notify.find(reference(row(cloud, referral_id, "appointment_confirmation")))
    assert (letter.type, letter.template_id) == (
        "letter", local_templates()["appointment_confirmation.letter_large_print"])
    assert cloud.referral(referral_id).needs_met == ("large_print",)  # counted as met


def test_an_easy_read_letter_without_its_template_goes_as_the_standard_and_ops_are_told(
        cloud: Cloud, api: Api, notify: LocalNotify) -> None:
    referral_id = booked(cloud, api, VALID_NHS_NUMBERS[1], **LETTER,
                         patient__communication_needs=[{"need": "easy_read"}])
    alerts = FakeSender()
    sending = through(cloud, notify, alerts,
                      leave_out="appointment_confirmation.letter_easy_read")

    sending.run(datetime.now(UTC))

    (letter,) = notify.find(reference(row(cloud, referral_id, "appointment_confirmation")))
    assert letter.template_id == local_templates()["appointment_confirmation.letter"]
    assert cloud.referral(referral_id).needs_met == ()  # not met: a standard letter
    ((subject, body),) = alerts.alerts
    assert subject == "A letter went in the standard format"
    assert "appointment_confirmation.letter_easy_read" in body
    # Which patient needs it is not ops' to know: no referral in the alert or its outbox.
    assert referral_id not in body
    assert not [r for r in cloud.store.outbox.for_referral(referral_id)
                if r.kind == "ops_letter_format_missing"]


def test_information_by_email_sends_an_email_instead_of_a_letter(
        cloud: Cloud, api: Api, notify: LocalNotify) -> None:
    referral_id = booked(cloud, api, VALID_NHS_NUMBERS[1], **LETTER,
                         patient__email="grace@example.com",
                         patient__communication_needs=[{"need": "information_by_email"}])

    through(cloud, notify, FakeSender()).run(datetime.now(UTC))

    sent = notify.find(reference(row(cloud, referral_id, "appointment_confirmation")))
    assert [m.type for m in sent] == ["email"]
    assert cloud.referral(referral_id).needs_met == ("information_by_email",)


def test_a_patient_who_cannot_use_a_phone_is_texted_rather_than_rung(
        cloud: Cloud, api: Api, notify: LocalNotify) -> None:
    # Text relay: they cannot take an ordinary call (a BSL user's confirmation waits for their
    # interpreter: tests/web/test_meeting_needs_pages.py).
    referral_id = booked(cloud, api, VALID_NHS_NUMBERS[1], patient__contact_preference="phone",
                         patient__communication_needs=[{"need": "contact_by_text_relay"}])

    through(cloud, notify, FakeSender()).run(datetime.now(UTC))

    confirmation = row(cloud, referral_id, "appointment_confirmation")
    assert confirmation.channel == "sms"  # not the coach's "phone them" task
    assert [m.type for m in notify.find(reference(confirmation))] == ["sms"]
    assert cloud.referral(referral_id).needs_met == ("contact_by_text_relay",)
