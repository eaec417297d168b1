"""A patient's right of access as pages: the patient asks from their own page and is told by
when; their coach records a request made another way (mistakes named field by field) and
prints the copy; ops see the open requests, overdue ones marked, with no one's details."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.integration.test_no_personal_data_in_runs import PATIENT, canaries_in
from tests.integration.test_patient_pages import booked_link, post
from tests.web.pages import Page, Pages
from workingbetter.domain import dates
from workingbetter.domain.access_requests import due_on

# A real-time service clock: the booked appointment must not come round while the test looks.
pytestmark = [pytest.mark.integration, pytest.mark.service_days(seconds_per_day="86400")]


@pytest.fixture
def api(cloud: Cloud) -> Api:
    return Api(cloud)


def words(page: Page) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def test_the_patient_asks_for_a_copy_and_is_told_it_is_due_within_a_month(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api, patient__address={
        "lines": ["1 High Street", "London"], "postcode": "N1 9GU"})
    pages = Pages(cloud.built.pool)
    home = pages.get(path)
    assert f'href="{path}/copy"' in home.text

    form = pages.get(f"{path}/copy")
    assert form.status == 200
    assert "Ask for a copy of what we hold about you" in form.text
    assert "postcode N1 9GU" in words(form)
    assert "a…@example.com" in words(form)  # masked: never the address in full
    assert "ada@example.com" not in form.text

    nothing = post(pages, f"{path}/copy", {})
    assert nothing.status == 422
    assert nothing.error_summary() == [("#send_by", "Select how you would like your copy")]

    asked = post(pages, f"{path}/copy", {"send_by": "post"})
    assert asked.status == 303
    shown = pages.follow(asked)
    due = dates.day(due_on(dates.today()))
    assert f"We will send it by {due}" in words(shown)
    request = cloud.store.referrals.get(referral_id)
    assert request is not None
    again = post(pages, f"{path}/copy", {"send_by": "email"})  # asking twice: still one
    assert again.status in {200, 303}
    listed = api.call("GET", f"/referrals/{referral_id}/access-requests",
                      api.coach_of(referral_id)).body
    assert [(r["via"], r["send_by"], r["recorded_by"]) for r in listed] == \
        [("patient_page", "post", "patient")]


def test_the_coach_records_a_request_made_by_phone_naming_each_mistake(
        cloud: Cloud, api: Api) -> None:
    referral_id, _ = booked_link(cloud, api)
    coach = f"coach:{cloud.referral(referral_id).coach_id}"
    pages = Pages(cloud.built.pool)
    assert pages.sign_in(coach).status == 303
    record = pages.get(f"/coach/referrals/{referral_id}")
    assert f'href="/access-requests/{referral_id}"' in record.text
    page = pages.get(f"/access-requests/{referral_id}")
    assert page.status == 200

    wrong = pages.post(f"/access-requests/{referral_id}",
                       {"received_day": "31", "received_month": "2", "received_year": "2026"})
    assert wrong.status == 422
    assert [href for href, _ in wrong.error_summary()] == \
        ["#received_on-day", "#via", "#send_by"]

    received = datetime.now(UTC).date() - timedelta(days=3)
    done = pages.post(f"/access-requests/{referral_id}", {
        "received_day": str(received.day), "received_month": str(received.month),
        "received_year": str(received.year), "via": "phone", "send_by": "post"})
    assert done.status == 303
    shown = pages.follow(done)
    assert "Request recorded" in shown.text
    assert due_on(received).isoformat() in shown.text

    copy = pages.get(f"/access-requests/{referral_id}/copy")
    assert copy.status == 200
    assert "What Working Better holds about you" in copy.text
    assert "govuk-!-display-none-print" in copy.text  # the page prints without its header


def test_ops_see_open_requests_overdue_marked_and_no_personal_data(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(patient=dict(PATIENT))
    cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome", what="booked")
    long_ago = (datetime.now(UTC).date() - timedelta(days=45)).isoformat()
    reply = api.call("POST", f"/referrals/{referral_id}/access-requests",
                     api.coach_of(referral_id),
                     {"received_on": long_ago, "via": "letter", "send_by": "post"})
    assert reply.status == 201, reply.body

    pages = Pages(cloud.built.pool)
    assert pages.sign_in("ops").status == 303
    listed = pages.get("/access-requests")
    assert listed.status == 200
    said = words(listed)
    assert str(cloud.referral(referral_id).reference) in said
    assert "Overdue" in said
    assert f"coach:{cloud.referral(referral_id).coach_id}" in said  # who produces it
    assert canaries_in(listed.text) == []
    # Ops read no one's record: the copy and the referral's requests are not theirs.
    assert pages.get(f"/access-requests/{referral_id}/copy").status == 403
    assert pages.get(f"/access-requests/{referral_id}").status == 403


def test_a_manager_finds_a_referral_by_reference_records_a_request_and_produces_the_copy(
        cloud: Cloud, api: Api) -> None:
    referral_id, _ = booked_link(cloud, api)
    reference = str(cloud.referral(referral_id).reference)
    pages = Pages(cloud.built.pool)
    assert pages.sign_in("manager").status == 303
    listed = pages.get("/access-requests")
    assert 'id="find-form"' in listed.text
    found = pages.get(f"/access-requests?reference={reference.lower()}")
    assert found.status == 303
    assert found.location == f"/access-requests/{referral_id}"
    page = pages.get(found.location)
    assert page.status == 200
    today = dates.today()
    done = pages.post(f"/access-requests/{referral_id}", {
        "received_day": str(today.day), "received_month": str(today.month),
        "received_year": str(today.year), "via": "in_person", "send_by": "email"})
    assert done.status == 303
    assert reference in pages.get("/access-requests").text
    copy = pages.get(f"/access-requests/{referral_id}/copy")
    assert copy.status == 200
    assert "Ada" in copy.text
    assert reference not in pages.get("/access-requests").text  # fulfilled: off the list
