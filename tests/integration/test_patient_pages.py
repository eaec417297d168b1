"""The patient's path from the link in their messages: their appointment and where it is, asking
their coach to change or cancel it, changing how they are contacted, and leaving. No sign-in:
the link is the key, and one that no longer works says what to do instead."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.web.pages import Page, Pages
from workingbetter.notifications.sending import Sending

# A real-time service clock: a booked appointment must not come round while the test looks at
# it (at the usual tenth of a second a day it would, within a second).
pytestmark = [pytest.mark.integration, pytest.mark.service_days(seconds_per_day="86400")]

LONG = 60.0


def booked_link(cloud: Cloud, api: Api, **changes: Any) -> tuple[str, str]:
    """A referral booked in, and the path of the patient's page (as their messages give)."""
    referral_id = api.refer(**{"patient__contact_preference": "email",
                               "patient__email": "ada@example.com", **changes})
    api.cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome",
                       LONG, "booked")
    token = f"{referral_id}.a-secret-only-the-patient-has"
    cloud.store.links.set_withdraw_link(referral_id, hashlib.sha256(token.encode()).hexdigest())
    return referral_id, f"/patient/{token}"


def post(pages: Pages, path: str, fields: dict[str, str]) -> Page:
    return pages._send("POST", path, urlencode(fields).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"})


def test_the_message_links_to_the_patients_page(cloud: Cloud, api: Api) -> None:
    sender = FakeSender()
    referral_id = api.refer(patient__contact_preference="email",
                            patient__email="ada@example.com")
    api.cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome",
                       LONG, "booked")
    Sending(cloud.store, sender, sender, cloud.settings).run()
    (confirmation,) = [b for b in sender.bodies("email") if "leave at any time" in b]
    path = "/" + confirmation.rsplit(" ", 1)[-1].split("://", 1)[1].split("/", 1)[1]
    assert path.startswith(f"/patient/{referral_id}.")

    page = Pages(cloud.built.pool).get(path)
    assert page.status == 200
    assert "Your next appointment" in page.text


def test_the_patient_sees_when_and_where_their_appointment_is(cloud: Cloud, api: Api) -> None:
    _, path = booked_link(cloud, api)
    page = Pages(cloud.built.pool).get(path)

    assert page.status == 200
    assert "Your next appointment" in page.text
    assert "City Road Medical Centre" in page.text
    assert "190 City Road, London EC1V 2QH" in page.text
    assert "020 7946 0001" in page.text  # how to get help
    assert "Nothing is shared with the Jobcentre" in page.text
    assert "<script" not in page.text


def test_asking_to_change_the_appointment_becomes_a_task_for_the_coach(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    pages = Pages(cloud.built.pool)
    assert pages.get(f"{path}/appointment").status == 200

    missing = post(pages, f"{path}/appointment", {})
    asked = post(pages, f"{path}/appointment", {"ask": "change"})

    assert missing.status == 422
    assert missing.error_summary() == [
        ("#ask", "Select whether you want to change or cancel your appointment")]
    assert (asked.status, asked.location) == (303, f"{path}?done=change")
    assert "asked your coach to find you a new time" in pages.get(asked.location).text
    tasks = [r for r in cloud.store.outbox.for_referral(referral_id)
             if r.kind == "coach_patient_asks_to_change"]
    assert [r.channel for r in tasks] == ["coach_task"]
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.timeline[-1].event == "patient_asked_to_change"
    assert item.timeline[-1].by == "patient"


def test_changing_how_to_be_contacted_is_checked_as_the_referral_form_checks_it(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    pages = Pages(cloud.built.pool)
    form = pages.get(f"{path}/contact")
    assert 'value="email" checked' in form.text

    wrong = post(pages, f"{path}/contact", {"contact_preference": "sms",
                                            "phone": "01632 960000",  # a landline
                                            "email": "not-an-address"})
    assert wrong.status == 422
    assert wrong.error_summary() == [
        ("#phone", "Enter a mobile number, like 07700 900 982: text messages go only to a "
                   "mobile"),
        ("#email", "Enter an email address, like name@example.com")]

    markup = post(pages, f"{path}/contact", {"contact_preference": "email", "phone": "",
                                             "email": '"><script>alert(1)</script>@x.example'})
    assert markup.status == 422
    assert markup.error_summary() == [("#email", "Enter an email address, like name@example.com")]

    done = post(pages, f"{path}/contact", {"contact_preference": "sms",
                                           "phone": "07700 900 123", "email": ""})
    assert (done.status, done.location) == (303, f"{path}?done=contact")
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["patient"]["contact_preference"] == "sms"
    assert personal["patient"]["phone"] == "07700 900 123"
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.contact_preference == "sms"
    assert item.timeline[-1].event == "contact_changed"

    by_letter = post(pages, f"{path}/contact", {"contact_preference": "letter"})
    assert by_letter.status == 422  # the page asks for no address, and none is on file
    assert by_letter.error_summary() == [("#contact-form", "We have no postal address for you: "
                                          "choose another way, or ask your surgery to add your "
                                          "address")]


def test_a_patient_referred_with_an_address_can_go_back_to_letters(
        cloud: Cloud, api: Api) -> None:
    address = {"lines": ["1 Upper Street", "London"], "postcode": "N1 0PN"}
    referral_id, path = booked_link(cloud, api, patient__contact_preference="letter",
                                    patient__address=address)
    pages = Pages(cloud.built.pool)
    for chosen in ({"contact_preference": "sms", "phone": "07700 900 123"},
                   {"contact_preference": "letter"}):
        done = post(pages, f"{path}/contact", chosen)
        assert (done.status, done.location) == (303, f"{path}?done=contact"), done.text
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["patient"]["contact_preference"] == "letter"
    assert personal["patient"]["address"] == address


def test_leaving_asks_first_then_says_nothing_is_shared(cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    pages = Pages(cloud.built.pool)

    confirm = pages.get(f"{path}/leave")
    assert confirm.status == 200
    assert "Are you sure you want to leave Working Better?" in confirm.text
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "APPOINTMENT_BOOKED"

    left = post(pages, f"{path}/leave", {})
    assert left.status == 200
    assert "You have left Working Better. Nothing is shared with the Jobcentre." in \
        " ".join(left.text.split())
    for page in (f"{path}", f"{path}/contact", f"{path}/appointment", f"{path}/leave"):
        gone = pages.get(page)
        assert gone.status == 410, page
        assert "You have left Working Better" in gone.text
        assert "020 7946 0000" in gone.text  # the service's phone (WB_SERVICE_PHONE)


@pytest.mark.parametrize("token", ["made-up", "no-such-referral.secret", "x" * 300])
def test_a_link_that_never_worked_gets_the_styled_page_saying_what_to_do(
        cloud: Cloud, token: str) -> None:
    for suffix in ("", "/contact", "/appointment", "/leave"):
        page = Pages(cloud.built.pool).get(f"/patient/{token}{suffix}")
        assert page.status == 410
        assert "govuk-template" in page.text
        assert "This link has expired or was already used" in page.text
