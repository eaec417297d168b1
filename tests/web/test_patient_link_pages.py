"""The patient's own pages, from the link in their messages, say what they need to know: what
is on file for each way of contacting them (masked), how they are contacted and who their coach
is, that a change of time has been asked for, and, once they have left, that they have."""

from __future__ import annotations

import re

import boto3
import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.integration.test_patient_pages import booked_link, post
from tests.web.pages import Page, Pages
from workingbetter.adapters import keys

# A real-time service clock: the booked appointment must not come round while the test looks.
pytestmark = [pytest.mark.integration, pytest.mark.service_days(seconds_per_day="86400")]


@pytest.fixture
def api(cloud: Cloud) -> Api:
    return Api(cloud)


def words(page: Page) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def audit_purposes(cloud: Cloud, referral_id: str) -> list[str]:
    return [r.purpose for r in cloud.store.audit.trail(referral_id)]


def test_the_contact_page_chooses_what_they_chose_and_shows_what_is_on_file_masked(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api, patient__contact_preference="sms",
                                    patient__email="ada@example.com")
    page = Pages(cloud.built.pool).get(f"{path}/contact")

    assert page.status == 200
    assert 'value="sms" checked' in page.text
    said = words(page)
    assert "Number ending 982" in said
    assert "a…@example.com" in said
    assert "07700 900982" not in page.text
    assert "ada@example.com" not in page.text
    assert "the patient's contact page" in audit_purposes(cloud, referral_id)


def test_a_channel_with_nothing_on_file_is_never_chosen_for_them(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)  # email chosen, with an address
    # What the practice's records held on the day: email chosen, and no address given.
    boto3.resource("dynamodb").Table(cloud.settings.personal_data_table_name).update_item(
        Key=keys.personal(referral_id), UpdateExpression="REMOVE patient.email")
    page = Pages(cloud.built.pool).get(f"{path}/contact")

    assert page.status == 200
    assert " checked" not in page.text.partition('id="contact-form"')[2]
    assert "Nothing on file" in page.text


def test_saving_with_the_boxes_left_blank_keeps_what_is_on_file(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)  # email, with the default mobile on file
    pages = Pages(cloud.built.pool)

    done = post(pages, f"{path}/contact", {"contact_preference": "sms", "phone": "",
                                           "email": ""})

    assert (done.status, done.location) == (303, f"{path}?done=contact")
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["patient"]["phone"] == "07700 900982"
    assert personal["patient"]["email"] == "ada@example.com"


def test_the_home_page_says_how_they_are_contacted_and_names_their_coach(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.coach_id
    coach = cloud.store.directory.coach(item.coach_id)
    assert coach is not None
    assert coach.name

    said = words(Pages(cloud.built.pool).get(path))

    assert "We contact you by email." in said
    assert f"Your coach is {coach.name}." in said


def test_after_asking_to_change_the_time_the_appointment_says_a_change_was_asked_for(
        cloud: Cloud, api: Api) -> None:
    _, path = booked_link(cloud, api)
    pages = Pages(cloud.built.pool)
    assert "Change requested" not in pages.get(path).text

    asked = post(pages, f"{path}/appointment", {"ask": "change"})
    home = pages.get(asked.location)

    said = words(home)
    assert "Change requested" in said
    assert "You have asked to change this appointment." in said


def test_once_they_have_left_the_link_says_so_what_happens_now_and_the_services_phone(
        cloud: Cloud, api: Api) -> None:
    _, path = booked_link(cloud, api)
    pages = Pages(cloud.built.pool)
    assert post(pages, f"{path}/leave", {}).status == 200

    gone = pages.get(path)

    assert gone.status == 410
    said = words(gone)
    assert "You have left Working Better" in said
    assert "We will not contact you about Working Better again" in said
    assert "Call Working Better on 020 7946 0000" in said  # WB_SERVICE_PHONE, locally
    assert "works once" not in said


def test_a_link_that_never_worked_also_gives_the_services_phone(cloud: Cloud) -> None:
    gone = Pages(cloud.built.pool).get("/patient/made-up.link")
    assert gone.status == 410
    assert "This link has expired or was already used" in gone.text
    assert "Call Working Better on 020 7946 0000" in words(gone)
