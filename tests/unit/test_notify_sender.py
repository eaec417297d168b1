"""The Notify sender with the official client, against the local stack's Notify
(infra/notify_server.py): signed requests, Notify's refusals told apart from its hiccups, and
delivery receipts posted back with the callback token."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from infra.notify_server import (
    LOCAL_API_KEY,
    LOCAL_CALLBACK_TOKEN,
    SERVICE_ID,
    LocalNotify,
    local_templates,
)
from workingbetter.domain.notification_kinds import Kind
from workingbetter.notifications.notify import NotifySender
from workingbetter.notifications.senders import Message, SendFailed, SendRefused

FIELDS = {"given_name": "Ada", "when": "Monday 30 November at 09:30",
          "practice": "Upper Street Surgery",
          "withdraw_link": "http://127.0.0.1:8000/patient/withdraw/r1.secret"}


class Receipts:
    """A stand-in for the service's callback route: keeps what Notify posts."""

    def __init__(self) -> None:
        self.got: list[tuple[str | None, dict[str, Any]]] = []
        self.arrived = threading.Event()
        receipts = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receipts.got.append((self.headers.get("Authorization"), body))
                receipts.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/notify/callbacks"


@pytest.fixture
def receipts() -> Iterator[Receipts]:
    found = Receipts()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def notify(receipts: Receipts) -> Iterator[LocalNotify]:
    server = LocalNotify(receipts.url, receipt_after=0.05).start()
    yield server
    server.stop()


def sender(notify: LocalNotify, key: str = LOCAL_API_KEY) -> NotifySender:
    return NotifySender(key, notify.url, local_templates())


def confirmation(to: str = "07700 900982", **changes: Any) -> Message:
    return Message(Kind.APPOINTMENT_CONFIRMATION, to, dict(FIELDS), "r1/appointment_confirmation:x",
                   **changes)


def test_a_text_goes_through_notify_with_its_template_and_comes_back_as_a_receipt(
        notify: LocalNotify, receipts: Receipts) -> None:
    notification_id = sender(notify).sms(confirmation())
    (sent,) = notify.messages
    assert sent.id == notification_id
    assert sent.template_id == local_templates()["appointment_confirmation.sms"]
    assert "Hello Ada, your Working Better appointment is on Monday 30 November" in sent.body
    assert sent.body.endswith(FIELDS["withdraw_link"])
    assert receipts.arrived.wait(5)
    ((authorization, body),) = receipts.got
    assert authorization == f"Bearer {LOCAL_CALLBACK_TOKEN}"
    assert (body["id"], body["reference"], body["status"]) == (
        notification_id, "r1/appointment_confirmation:x", "delivered")


def test_notifys_test_number_for_a_permanent_failure_fails_for_good(
        notify: LocalNotify, receipts: Receipts) -> None:
    sender(notify).sms(confirmation("07700 900002"))
    assert receipts.arrived.wait(5)
    assert receipts.got[0][1]["status"] == "permanent-failure"


def test_a_key_notify_does_not_know_is_a_failure_to_retry_not_a_refusal(
        notify: LocalNotify) -> None:
    wrong = LOCAL_API_KEY.replace(SERVICE_ID, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(SendFailed) as failed:
        sender(notify, wrong).sms(confirmation())
    assert not isinstance(failed.value, SendRefused)
    assert notify.messages == []


def test_a_number_that_is_not_a_uk_mobile_is_refused_for_good(notify: LocalNotify) -> None:
    with pytest.raises(SendRefused) as refused:
        sender(notify).sms(confirmation("020 7946 0000"))
    assert "020" not in str(refused.value)  # the error never repeats the recipient


def test_a_letter_goes_to_the_address_lines_with_the_postcode_last(
        notify: LocalNotify, receipts: Receipts) -> None:
    sender(notify).letter(confirmation("", address=("1 Upper Street", "London", "N1 0PN")))
    (sent,) = notify.messages
    assert (sent.type, sent.to, sent.status) == ("letter", "1 Upper Street, London, N1 0PN",
                                                 "accepted")
    assert not receipts.arrived.wait(0.3)  # Notify sends no receipts for letters


def test_a_letter_without_a_real_postcode_is_refused_for_good(notify: LocalNotify) -> None:
    with pytest.raises(SendRefused):
        sender(notify).letter(confirmation("", address=("1 Upper Street", "London", "Nowhere")))


def test_a_template_missing_a_field_it_names_is_refused(notify: LocalNotify) -> None:
    message = confirmation()
    del message.fields["withdraw_link"]
    with pytest.raises(SendRefused):
        sender(notify).sms(message)


def test_the_latest_messages_come_first_from_notifys_list(notify: LocalNotify) -> None:
    first = sender(notify).sms(confirmation())
    second = sender(notify).email(confirmation("ada@example.com"))
    assert [m["id"] for m in sender(notify).recent()] == [second, first]
