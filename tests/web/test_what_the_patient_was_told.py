"""The practice is told what is true at that moment: a booked patient whose appointment text
has not gone yet (held for 08:00, or waiting for the sender's next round) has not been told;
and the local messages page lists what is waiting to be sent, with when it goes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from infra.notify_server import LOCAL_API_KEY, LOCAL_CALLBACK_TOKEN, LocalNotify, local_templates
from tests.api_client import Api
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.web.pages import Pages
from tests.web.test_practice_pages import reference_of
from workingbetter.domain import dates, slots
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration


def confirmation(cloud: Cloud, referral_id: str) -> OutboxRow:
    (row,) = [r for r in cloud.store.outbox.for_referral(referral_id)
              if r.kind is Kind.APPOINTMENT_CONFIRMATION]
    return row


def booked(cloud: Cloud) -> str:
    api = Api(cloud)
    referral_id = api.refer()  # a text, as the patient chose
    api.awaiting(referral_id, "appointment_outcome")
    return referral_id


def what_next(pages: Pages, cloud: Cloud, referral_id: str) -> str:
    text = pages.get(f"/practice/referrals/{reference_of(cloud, referral_id)}").text
    return text.partition('id="what-next">')[2].partition("</p>")[0]


def hold_for_the_night(cloud: Cloud, referral_id: str) -> datetime:
    """What the sender does with a text due at night: it keeps the row, due at 08:00."""
    outbox = cloud.store.outbox
    row = confirmation(cloud, referral_id)
    now = datetime.now(UTC)
    eight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                             tzinfo=slots.UK).replace(hour=8).astimezone(UTC)
    assert outbox.claim(row, slots.iso(now), slots.iso(now + timedelta(minutes=5)))
    outbox.retry_at(row, slots.iso(now + timedelta(hours=1)), slots.iso(eight), row.attempts)
    return eight


def test_the_practice_is_told_the_text_is_still_to_go_until_it_has_gone(
        cloud: Cloud, pages: Pages) -> None:
    referral_id = booked(cloud)
    assert pages.sign_in("referrer:F83001").status == 303

    waiting = what_next(pages, cloud, referral_id)
    assert waiting.startswith("The first appointment is booked at your practice.")
    assert "has not been told yet: a text message with the appointment goes to them at" \
        in waiting
    assert "has been told" not in waiting and "has been sent" not in waiting  # noqa: PT018

    eight = hold_for_the_night(cloud, referral_id)
    held = what_next(pages, cloud, referral_id)
    assert "has not been told yet" in held
    assert f"{eight.astimezone(slots.UK):%H:%M}" == "08:00"
    assert f"{dates.day(eight)} at 8am" in held

    sender = FakeSender()
    Sending(cloud.store, sender, sender, cloud.settings).run(eight + timedelta(days=2))
    assert sender.bodies("sms")
    assert "has been sent a text message with the appointment" in \
        what_next(pages, cloud, referral_id)


@pytest.fixture
def messages_page(cloud: Cloud) -> Iterator[Pages]:
    """The local stack's /dev/messages, with its stand-in Notify (nothing sent through it)."""
    notify = LocalNotify("http://127.0.0.1:9/unused", receipt_after=3600).start()
    cloud.set_service_days(dev_messages="true", notify_base_url=notify.url,
                           notify_api_key=LOCAL_API_KEY, notify_callback_token=LOCAL_CALLBACK_TOKEN,
                           notify_templates=json.dumps(local_templates()))
    try:
        yield Pages(cloud.built.pool)
    finally:
        notify.stop()


def test_the_messages_page_lists_what_is_waiting_to_be_sent_and_when_it_goes(
        cloud: Cloud, messages_page: Pages) -> None:
    referral_id = booked(cloud)
    eight = hold_for_the_night(cloud, referral_id)

    page = messages_page.get("/dev/messages")

    assert page.status == 200, page.text
    assert "Nothing yet" not in page.text
    waiting = page.text.partition('id="waiting"')[2].partition("</dl>")[0]
    rows = waiting.split('class="govuk-summary-list__row"')[1:]
    mine = [r for r in rows if referral_id in r]
    assert any("Appointment confirmation (text message)" in r
               and f"{dates.day(eight)} at 8am" in r for r in mine), mine
    assert any("Appointment reminder (text message)" in r for r in mine), mine
