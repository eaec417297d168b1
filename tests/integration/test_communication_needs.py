"""A patient's communication needs (the Accessible Information Standard): recorded at intake in
the standard's terms, personal data (read with an audit entry, erased with the rest), counted
by kind on the referral for the reports, and shown to the practice only with the patient's own
consent to share them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.task import Task

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud, referral_body

pytestmark = pytest.mark.integration

BSL_AND_LARGE_PRINT = [{"need": "bsl_interpreter"}, {"need": "large_print"}]
INTERPRETER = [{"need": "language_interpreter", "language": "Polish"},
               {"need": "other", "detail": "Needs a quiet room"}]


def refer_with(api: Api, needs: list[dict[str, Any]], shares: bool,
               nhs: str = VALID_NHS_NUMBERS[0]) -> str:
    return api.refer(patient__nhs_number=nhs, patient__communication_needs=needs,
                     consent__share_needs_with_practice=shares)


def test_needs_sent_with_a_referral_are_kept_with_the_patient_and_counted_by_kind(
        cloud: Cloud, api: Api) -> None:
    referral_id = refer_with(api, INTERPRETER, shares=False)

    stored = cloud.personal_data(referral_id)
    assert stored is not None
    assert stored["patient"]["communication_needs"] == [
        {"need": "language_interpreter", "language": "Polish", "detail": None},
        {"need": "other", "language": None, "detail": "Needs a quiet room"}]
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    # Only the kinds, never the language or the words, sit on the workflow's item.
    assert item.need_kinds == ("language_interpreter", "other")
    assert item.share_needs_with_practice is False


def test_reading_needs_is_audited(cloud: Cloud, api: Api) -> None:
    referral_id = refer_with(api, BSL_AND_LARGE_PRINT, shares=True)
    needs = cloud.store.patients.communication_needs(referral_id, "coach:test", "meet needs")
    assert needs is not None
    assert [n.need for n in needs] == ["bsl_interpreter", "large_print"]
    assert [n.info.snomed for n in needs] == ["204331000000107", "957331000000109"]
    trail = cloud.store.audit.trail(referral_id)
    assert ("coach:test", "meet needs") in [(t.actor, t.purpose) for t in trail]


@pytest.mark.parametrize(("needs", "field", "words"), [
    ([{"need": "language_interpreter"}], "patient.communication_needs.0.language",
     "Enter the language"),
    ([{"need": "large_print", "language": "Polish"}], "patient.communication_needs.0.language",
     "Leave this out"),
    ([{"need": "other"}], "patient.communication_needs.0.detail", "Describe what"),
    ([{"need": "telepathy"}], "patient.communication_needs.0.need", ""),
    ([{"need": "braille"}, {"need": "braille"}], "patient.communication_needs",
     "each need once"),
])
def test_a_need_without_what_it_needs_is_refused_field_by_field_and_nothing_is_written(
        cloud: Cloud, api: Api, needs: list[dict[str, Any]], field: str, words: str) -> None:
    reply = api.call("POST", "/referrals", api.referrer(),
                     referral_body(patient__communication_needs=needs))
    assert reply.status == 422, reply.body
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    errors = {e["field"]: e["message"] for e in reply.body["errors"]}
    assert field in errors, errors
    assert words in errors[field]
    assert cloud.store.lists.for_practice("F83001") == []


def test_the_practice_sees_needs_only_with_the_patients_consent(cloud: Cloud, api: Api) -> None:
    shared = refer_with(api, BSL_AND_LARGE_PRINT, shares=True, nhs=VALID_NHS_NUMBERS[0])
    private = refer_with(api, BSL_AND_LARGE_PRINT, shares=False, nhs=VALID_NHS_NUMBERS[1])

    seen = api.get(shared, api.referrer()).body["patient"]
    assert seen["communication_needs"] == BSL_AND_LARGE_PRINT
    assert "communication_needs" not in api.get(private, api.referrer()).body["patient"]


def test_needs_are_erased_with_the_rest_of_the_personal_data(cloud: Cloud, api: Api) -> None:
    referral_id = refer_with(api, INTERPRETER, shares=True)
    reply = api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(),
                     {"erase_personal_data": True})
    assert reply.status == 200, reply.body

    assert cloud.personal_data(referral_id) is None
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.need_kinds == ()
    assert cloud.store.patients.communication_needs(referral_id, "coach:test", "meet needs") is None
    # Nothing can bring them back for an erased patient.
    assert not cloud.store.patients.set_communication_needs(referral_id, ())


# -- FHIR: needs arrive as Reasonable Adjustment Flags, and go to the practice's Task ---------

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "fhir" / "service-request.json"
FHIR = {"Content-Type": "application/fhir+json"}
NEEDS_CONSENT = {
    "resourceType": "Consent", "id": "consent-share-needs", "status": "active",
    "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                          "code": "patient-privacy"}]},
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
    "patient": {"reference": "#patient"},
    "provision": {"type": "permit", "code": [{"coding": [{
        "system": "https://working-better.example/fhir/CodeSystem/consent-to-share",
        "code": "communication-needs"}]}]}}


def need_flag(index: int, system: str, code: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": system, "code": code}]}
    if text:
        concept["text"] = text
    return {"resourceType": "Flag", "id": f"need-{index}", "status": "active",
            "code": concept, "subject": {"reference": "#patient"}}


def service_request(nhs: str, *extra: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(EXAMPLE.read_text())
    body["identifier"][0]["value"] = str(uuid.uuid4())
    body["contained"][0]["identifier"][0]["value"] = nhs
    del body["contained"][3]  # the example's consent to share outcomes: a question apart
    body["contained"] += [
        need_flag(1, "http://snomed.info/sct", "204331000000107"),  # BSL interpreter needed
        need_flag(2, "https://working-better.example/fhir/CodeSystem/communication-need",
                  "language_interpreter", "Polish"), *extra]
    return body


def task_flags(api: Api, referral_id: str) -> list[dict[str, Any]]:
    reply = api.call("GET", f"/fhir/Task/{referral_id}", api.referrer())
    assert reply.status == 200, reply.body
    Task.model_validate(reply.body)
    return [r for r in reply.body.get("contained", []) if r["resourceType"] == "Flag"]


def test_a_service_request_brings_needs_as_flags_and_the_task_shares_them_only_with_consent(
        cloud: Cloud, api: Api) -> None:
    shared = api.call("POST", "/fhir/ServiceRequest", api.referrer(),
                      service_request(VALID_NHS_NUMBERS[0], NEEDS_CONSENT), **FHIR)
    private = api.call("POST", "/fhir/ServiceRequest", api.referrer(),
                       service_request(VALID_NHS_NUMBERS[1]), **FHIR)
    assert (shared.status, private.status) == (201, 201), (shared.body, private.body)

    stored = cloud.personal_data(shared.body["id"])
    assert stored is not None
    assert [(n["need"], n["language"]) for n in stored["patient"]["communication_needs"]] == \
        [("bsl_interpreter", None), ("language_interpreter", "Polish")]
    flags = task_flags(api, shared.body["id"])
    assert [f["code"]["coding"][0]["code"] for f in flags] == \
        ["204331000000107", "language_interpreter"]
    assert flags[1]["code"]["text"] == "Polish"
    assert all(f["category"][0]["coding"][0]["code"] == "NRAF" for f in flags)
    # The outcome consent is its own question: sharing needs did not share outcomes.
    item = cloud.store.referrals.get(shared.body["id"])
    assert item is not None
    assert (item.share_needs_with_practice, item.share_outcome_with_gp) == (True, False)

    assert task_flags(api, private.body["id"]) == []
    assert "Polish" not in json.dumps(api.call("GET", f"/fhir/Task/{private.body['id']}",
                                               api.referrer()).body)


def test_a_flag_the_service_cannot_read_is_refused_naming_its_code(
        cloud: Cloud, api: Api) -> None:
    body = service_request(VALID_NHS_NUMBERS[0],
                           need_flag(3, "http://snomed.info/sct", "22298006"))
    reply = api.call("POST", "/fhir/ServiceRequest", api.referrer(), body, **FHIR)
    assert reply.status == 422, reply.body
    at = len(body["contained"]) - 1
    assert [f"ServiceRequest.contained[{at}].code"] in [i.get("expression")
                                                        for i in reply.body["issue"]], reply.body
    assert cloud.store.lists.for_practice("F83001") == []


def test_an_interpreter_flag_without_its_language_points_at_the_flags_text(
        cloud: Cloud, api: Api) -> None:
    body = service_request(VALID_NHS_NUMBERS[0])
    del body["contained"][-1]["code"]["text"]
    reply = api.call("POST", "/fhir/ServiceRequest", api.referrer(), body, **FHIR)
    assert reply.status == 422, reply.body
    at = len(body["contained"]) - 1
    assert [f"ServiceRequest.contained[{at}].code.text"] in [
        i.get("expression") for i in reply.body["issue"]], reply.body


def test_needs_cannot_be_changed_once_the_referral_has_ended(cloud: Cloud, api: Api) -> None:
    from workingbetter.domain.errors import Conflict
    from workingbetter.domain.referral import COACH_FACTS_LISTED_UNTIL
    from workingbetter.wiring import services

    referral_id = refer_with(api, BSL_AND_LARGE_PRINT, shares=False)
    reply = api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(), {})
    assert reply.status == 200, reply.body
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    with pytest.raises(Conflict):
        services().needs.change(item, {"communication_needs": []}, "coach:x",
                                COACH_FACTS_LISTED_UNTIL)
    stored = cloud.personal_data(referral_id)
    assert stored is not None
    assert len(stored["patient"]["communication_needs"]) == 2
