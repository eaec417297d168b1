"""A patient's right of access (issue 24 item 5, docs/right-of-access.md): their copy holds every
record the privacy canary plants for them and nothing of another patient; a request recorded
by their coach is due a calendar month on, ops list it without anyone's details; only the
patient's coach or a manager may produce the copy; after erasure it says nothing is held."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.integration.test_no_personal_data_in_runs import (
    GOAL,
    PATIENT,
    REASON,
    TRIAGE_NOTE,
    canaries_in,
    canary_body,
)
from tests.web.pages import Pages
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.integration

TODAY = datetime.now(UTC).date().isoformat()
ADDRESS = {"lines": ["1 Canarystreet", "Canarytown"], "postcode": "N1 9GU"}
# Planted in every case-record field a coach writes (each distinctive, as the canary's are).
PROFILE = {"work_history": "Canaryworkhistory", "skills_and_qualifications": "Canaryskills",
           "job_preferences": {"kind_of_work": "Canarykindofwork", "hours": "Canaryhours",
                               "area": "Canaryarea"},
           "barriers": "Canarybarriers", "disclosure": "Canarydisclosure",
           "goals": [{"goal": "Canaryprofilegoal", "status": "in_progress"}], "confidence": 7}
CONTACT = {"on": TODAY, "kind_of_employer": "Canaryemployer", "outcome": "interview",
           "detail": "Canarycontactdetail"}
NOTE = "Canarycasenote"
# Every value planted for patient one, as the copy gives it (the date of birth in words).
PLANTED = ["Canarygiven", "Canaryfamily", "canary.person@example.com", "07700 900123",
           "943 476 5919", "28 February 1979", "1 Canarystreet", "Canarytown", "N1 9GU", REASON,
           TRIAGE_NOTE, GOAL, "Canaryworkhistory", "Canaryskills", "Canarykindofwork",
           "Canaryhours",
           "Canaryarea", "Canarybarriers", "Canarydisclosure", "Canaryprofilegoal",
           "Canaryemployer", "Canarycontactdetail", NOTE,
           # The communication needs the canary plants (the language and the words).
           "Canarylanguage", "Canaryneed words"]
OTHER = ["Otherpatientgiven", "Otherpatientfamily", "Otherpatientreason", "Otherpatientnote"]


def _refer_the_canary(api: Api) -> str:
    body = canary_body()
    body["patient"]["address"] = ADDRESS
    reply = api.call("POST", "/referrals", api.referrer(), body)
    assert reply.status == 201, reply.body
    referral_id = str(reply.body["referral_id"])
    api.awaiting(referral_id, "triage_decision")
    reply = api.step(referral_id, "triage", {"decision": "accept", "reason": TRIAGE_NOTE},
                     api.coach("coach-amara"))
    assert reply.status == 200, reply.body
    return referral_id


def _case_record(api: Api, referral_id: str) -> None:
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    reply = api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 1,
                                              "goals": [GOAL], "confidence": 4})
    assert reply.status == 200, reply.body
    coach, path = api.coach_of(referral_id), f"/referrals/{referral_id}"
    for route, body in (("profile", PROFILE), ("employer-contacts", CONTACT),
                        ("benefits-advice", {"given": True, "on": TODAY}),
                        ("notes", {"text": NOTE})):
        reply = api.call("POST", f"{path}/{route}", coach, body)
        assert reply.status in {200, 201}, (route, reply.body)


def _another_patient(api: Api) -> str:
    """A second patient at the same practice, possibly with the same coach (their rows sit
    beside patient one's in the coach's diary and the practice's audit)."""
    referral_id = api.refer(patient__nhs_number=VALID_NHS_NUMBERS[2],
                            patient__given_name="Otherpatientgiven",
                            patient__family_name="Otherpatientfamily",
                            reason="Otherpatientreason text")
    api.awaiting(referral_id, "appointment_outcome")
    reply = api.call("POST", f"/referrals/{referral_id}/notes", api.coach_of(referral_id),
                     {"text": "Otherpatientnote"})
    assert reply.status == 201, reply.body
    for token in (api.referrer(), api.coach_of(referral_id)):  # reads the audit keeps
        assert api.get(referral_id, token).status == 200
    return referral_id


def _text_of(copy: Any) -> str:
    return json.dumps(copy, ensure_ascii=False)


def missing(text: str, values: list[str]) -> list[str]:
    return [v for v in values if v not in text]


def test_a_patients_copy_holds_every_value_planted_for_them_and_nothing_of_another_patient(
        cloud: Cloud, api: Api) -> None:
    one = _refer_the_canary(api)
    two = _another_patient(api)
    _case_record(api, one)
    coach = api.coach_of(one)

    reply = api.call("GET", f"/referrals/{one}/copy", coach)
    assert reply.status == 200, reply.body
    assert reply.body["erased"] is False
    assert missing(_text_of(reply.body), PLANTED) == []
    assert [v for v in OTHER if v in _text_of(reply.body)] == []
    assert two not in _text_of(reply.body)
    shown_values = [v for section in reply.body["sections"]
                    for v in [*(r["value"] for r in section["rows"]),
                              *(c for row in (section["table"] or {}).get("rows", [])
                                for c in row)]]
    codes = [v for v in shown_values if re.search(r"\b[a-z]+_[a-z_]+\b", v)]
    assert codes == [], "internal codes are put in words"
    dates_as_stored = [v for v in shown_values if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", v)]
    assert dates_as_stored == [], "dates are in words (7 December 2026)"
    headings = [s["heading"] for s in reply.body["sections"]]
    assert "Who looked at your record, and when" in headings
    assert "Messages sent about you, and whether they arrived" in headings

    pages = Pages(cloud.built.pool)
    assert pages.sign_in(f"coach:{cloud.referral(one).coach_id}").status == 303
    shown = pages.get(f"/access-requests/{one}/copy")
    assert shown.status == 200
    assert missing(shown.text.replace("&#39;", "'"), PLANTED) == []
    assert [v for v in OTHER if v in shown.text] == []
    assert two not in shown.text
    as_json = pages.get(f"/access-requests/{one}/copy?format=json")
    assert as_json.headers["content-type"].startswith("application/json")
    assert missing(as_json.text, PLANTED) == []


def test_a_copy_names_no_other_patient_even_where_their_rows_are_read_beside_it(
        cloud: Cloud, api: Api) -> None:
    """The coach's diary and the practice's page-view audit hold rows of many referrals: the
    copy takes only this referral's."""
    one = api.refer()
    two = _another_patient(api)
    api.awaiting(one, "appointment_outcome")
    assert api.call("GET", "/referrals", api.referrer()).status == 200  # one audit, both ids
    copy = api.call("GET", f"/referrals/{one}/copy", api.coach_of(one)).body
    assert "Ada" in _text_of(copy)
    assert [v for v in OTHER if v in _text_of(copy)] == []
    assert two not in _text_of(copy)


def test_a_request_recorded_by_the_coach_is_due_a_calendar_month_on_and_ops_see_it(
        cloud: Cloud, api: Api) -> None:
    one = _refer_the_canary(api)
    api.awaiting(one, "appointment_outcome")
    coach = api.coach_of(one)
    received = (datetime.now(UTC).date() - timedelta(days=60)).isoformat()
    reply = api.call("POST", f"/referrals/{one}/access-requests", coach,
                     {"received_on": received, "via": "phone", "send_by": "post"})
    assert reply.status == 201, reply.body
    assert reply.body["due_on"] > received
    assert reply.body["overdue"] is True  # received long ago and not yet given
    again = api.call("POST", f"/referrals/{one}/access-requests", coach,
                     {"received_on": TODAY, "via": "letter", "send_by": "post"})
    assert again.status == 201
    assert again.body["request_id"] == reply.body["request_id"]  # one open request

    pages = Pages(cloud.built.pool)
    assert pages.sign_in("ops").status == 303
    listed = pages.get("/access-requests")
    assert listed.status == 200
    assert str(cloud.referral(one).reference) in listed.text
    assert "Overdue" in listed.text
    assert canaries_in(listed.text) == []

    # Producing the copy fulfils it: it leaves ops's list, and says who produced it and when.
    assert api.call("GET", f"/referrals/{one}/copy", coach).status == 200
    requests = api.call("GET", f"/referrals/{one}/access-requests", coach).body
    assert requests[0]["fulfilled_by"] == f"coach:{cloud.referral(one).coach_id}"
    assert requests[0]["fulfilled_at"]
    assert str(cloud.referral(one).reference) not in pages.get("/access-requests").text


def test_producing_the_copy_is_an_audited_read(cloud: Cloud, api: Api) -> None:
    one = api.refer()
    api.awaiting(one, "appointment_outcome")
    coach = api.coach_of(one)
    assert api.call("GET", f"/referrals/{one}/copy", coach).status == 200
    reads = cloud.store.audit.trail(one)
    assert any(r.purpose.startswith("a copy of what is held") and
               r.actor == f"coach:{cloud.referral(one).coach_id}" for r in reads)
    # ...and the next copy lists that read among who looked at the record.
    copy = api.call("GET", f"/referrals/{one}/copy", coach).body
    reads_section = next(s for s in copy["sections"] if s["key"] == "reads")
    assert any("a copy of what is held" in row[2] for row in reads_section["table"]["rows"])


def test_only_the_patients_coach_or_a_manager_may_produce_the_copy(
        cloud: Cloud, api: Api) -> None:
    one = api.refer()
    item = api.awaiting(one, "appointment_outcome")
    other_coach = "coach-bilal" if item.coach_id != "coach-bilal" else "coach-amara"
    refused = {"referrer": (api.referrer(), 403), "ops": (api.ops(), 403),
               "commissioner": (cloud.token(Role.COMMISSIONER), 403),
               "another coach": (api.coach(other_coach), 404)}
    for who, (token, status) in refused.items():
        for method, path, body in (("GET", f"/referrals/{one}/copy", None),
                                   ("POST", f"/referrals/{one}/access-requests",
                                    {"received_on": TODAY, "via": "phone", "send_by": "post"})):
            reply = api.call(method, path, token, body)
            assert reply.status == status, (who, method, reply.body)
            assert reply.headers["Content-Type"] == "application/problem+json"
    manager = cloud.token(Role.MANAGER)
    reply = api.call("POST", f"/referrals/{one}/access-requests", manager,
                     {"received_on": TODAY, "via": "in_person", "send_by": "post"})
    assert reply.status == 201, reply.body
    assert reply.body["recorded_by"] == "manager"
    assert api.call("GET", f"/referrals/{one}/copy", manager).status == 200


def test_a_request_with_mistakes_names_each_field_and_records_nothing(
        cloud: Cloud, api: Api) -> None:
    one = api.refer()
    api.awaiting(one, "appointment_outcome")
    coach = api.coach_of(one)
    tomorrow = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    reply = api.call("POST", f"/referrals/{one}/access-requests", coach,
                     {"received_on": tomorrow, "via": "carrier pigeon"})
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"received_on", "via", "send_by"}
    assert api.call("GET", f"/referrals/{one}/access-requests", coach).body == []


def test_after_erasure_the_copy_says_nothing_is_held(cloud: Cloud, api: Api) -> None:
    one = api.refer(patient=dict(PATIENT))
    api.awaiting(one, "appointment_outcome")
    coach = api.coach_of(one)
    asked = api.call("POST", f"/referrals/{one}/access-requests", coach,
                     {"received_on": TODAY, "via": "phone", "send_by": "post"})
    assert asked.status == 201, asked.body
    reply = api.call("POST", f"/referrals/{one}/withdraw", coach, {"erase_personal_data": True})
    assert reply.status == 200, reply.body
    # The request outlives the erasure (it holds no details), and is answered all the same.
    copy = api.call("GET", f"/referrals/{one}/copy", coach)
    assert copy.status == 200, copy.body
    assert copy.body["erased"] is True
    assert "We hold no personal details about you" in _text_of(copy.body)
    assert canaries_in(_text_of(copy.body)) == []
    (request,) = api.call("GET", f"/referrals/{one}/access-requests", coach).body
    assert request["fulfilled_at"]


def test_the_copy_lists_the_patients_own_requests(cloud: Cloud, api: Api) -> None:
    one = api.refer()
    api.awaiting(one, "appointment_outcome")
    coach = api.coach_of(one)
    api.call("POST", f"/referrals/{one}/access-requests", coach,
             {"received_on": TODAY, "via": "letter", "send_by": "post"})
    copy = api.call("GET", f"/referrals/{one}/copy", coach).body
    requests = next(s for s in copy["sections"] if s["key"] == "requests")
    assert requests["table"]["rows"][0][1] == "By letter"
