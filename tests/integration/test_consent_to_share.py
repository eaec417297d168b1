"""How the patient is getting on is theirs to share: a practice whose patient did not agree
(`share_outcome_with_gp: false`) sees the same coarse referral in the JSON API, on its pages and
in the FHIR Task (received, accepted, ended: no appointment, no attendance, no job, no reason
support ended, no moment any of them happened); with the patient's agreement it sees them all.
Coaches and ops see everything either way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.web.pages import Pages

pytestmark = pytest.mark.integration

FAST = {"review_interval_days": 5}
# What a practice without consent must never learn, in any of the three.
ENGAGEMENT_EVENTS = ("appointment_booked", "first_appointment_attended", "review_exit")
ENGAGEMENT_WORDS = ("Being coached", "First appointment booked", "Went to the first appointment",
                    "Appointment booked", "Volunteering", "volunteering")


def in_support(api: Api, cloud: Cloud, nhs_number: str, shares: bool) -> str:
    referral_id = api.refer(patient__nhs_number=nhs_number,
                            consent__share_outcome_with_gp=shares)
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    return referral_id


def seen(api: Api, pages: Pages, referral_id: str) -> tuple[dict[str, Any], dict[str, Any],
                                                            str, str]:
    """The referral as the practice sees it: the API's JSON, the FHIR Task, its page and its
    row in the practice's list."""
    reply = api.get(referral_id, api.referrer())
    assert reply.status == 200, reply.body
    task = api.call("GET", f"/fhir/Task/{referral_id}", api.referrer())
    assert task.status == 200, task.body
    reference = reply.body["reference"]
    page = pages.get(f"/practice/referrals/{reference}")
    assert page.status == 200
    listed = pages.get("/practice").text
    row = listed.partition(f'data-referral-id="{referral_id}"')[2].partition("</tr>")[0]
    return reply.body, task.body, page.text, row


def business_status(task: dict[str, Any]) -> str:
    return str(task["businessStatus"]["coding"][0]["code"])


@pytest.mark.service_days(**FAST)
def test_without_consent_the_api_the_pages_and_fhir_show_one_coarse_referral(
        cloud: Cloud, api: Api) -> None:
    private = in_support(api, cloud, VALID_NHS_NUMBERS[0], shares=False)
    shared = in_support(api, cloud, VALID_NHS_NUMBERS[1], shares=True)
    pages = Pages(cloud.built.pool)
    pages.sign_in("referrer:F83001")

    body, task, page, row = seen(api, pages, private)
    assert body["status"] == "ACCEPTED"
    assert (body["fhir"]["task"], task["status"], business_status(task)) == \
        ("accepted", "accepted", "accepted")
    assert body["appointment"] is None
    assert body["awaiting"] is None
    events = [e["event"] for e in body["timeline"]]
    assert not set(events) & set(ENGAGEMENT_EVENTS), events
    # Nothing says when the patient came either: the last change shown is the last event shown.
    assert body["updated_at"] == body["timeline"][-1]["at"] == task["lastModified"]
    assert "Accepted" in row
    assert "Accepted" in page
    for words in ENGAGEMENT_WORDS:
        assert words not in page, words
        assert words not in row, words

    body, task, page, row = seen(api, pages, shared)
    assert body["status"] == "IN_SUPPORT"
    assert (task["status"], business_status(task)) == ("in-progress", "in_support")
    assert "first_appointment_attended" in [e["event"] for e in body["timeline"]]
    assert "Being coached" in row
    assert "Went to the first appointment" in page

    # The coach and ops see the private referral in full.
    coach = api.get(private, api.coach_of(private)).body
    assert coach["status"] == "IN_SUPPORT"
    assert api.call("GET", f"/fhir/Task/{private}", api.ops()).body["status"] == "in-progress"

    # How support ended is the patient's to share; that it ended, and when, is not.
    for referral_id in (private, shared):
        reply = api.step(referral_id, "reviews", {"decision": "exit", "employer_contacts": 0,
                                                  "exit_reason": "volunteering"})
        assert reply.status == 200, reply.body
        cloud.wait_for(referral_id, lambda i: i.status == "EXITED", what="exited")
    body, task, page, row = seen(api, pages, private)
    assert (body["status"], body["exit_reason"], task["status"]) == ("EXITED", None, "completed")
    assert "output" not in task
    assert [e["event"] for e in body["timeline"]][-1] == "support_ended"
    assert body["updated_at"] == body["timeline"][-1]["at"] == task["executionPeriod"]["end"]
    assert "Support ended" in page
    for words in ENGAGEMENT_WORDS:
        assert words not in page, words
    assert not {e["event"] for e in body["timeline"]} & set(ENGAGEMENT_EVENTS)
    body, task, page, _ = seen(api, pages, shared)
    assert body["exit_reason"] == "volunteering"
    assert task["output"][0]["valueCodeableConcept"]["coding"][0]["code"] == "volunteering"


def test_a_practice_cannot_filter_its_way_to_a_status_it_may_not_see(
        cloud: Cloud, api: Api) -> None:
    private = api.refer(patient__nhs_number=VALID_NHS_NUMBERS[2],
                        consent__share_outcome_with_gp=False)
    cloud.wait_for(private, lambda i: i.status == "APPOINTMENT_BOOKED", what="booked")

    refused = api.call("GET", "/referrals?status=APPOINTMENT_BOOKED", api.referrer())
    assert refused.status == 400, refused.body
    assert [e["field"] for e in refused.body["errors"]] == ["status"]
    accepted = api.call("GET", "/referrals?status=ACCEPTED", api.referrer())
    assert accepted.status == 200, accepted.body
    assert [(i["referral_id"], i["status"]) for i in accepted.body["items"]] == \
        [(private, "ACCEPTED")]
    everything = api.call("GET", "/referrals", api.referrer()).body["items"]
    assert [(i["status"], i["appointment"]) for i in everything] == [("ACCEPTED", None)]
    assert "APPOINTMENT_BOOKED" not in json.dumps(everything)
    # Ops filter as before.
    booked = api.call("GET", "/referrals?status=APPOINTMENT_BOOKED", api.ops()).body["items"]
    assert [i["referral_id"] for i in booked] == [private]
