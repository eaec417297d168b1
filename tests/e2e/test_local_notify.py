"""`make run` with its own GOV.UK Notify: messages go out through the official client to the
local Notify, its delivery receipts come back over HTTP to /notify/callbacks and reach the
outbox, and /dev/messages shows what a patient got, with a link that works."""

from __future__ import annotations

import html
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import local_stack_process
from tests.conftest import referral_body
from tests.e2e.test_local_stack import http
from tests.local_stack_process import Running
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.e2e

LETTER_ADDRESS = {"lines": ["1 Upper Street", "London"], "postcode": "N1 0PN"}


@pytest.fixture(scope="module")
def stack() -> Iterator[Running]:
    running = local_stack_process.start()
    yield running
    local_stack_process.stop(running)


def page(stack: Running, path: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Cookie": f"wb_token={token}"} if token else {}
    request = urllib.request.Request(stack.api + path, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def eventually(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def refer(stack: Running, practice: str, nhs_number: str, **patient: Any) -> str:
    referrer = stack.token(Role.REFERRER, practice_ods=practice)
    changes = {f"patient__{name}": value for name, value in patient.items()}
    code, created = http(stack, "POST", "/referrals", referrer,
                         referral_body(practice_ods=practice, patient__nhs_number=nhs_number,
                                       **changes))
    assert code == 201, created
    return str(created["referral_id"])


def confirmation_status(stack: Running, referral_id: str) -> str | None:
    ops = stack.token(Role.OPS)
    code, listed = http(stack, "GET", f"/ops/notifications?referral_id={referral_id}", ops)
    assert code == 200, listed
    found = [n["status"] for n in listed if n["kind"] == "appointment_confirmation"]
    return found[0] if found else None


def test_a_texts_delivery_receipt_comes_back_from_notify_to_the_outbox(stack: Running) -> None:
    referral_id = refer(stack, "F83002", "9434765846")
    eventually(lambda: confirmation_status(stack, referral_id) == "delivered",
               "the confirmation's receipt")


def test_a_text_notify_cannot_deliver_becomes_the_coachs_task_and_an_ops_count(
        stack: Running) -> None:
    referral_id = refer(stack, "F83003", "9434765838", phone="07700 900002")  # Notify's test
    eventually(lambda: confirmation_status(stack, referral_id) == "permanent_failure",
               "the confirmation's failure")
    ops = stack.token(Role.OPS)
    code, view = http(stack, "GET", f"/referrals/{referral_id}", ops)
    assert code == 200, view
    coach = stack.token(Role.COACH, coach_id=view["coach_id"])
    eventually(lambda: "could not be delivered to the patient" in page(stack, "/coach", coach)[1],
               "the coach's task")
    code, console = page(stack, "/ops", ops)
    assert code == 200
    assert re.search(r"\d+ messages? GOV.UK Notify could not deliver", console)
    assert referral_id in console.partition('id="undelivered-messages"')[2]


def test_the_messages_page_shows_what_the_patient_got_and_their_link_works(
        stack: Running) -> None:
    referral_id = refer(stack, "F83005", "9434765811", given_name="Grace")
    eventually(lambda: confirmation_status(stack, referral_id) in {"sent", "delivered"},
               "the confirmation")
    code, shown = page(stack, "/dev/messages")
    assert code == 200
    links = re.findall(r'<a class="govuk-link" href="([^"]+/patient/[^"]+)"', shown)
    mine = [link for link in links if html.unescape(link).split("/")[-1].startswith(referral_id)]
    assert len(mine) == 1, links
    assert "Hello Grace" in shown
    assert "07700 900982" in shown
    code, leave = page(stack, html.unescape(mine[0]).removeprefix(stack.api))
    assert code == 200
    assert "Leave Working Better" in leave


def test_a_patient_who_chose_letters_gets_a_letter_through_notify(stack: Running) -> None:
    referral_id = refer(stack, "F83006", "9434765803", contact_preference="letter",
                        address=LETTER_ADDRESS, given_name="Lettice")
    eventually(lambda: confirmation_status(stack, referral_id) == "sent", "the letter")
    shown = page(stack, "/dev/messages")[1]
    row = shown.partition("Hello Lettice")[0].rpartition('class="govuk-summary-card"')[2]
    assert "1 Upper Street, London, N1 0PN" in row
    assert "Letter" in row
