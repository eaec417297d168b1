"""GOV.UK Notify's delivery receipts: each finds its message by the reference sent with it,
moves it on once and never back, and a message a patient never got becomes their coach's task
and a count on the ops console. Only Notify's own bearer token gets in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api_client import Api, Reply
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.web.pages import Pages
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration

TOKEN = "local-notify-callback-token"  # the local stack's; tests/conftest uses the same
LETTER_ADDRESS = {"lines": ["1 Upper Street", "London"], "postcode": "N1 0PN"}


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def sending(cloud: Cloud, sender: FakeSender) -> Sending:
    return Sending(cloud.store, sender, sender, cloud.settings)


def confirmation(cloud: Cloud, referral_id: str) -> OutboxRow:
    (row,) = [r for r in cloud.store.outbox.for_referral(referral_id)
              if r.kind == "appointment_confirmation"]
    return row


def booked_and_sent(cloud: Cloud, api: Api, sending: Sending, **changes: Any) -> str:
    referral_id = api.refer(**changes)
    cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome",
                   what="booked")
    now = datetime.now(UTC)
    for _ in range(5):  # at night a text waits until 08:00: a moment on the test's clock
        sending.run(now)
        if confirmation(cloud, referral_id).state != "scheduled":
            break
        now += timedelta(seconds=0.05)
    assert confirmation(cloud, referral_id).state in {"sent", "permanent_failure"}
    return referral_id


def receipt(api: Api, referral_id: str, status: str, token: str | None = TOKEN,
            **changes: Any) -> Reply:
    body = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a",
            "reference": f"{referral_id}/{confirmation(api.cloud, referral_id).notification_id}",
            "to": "07700 900982", "status": status,
            "created_at": "2026-11-23T10:00:00.000000Z", "completed_at": None,
            "sent_at": None, "notification_type": "sms",
            "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a", "template_version": 1,
            **changes}
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = api.client.http.post("/notify/callbacks", body=json.dumps(body).encode(),
                                    headers={"Content-Type": "application/json", **headers})
    text = response.body.decode()
    return Reply(response.status_code, json.loads(text) if text else None,
                 {k.lower(): v for k, v in response.headers.items()})


def test_a_delivery_receipt_marks_the_message_delivered(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    reply = receipt(api, referral_id, "delivered")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "delivered"
    row = confirmation(cloud, referral_id)
    assert row.state == "delivered"
    assert row.receipt_at
    assert "07700" not in json.dumps(row, default=str)  # the receipt's recipient is not kept


@pytest.mark.parametrize("token", [None, "", "not-the-token", TOKEN + "x"])
def test_a_receipt_without_notifys_token_is_refused_and_changes_nothing(
        cloud: Cloud, api: Api, sending: Sending, token: str | None) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    reply = receipt(api, referral_id, "delivered", token=token)
    assert reply.status == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert confirmation(cloud, referral_id).state == "sent"


def test_the_services_own_sign_in_token_does_not_open_notifys_callback(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    assert receipt(api, referral_id, "delivered", token=api.ops()).status == 401


@pytest.mark.parametrize(("first", "then", "final"), [
    ("delivered", "delivered", "delivered"),
    ("delivered", "temporary-failure", "delivered"),
    ("permanent-failure", "delivered", "permanent_failure"),
    ("delivered", "permanent-failure", "delivered"),
    ("temporary-failure", "delivered", "delivered"),
    ("technical-failure", "temporary-failure", "temporary_failure"),
    ("sending", "delivered", "delivered"),
])
def test_a_repeated_or_late_receipt_never_moves_a_message_back(
        cloud: Cloud, api: Api, sending: Sending, first: str, then: str, final: str) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    assert receipt(api, referral_id, first).status == 200
    reply = receipt(api, referral_id, then)
    assert reply.status == 200
    assert reply.body["status"] == final
    assert confirmation(cloud, referral_id).state == final


def coach_tasks(cloud: Cloud, referral_id: str) -> list[OutboxRow]:
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    return [t for t in cloud.store.outbox.tasks_for(str(item.coach_id), 50)
            if t.referral_id == referral_id and t.kind == "coach_message_undelivered"]


def test_a_message_that_could_not_be_delivered_becomes_a_task_for_the_coach_and_an_ops_count(
        cloud: Cloud, api: Api, sending: Sending) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    for _ in range(2):  # Notify retries a callback it thinks failed: one task all the same
        assert receipt(api, referral_id, "permanent-failure").status == 200
    sending.run(datetime.now(UTC) + timedelta(seconds=0.2))
    (task,) = coach_tasks(cloud, referral_id)
    assert task.notification_id.startswith("coach_message_undelivered:appointment_confirm")

    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    coach = Pages(cloud.built.pool)
    coach.sign_in(f"coach:{item.coach_id}")
    caseload = coach.get("/coach")
    assert "could not be delivered to the patient (their appointment confirmation)" in \
        caseload.text

    ops = Pages(cloud.built.pool)
    ops.sign_in("ops")
    console = ops.get("/ops")
    assert console.status == 200
    assert "1 message GOV.UK Notify could not deliver" in console.text
    listed = console.text.partition('id="undelivered-messages"')[2].partition("</table>")[0]
    assert referral_id in listed
    assert "Appointment confirmation" in listed
    assert "Ada" not in listed
    assert "07700" not in listed


def not_delivered(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The MessageNotDelivered metrics published so far (CloudWatch's embedded metric format,
    as Powertools prints it), each as its dimensions and value."""
    found = []
    for line in capsys.readouterr().out.splitlines():
        if '"_aws"' not in line:
            continue
        metric = json.loads(line)
        names = [m["Name"] for d in metric["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]
        if "MessageNotDelivered" in names:
            found.append({k: v for k, v in metric.items() if k != "_aws"})
    return found


def test_a_message_notify_could_not_deliver_is_counted_once_by_channel_and_kind_for_the_alarm(
        cloud: Cloud, api: Api, sending: Sending, capsys: pytest.CaptureFixture[str]) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    capsys.readouterr()
    assert receipt(api, referral_id, "temporary-failure").status == 200
    for _ in range(2):  # Notify retries a callback it thinks failed: counted once
        assert receipt(api, referral_id, "permanent-failure").status == 200
    counted = not_delivered(capsys)
    assert counted == [
        {"service": "working-better", "channel": "sms", "kind": "appointment_confirmation",
         "failure": "temporary", "MessageNotDelivered": [1.0]},
        {"service": "working-better", "channel": "sms", "kind": "appointment_confirmation",
         "failure": "permanent", "MessageNotDelivered": [1.0]}]
    assert referral_id not in json.dumps(counted)  # by channel and kind, never by patient


def test_a_delivered_message_is_not_counted_as_undelivered(
        cloud: Cloud, api: Api, sending: Sending, capsys: pytest.CaptureFixture[str]) -> None:
    referral_id = booked_and_sent(cloud, api, sending)
    capsys.readouterr()
    assert receipt(api, referral_id, "sending").status == 200
    assert receipt(api, referral_id, "delivered").status == 200
    assert not_delivered(capsys) == []


@pytest.mark.parametrize(("body", "status", "field"), [
    ([], 422, "body"),
    ({"id": "x", "reference": "a/b"}, 422, "status"),
    ({"id": "x", "reference": "a/b", "status": "lost-in-the-post"}, 422, "status"),
    ({"id": "x", "status": "delivered"}, 422, "reference"),
    ({"id": "x", "reference": "no-separator", "status": "delivered"}, 422, "reference"),
    ({"id": "x", "reference": "a" * 700, "status": "delivered"}, 422, "reference"),
    ({"id": "x", "reference": "unknown/appointment_confirmation:x", "status": "delivered"},
     404, None),
])
def test_a_receipt_that_is_not_one_is_refused_with_problem_json_not_a_500(
        cloud: Cloud, api: Api, body: Any, status: int, field: str | None) -> None:
    response = api.client.http.post(
        "/notify/callbacks", body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == status, response.body
    problem = json.loads(response.body)
    assert response.headers["Content-Type"] == "application/problem+json"
    if field:
        assert field in {e["field"] for e in problem["errors"]}


def test_a_receipt_that_is_not_json_is_refused_as_any_body_that_is_not_is(
        cloud: Cloud, api: Api) -> None:
    response = api.client.http.post(
        "/notify/callbacks", body=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_patient_who_chose_letters_gets_a_letter_at_their_address(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    referral_id = booked_and_sent(cloud, api, sending, patient__contact_preference="letter",
                                  patient__address=LETTER_ADDRESS)
    (letter,) = [m for c, m in sender.sent if c == "letter"]
    assert letter.address == ("1 Upper Street", "London", "N1 0PN")
    assert set(letter.fields) == {"given_name", "when", "practice", "withdraw_link"}
    assert letter.reference.startswith(f"{referral_id}/appointment_confirmation:")
    # The reminder would arrive after the appointment by post: the coach rings instead.
    reminder = [r for r in cloud.store.outbox.for_referral(referral_id)
                if r.kind == "appointment_reminder"]
    assert [r.channel for r in reminder] == ["coach_task"]


def test_a_message_notify_refuses_for_good_goes_to_the_coach_at_once_not_after_retries(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    sender.refusing.add("sms")
    referral_id = booked_and_sent(cloud, api, sending)
    row = confirmation(cloud, referral_id)
    assert (row.state, int(row.attempts)) == ("permanent_failure", 0)
    sending.run(datetime.now(UTC) + timedelta(seconds=0.2))
    assert [t for t in coach_tasks(cloud, referral_id)
            if ":appointment_confirmation:" in t.notification_id] != []


def test_only_the_fields_a_template_names_go_to_notify(
        cloud: Cloud, api: Api, sending: Sending, sender: FakeSender) -> None:
    booked_and_sent(cloud, api, sending)
    (sms,) = [m for c, m in sender.sent
              if c == "sms" and m.kind is Kind.APPOINTMENT_CONFIRMATION]
    assert set(sms.fields) == {"given_name", "when", "practice", "withdraw_link"}
    for email in (m for c, m in sender.sent if c == "email"):  # the practice's
        assert "given_name" not in email.fields


def test_the_messages_page_is_not_found_off_the_local_stack(cloud: Cloud) -> None:
    assert cloud.settings.dev_messages is False
    page = Pages(cloud.built.pool).get("/dev/messages")
    assert page.status == 404
    assert "Page not found" in page.text
