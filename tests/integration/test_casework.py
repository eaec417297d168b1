"""The coach's case record through the HTTP API: profile, employer contacts, benefits advice and
notes live with the personal data (erased with it, every read audited); only dates reach the
referral item, for the outcome reports."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from tests.api_client import Api
from tests.conftest import Cloud
from workingbetter.domain.records.referral import JobFacts

pytestmark = pytest.mark.integration

PROFILE = {
    "work_history": "Ten years in retail, then off sick.",
    "skills_and_qualifications": "Forklift licence; NVQ 2 in customer service",
    "job_preferences": {"kind_of_work": "Warehouse", "hours": "16 a week", "area": "Islington"},
    "barriers": "Anxiety on crowded buses",
    "disclosure": "Happy to say they have a back condition",
    "goals": [{"goal": "Update the CV", "status": "achieved"},
              {"goal": "Two applications a week", "status": "in_progress"}],
    "confidence": 4,
}
TODAY = datetime.now(UTC).date().isoformat()


def in_support(api: Api) -> str:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    return referral_id


def items(cloud: Cloud, referral_id: str) -> dict[str, dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(cloud.settings.personal_data_table_name)
    found = table.query(KeyConditionExpression=Key("referral_id").eq(referral_id))["Items"]
    return {str(i["sk"]): i for i in found}


def audit_count(cloud: Cloud, referral_id: str) -> int:
    return len(cloud.store.audit.trail(referral_id))


def test_the_coach_keeps_a_case_record_and_only_dates_reach_the_referral(
        cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    path = f"/referrals/{referral_id}"

    assert api.call("POST", f"{path}/profile", coach, PROFILE).status == 200
    contact = {"on": TODAY, "kind_of_employer": "A bakery", "outcome": "interview",
               "detail": "Trial shift offered"}
    first = api.call("POST", f"{path}/employer-contacts", coach, contact,
                     **{"Idempotency-Key": "contact-0001"})
    again = api.call("POST", f"{path}/employer-contacts", coach, contact,
                     **{"Idempotency-Key": "contact-0001"})
    assert first.status == again.status == 201
    assert first.body == again.body  # a repeat records once
    assert api.call("POST", f"{path}/benefits-advice", coach,
                    {"given": True, "on": TODAY}).status == 200
    note = api.call("POST", f"{path}/notes", coach, {"text": "Talked about bus routes."})
    assert note.status == 201
    edited = api.call("POST", f"{path}/notes/{note.body['note_id']}", coach,
                      {"text": "Talked about bus routes and a travel card.", "version": 1})
    assert edited.status == 200

    before = audit_count(cloud, referral_id)
    profile = api.call("GET", f"{path}/profile", coach).body
    contacts = api.call("GET", f"{path}/employer-contacts", coach).body
    notes = api.call("GET", f"{path}/notes", coach).body
    assert audit_count(cloud, referral_id) == before + 3  # one entry a read

    assert profile["profile"]["goals"][0] == {"goal": "Update the CV", "status": "achieved"}
    assert [c["score"] for c in profile["confidence"]] == [4]
    assert [(c["on"], c["outcome"]) for c in contacts] == [(TODAY, "interview")]
    assert [n["text"] for n in notes] == ["Talked about bus routes and a travel card."]
    assert notes[0]["edited_at"]

    referral = cloud.store.referrals.get(referral_id)
    assert referral is not None
    assert referral.employer_contact_dates == (TODAY,)
    assert referral.benefits_advice_on == TODAY
    text = repr(referral)
    for personal in ("bakery", "Trial shift", "bus routes", "Forklift", "Islington"):
        assert personal not in text


YESTERDAY = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
KEYED = [("notes", {"text": "Talked about bus routes."}, {"text": "Rang the bakery."}),
         ("employer-contacts", {"on": TODAY, "kind_of_employer": "A bakery",
                                "outcome": "interview"},
          {"on": YESTERDAY, "kind_of_employer": "A care home", "outcome": "no_reply"})]


@pytest.mark.parametrize(("route", "first", "other"), KEYED, ids=[k[0] for k in KEYED])
def test_a_key_reused_with_a_different_body_is_refused_and_saves_nothing(
        cloud: Cloud, api: Api, route: str, first: dict[str, Any],
        other: dict[str, Any]) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    path = f"/referrals/{referral_id}/{route}"
    key = {"Idempotency-Key": f"{route}-0001"}
    assert api.call("POST", path, coach, first, **key).status == 201
    before = (items(cloud, referral_id), cloud.referral(referral_id).employer_contact_dates)

    reused = api.call("POST", path, coach, other, **key)

    assert reused.status == 409, reused.body
    assert reused.headers["Content-Type"] == "application/problem+json"
    assert "already used for a different request" in reused.body["detail"]
    assert [e["field"] for e in reused.body["errors"]] == ["Idempotency-Key"]
    after = (items(cloud, referral_id), cloud.referral(referral_id).employer_contact_dates)
    assert after == before


@pytest.mark.parametrize(("route", "first", "other"), KEYED, ids=[k[0] for k in KEYED])
def test_a_key_reused_with_the_same_body_answers_the_first_result(
        cloud: Cloud, api: Api, route: str, first: dict[str, Any],
        other: dict[str, Any]) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    path = f"/referrals/{referral_id}/{route}"
    key = {"Idempotency-Key": f"{route}-0002"}
    made = api.call("POST", path, coach, first, **key)
    time.sleep(1.1)  # a retry comes later: in another second than the first
    replayed = api.call("POST", path, coach, dict(reversed(first.items())), **key)

    assert (made.status, replayed.status) == (201, 201)
    assert replayed.body == made.body
    listed = api.call("GET", path, coach).body
    assert len(listed) == 1, listed
    facts = [e.event for e in cloud.referral(referral_id).timeline
             if e.event == "employer_contact_recorded"]
    assert len(facts) == (1 if route == "employer-contacts" else 0)


def test_two_saves_of_a_note_from_one_version_the_second_is_refused_with_the_current_text(
        cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    notes = f"/referrals/{referral_id}/notes"
    made = api.call("POST", notes, coach, {"text": "Talked about bus routes."})
    (listed,) = api.call("GET", notes, coach).body
    assert listed["version"] == 1
    path = f"{notes}/{made.body['note_id']}"

    first = api.call("POST", path, coach, {"text": "Bus routes and a travel card.",
                                           "version": 1})
    before = audit_count(cloud, referral_id)
    second = api.call("POST", path, coach, {"text": "Bus routes and a bike.", "version": 1})

    assert (first.status, first.body["version"]) == (200, 2)
    assert second.status == 409, second.body
    assert second.headers["Content-Type"] == "application/problem+json"
    assert second.body["current"] == {"text": "Bus routes and a travel card.", "version": 2}
    assert audit_count(cloud, referral_id) == before + 1  # the current text was read
    (kept,) = api.call("GET", notes, coach).body
    assert (kept["text"], kept["version"]) == ("Bus routes and a travel card.", 2)
    merged = api.call("POST", path, coach, {"text": "A travel card, and a bike.",
                                            "version": 2})
    assert (merged.status, merged.body["version"]) == (200, 3)
    missing = api.call("POST", path, coach, {"text": "No version said"})
    assert missing.status == 422
    assert [e["field"] for e in missing.body["errors"]] == ["version"]


def test_the_practice_and_ops_never_see_the_case_record(cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    api.call("POST", f"/referrals/{referral_id}/notes", coach, {"text": "Private words"})
    for token in (api.referrer(), api.ops()):
        assert api.call("GET", f"/referrals/{referral_id}/notes", token).status == 403
        assert "Private words" not in repr(api.get(referral_id, token).body)
    other = api.coach("coach-chloe")
    assert api.call("GET", f"/referrals/{referral_id}/notes", other).status == 404


BAD = [
    ("profile", {**PROFILE, "confidence": 11}, "confidence"),
    ("profile", {"goals": [{"goal": "x" * 201}]}, "goals.0.goal"),
    ("profile", {"barriers": "a\x00b"}, "barriers"),
    ("profile", {"salary": 3}, "salary"),
    ("employer-contacts", {"on": "2999-01-01", "kind_of_employer": "A shop",
                           "outcome": "interview"}, "on"),
    ("employer-contacts", {"on": TODAY, "kind_of_employer": "A shop", "outcome": "hired"},
     "outcome"),
    ("employer-contacts", {"on": TODAY, "outcome": "interview"}, "kind_of_employer"),
    ("benefits-advice", {"given": True}, "on"),
    ("benefits-advice", {"given": "yes", "on": TODAY}, "given"),
    ("benefits-advice", {"given": False, "on": TODAY}, "on"),
    ("notes", {"text": ""}, "text"),
    ("notes", {"text": "x" * 1001}, "text"),
]


def test_bad_input_names_its_field_and_writes_nothing(cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    before = items(cloud, referral_id)
    for route, body, field in BAD:
        reply = api.call("POST", f"/referrals/{referral_id}/{route}", coach, body)
        assert reply.status == 422, (route, reply.body)
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert field in [e["field"] for e in reply.body["errors"]], (route, reply.body)
        assert "x" * 50 not in repr(reply.body)
    assert items(cloud, referral_id) == before
    referral = cloud.store.referrals.get(referral_id)
    assert referral is not None
    assert referral.employer_contact_dates == ()


def test_erasure_removes_every_case_item(cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    path = f"/referrals/{referral_id}"
    api.call("POST", f"{path}/profile", coach, PROFILE)
    api.call("POST", f"{path}/employer-contacts", coach,
             {"on": TODAY, "kind_of_employer": "A shop", "outcome": "no_reply"})
    api.call("POST", f"{path}/benefits-advice", coach, {"given": True, "on": TODAY})
    api.call("POST", f"{path}/notes", coach, {"text": "A note"})
    kinds = {sk.split("#", 1)[0] for sk in items(cloud, referral_id)}
    assert kinds == {"PATIENT", "PROFILE", "CONFIDENCE", "CONTACT", "BENEFITS", "CASENOTE"}

    reply = api.call("POST", f"{path}/withdraw", coach, {"erase_personal_data": True})
    assert reply.status == 200, reply.body
    assert items(cloud, referral_id) == {}
    # The facts the reports count stay; nothing more can be written.
    referral = cloud.store.referrals.get(referral_id)
    assert referral is not None
    assert referral.employer_contact_dates == (TODAY,)
    assert api.call("POST", f"{path}/notes", coach, {"text": "Late"}).status == 409
    assert items(cloud, referral_id) == {}


def test_a_job_start_keeps_its_pay_band_and_self_employment_on_the_referral(
        cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    api.awaiting(referral_id, "review")
    job = {"employer": "Angel Bakery", "role": "Baker's assistant", "hours_per_week": 16,
           "start_date": (date.today() + timedelta(days=7)).isoformat(), "pay_band": "llw",
           "self_employed": False}
    reply = api.step(referral_id, "reviews", {"decision": "job_start", "employer_contacts": 2,
                                              "job": job})
    assert reply.status == 200, reply.body
    referral = cloud.store.referrals.get(referral_id)
    assert referral is not None
    assert referral.job == JobFacts(hours_per_week="16.0", start_date=str(job["start_date"]),
                                    pay_band="llw", self_employed=False)
    notes = [i for sk, i in items(cloud, referral_id).items() if sk.startswith("NOTE#")]
    assert any(n.get("role") == "Baker's assistant" and n.get("employer") == "Angel Bakery"
               for n in notes)
