"""FHIR R4 for GP systems: a ServiceRequest refers a patient through the same intake as the
JSON API, the Task follows the referral to its end, cancelling the Task withdraws it, and
every refusal is an OperationOutcome naming the element at fault, never the patient."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task

from tests.api_client import Api, Reply
from tests.conftest import VALID_NHS_NUMBERS, Cloud

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "fhir" / "service-request.json"
FHIR = "application/fhir+json"
PATIENT, PRACTICE, REFERRAL_CONSENT, SHARE_CONSENT = 0, 1, 2, 3
FAST = {"review_interval_days": 5}


def example(**identifier: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(EXAMPLE.read_text())
    if identifier:
        body["identifier"][0]["value"] = identifier["value"]
    return body


def post(api: Api, body: Any, token: str | None = None) -> Reply:
    return api.call("POST", "/fhir/ServiceRequest", token or api.referrer(), body,
                    **{"Content-Type": FHIR})


def task(api: Api, referral_id: str, token: str | None = None) -> dict[str, Any]:
    reply = api.call("GET", f"/fhir/Task/{referral_id}", token or api.referrer())
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == FHIR
    Task.model_validate(reply.body)  # every Task we answer is valid FHIR
    return dict(reply.body)


def stage(resource: dict[str, Any]) -> tuple[str, str]:
    return resource["status"], resource["businessStatus"]["coding"][0]["code"]


def refused(reply: Reply, status: int) -> list[dict[str, Any]]:
    """The OperationOutcome's issues, after checking it is one."""
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == FHIR
    OperationOutcome.model_validate(reply.body)
    return list(reply.body["issue"])


def expressions(issues: list[dict[str, Any]]) -> list[str]:
    return [e for i in issues for e in i.get("expression", [])]


def nothing_referred(api: Api) -> None:
    assert api.call("GET", "/referrals", api.ops()).body["items"] == []


@pytest.mark.service_days(**FAST)
def test_a_service_request_becomes_a_referral_whose_task_follows_it_to_the_end(
        cloud: Cloud, api: Api) -> None:
    reply = post(api, example())
    assert reply.status == 201, reply.body
    Task.model_validate(reply.body)
    referral_id = reply.body["id"]
    assert reply.headers["Location"] == f"/fhir/Task/{referral_id}"
    # The Task as it stands when the reply is written: its run may already have taken it up.
    assert reply.body["status"] in {"requested", "received"}
    based_on = {"system": "https://tools.ietf.org/html/rfc4122",
                "value": "5e1c2f0a-7f1b-4c55-9a7e-2d6b3c1a9f10"}
    assert reply.body["basedOn"] == [{"type": "ServiceRequest", "identifier": based_on}]
    # The same intake as the JSON API: the same personal data, kept in the same place.
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["patient"]["nhs_number"] == "4857773457"
    assert personal["patient"]["contact_preference"] == "sms"
    assert personal["health_conditions"] == ["musculoskeletal", "mental_health"]
    assert personal["reason"] == "Wants help getting back to work after a long illness."
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.share_outcome_with_gp is True

    api.awaiting(referral_id, "appointment_outcome")
    assert stage(task(api, referral_id)) == ("ready", "appointment_booked")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    assert stage(task(api, referral_id)) == ("in-progress", "in_support")
    reply = api.step(referral_id, "reviews", {"decision": "exit", "exit_reason": "volunteering",
                                              "employer_contacts": 0})
    assert reply.status == 200, reply.body

    ended = task(api, referral_id)
    assert stage(ended) == ("completed", "exited")
    assert ended["output"][0]["valueCodeableConcept"]["coding"][0]["code"] == "volunteering"
    assert ended["executionPeriod"]["end"] == ended["lastModified"]
    # An ended referral cannot be cancelled.
    late = api.call("PATCH", f"/fhir/Task/{referral_id}", api.referrer(),
                    [{"op": "replace", "path": "/status", "value": "cancelled"}],
                    **{"Content-Type": "application/json-patch+json"})
    assert refused(late, 409)[0]["code"] == "conflict"
    # Nothing about the patient is in the Task.
    text = json.dumps(ended)
    for personal_value in ("4857773457", "Testperson", "1980-04-01", "07700", "illness"):
        assert personal_value not in text


def test_without_consent_to_share_the_practice_sees_acceptance_but_no_outcome(
        cloud: Cloud, api: Api) -> None:
    body = example()
    body["contained"][SHARE_CONSENT]["provision"]["type"] = "deny"
    referral_id = post(api, body).body["id"]
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.share_outcome_with_gp is False
    api.awaiting(referral_id, "appointment_outcome")
    assert stage(task(api, referral_id)) == ("accepted", "accepted")
    assert stage(task(api, referral_id, api.ops())) == ("ready", "appointment_booked")
    assert stage(task(api, referral_id, api.coach_of(referral_id))) == \
        ("ready", "appointment_booked")

    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")
    assert stage(task(api, referral_id)) == ("accepted", "accepted")
    withdrawn = api.call("POST", f"/referrals/{referral_id}/withdraw",
                         api.coach_of(referral_id), {})
    assert withdrawn.status == 200
    ended = task(api, referral_id)
    assert ended["status"] == "cancelled"
    assert "output" not in ended  # how it ended is the patient's to share
    assert task(api, referral_id, api.ops())["output"][0]["valueCodeableConcept"][
        "coding"][0]["code"] == "no_longer_wishes"


def test_the_same_identifier_twice_is_one_referral_and_the_same_task(
        cloud: Cloud, api: Api) -> None:
    first = post(api, example())
    again = post(api, example())
    assert (first.status, again.status) == (201, 201)
    assert again.body["id"] == first.body["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert len(api.call("GET", "/referrals", api.ops()).body["items"]) == 1

    changed = example()
    changed["note"][0]["text"] = "Another reason"
    issues = refused(post(api, changed), 409)
    assert "ServiceRequest.identifier" in issues[0]["diagnostics"]
    # Another identifier for the same patient meets the one-active-referral rule.
    issues = refused(post(api, example(value="6f2d3e1b-0000-4c55-9a7e-2d6b3c1a9f10")), 409)
    assert "already has an active referral" in issues[0]["diagnostics"]
    assert len(api.call("GET", "/referrals", api.ops()).body["items"]) == 1


def test_patching_the_task_to_cancelled_withdraws_the_referral(cloud: Cloud, api: Api) -> None:
    referral_id = post(api, example()).body["id"]
    api.awaiting(referral_id, "appointment_outcome")
    patch = [{"op": "replace", "path": "/status", "value": "cancelled"},
             {"op": "add", "path": "/statusReason", "value": {"text": "Found work"}}]
    reply = api.call("PATCH", f"/fhir/Task/{referral_id}", api.referrer(), patch,
                     **{"Content-Type": "application/json-patch+json"})
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "cancelled"
    item = cloud.wait_for(referral_id, lambda i: i.status == "WITHDRAWN")
    assert item.timeline[-1].by == "referrer:F83001"
    assert cloud.wait_for_execution(referral_id) in {"SUCCEEDED", "ABORTED"}
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert [n["reason"] for n in personal["notes"]] == ["Found work"]
    # Cancelling a cancelled Task changes nothing.
    again = api.call("PATCH", f"/fhir/Task/{referral_id}", api.referrer(), patch[:1],
                     **{"Content-Type": "application/json-patch+json"})
    assert again.status == 200
    assert again.body["status"] == "cancelled"


def test_putting_the_task_back_cancelled_withdraws_the_referral(cloud: Cloud, api: Api) -> None:
    referral_id = post(api, example()).body["id"]
    current = task(api, referral_id)
    not_cancelled = api.call("PUT", f"/fhir/Task/{referral_id}", api.referrer(),
                             {**current, "status": "on-hold"}, **{"Content-Type": FHIR})
    assert expressions(refused(not_cancelled, 422)) == ["Task.status"]
    wrong_id = api.call("PUT", f"/fhir/Task/{referral_id}", api.referrer(),
                        {**current, "id": "another", "status": "cancelled"},
                        **{"Content-Type": FHIR})
    assert expressions(refused(wrong_id, 400)) == ["Task.id"]
    assert cloud.referral(referral_id).status != "WITHDRAWN"

    reply = api.call("PUT", f"/fhir/Task/{referral_id}", api.referrer(),
                     {**current, "status": "cancelled"}, **{"Content-Type": FHIR})
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "cancelled"
    assert cloud.wait_for(referral_id, lambda i: i.status == "WITHDRAWN")


def test_tasks_are_scoped_like_referrals(cloud: Cloud, api: Api) -> None:
    referral_id = post(api, example()).body["id"]
    api.awaiting(referral_id, "appointment_outcome")
    for token in (api.referrer("F83002"), api.coach("coach-chloe")):
        issues = refused(api.call("GET", f"/fhir/Task/{referral_id}", token), 404)
        assert issues[0]["code"] == "not-found"
    assert task(api, referral_id, api.ops())["id"] == referral_id
    other = api.call("PATCH", f"/fhir/Task/{referral_id}", api.referrer("F83002"),
                     [{"op": "replace", "path": "/status", "value": "cancelled"}],
                     **{"Content-Type": "application/json-patch+json"})
    refused(other, 404)
    coach = api.call("PATCH", f"/fhir/Task/{referral_id}", api.coach_of(referral_id),
                     [{"op": "replace", "path": "/status", "value": "cancelled"}],
                     **{"Content-Type": "application/json-patch+json"})
    refused(coach, 403)
    assert cloud.referral(referral_id).status == "APPOINTMENT_BOOKED"


def test_a_referrer_refers_only_for_their_own_practice(cloud: Cloud, api: Api) -> None:
    issues = refused(post(api, example(), api.referrer("F83002")), 403)
    assert expressions(issues) == [f"ServiceRequest.contained[{PRACTICE}].identifier[0].value"]
    refused(post(api, example(), api.coach("coach-amara")), 403)
    refused(post(api, example(), api.ops()), 403)
    nothing_referred(api)


def test_metadata_is_a_capability_statement_anyone_may_read(cloud: Cloud, api: Api) -> None:
    reply = api.client.http.get("/fhir/metadata")
    assert reply.status_code == 200
    statement = json.loads(reply.body)
    CapabilityStatement.model_validate(statement)
    interactions = {r["type"]: [i["code"] for i in r["interaction"]]
                    for r in statement["rest"][0]["resource"]}
    assert interactions == {"ServiceRequest": ["create"], "Task": ["read", "update", "patch"]}


# -- what is not FHIR (400) and what is not a referral Working Better takes (422) ----------

CANARY = "Zqxcanaryname"


def changed(**edits: Any) -> dict[str, Any]:
    """The example with the patient's name set to a canary and each edit applied."""
    body = copy.deepcopy(example())
    body["contained"][PATIENT]["name"][0]["family"] = CANARY
    for name, edit in edits.items():
        assert callable(edit), name
        edit(body)
    return body


def _set(path: list[Any], value: Any) -> Any:
    def edit(body: dict[str, Any]) -> None:
        target = body
        for part in path[:-1]:
            target = target[part]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return edit


P = ["contained", PATIENT]
BAD_FHIR = {
    "a real date": (_set([*P, "birthDate"], "1980-13-01"),
                    f"ServiceRequest.contained[{PATIENT}].birthDate"),
    "an element FHIR does not have": (_set([*P, "favouriteColour"], "blue"),
                                      f"ServiceRequest.contained[{PATIENT}].favouriteColour"),
    "a rank of at least 1": (_set([*P, "telecom", 0, "rank"], 0),
                             f"ServiceRequest.contained[{PATIENT}].telecom[0].rank"),
    "a subject": (_set(["subject"], None), "ServiceRequest.subject"),
}
NOT_A_REFERRAL = {
    "no patient in it": (_set([*P, "id"], "someone-else"), "ServiceRequest.subject"),
    "no consent": (_set(["contained", REFERRAL_CONSENT], None), "ServiceRequest.contained"),
    "consent refused": (_set(["contained", REFERRAL_CONSENT, "provision", "type"], "deny"),
                        f"ServiceRequest.contained[{REFERRAL_CONSENT}].status"),
    "a bad NHS number": (_set([*P, "identifier", 0, "value"], "4857773456"),
                         f"ServiceRequest.contained[{PATIENT}].identifier[0].value"),
    "a patient aged 12": (_set([*P, "birthDate"], "2014-06-01"),
                          f"ServiceRequest.contained[{PATIENT}].birthDate"),
    "no identifier": (_set(["identifier"], None), "ServiceRequest.identifier"),
    "a draft": (_set(["status"], "draft"), "ServiceRequest.status"),
    "no way to reach the patient as they chose": (
        _set([*P, "telecom"], [{"system": "email", "value": "a@example.com", "rank": 2}]),
        f"ServiceRequest.contained[{PATIENT}].telecom"),
    "an email address that is markup": (
        _set([*P, "telecom"], [{"system": "email", "rank": 1,
                                "value": '"><script>alert(1)</script>@x.example'}]),
        f"ServiceRequest.contained[{PATIENT}].telecom[0].value"),
    "a name too long": (_set([*P, "name", 0, "given"], ["A" * 101]),
                        f"ServiceRequest.contained[{PATIENT}].name[0].given"),
}


@pytest.mark.parametrize("what", sorted(BAD_FHIR))
def test_a_resource_that_is_not_valid_fhir_is_a_400_naming_the_element(
        cloud: Cloud, api: Api, what: str) -> None:
    edit, expression = BAD_FHIR[what]
    reply = post(api, changed(edit=edit))
    issues = refused(reply, 400)
    assert expression in expressions(issues), issues
    assert CANARY not in json.dumps(reply.body)
    nothing_referred(api)


@pytest.mark.parametrize("what", sorted(NOT_A_REFERRAL))
def test_valid_fhir_that_is_not_a_referral_we_take_is_a_422_naming_the_element(
        cloud: Cloud, api: Api, what: str) -> None:
    edit, expression = NOT_A_REFERRAL[what]
    reply = post(api, changed(edit=edit))
    issues = refused(reply, 422)
    assert expression in expressions(issues), issues
    assert all(i["diagnostics"] for i in issues)
    text = json.dumps(reply.body)
    for personal in (CANARY, "4857773456", "2014-06-01", "a@example.com", "<script>"):
        assert personal not in text
    nothing_referred(api)


def test_other_resources_and_bodies_that_are_not_fhir(cloud: Cloud, api: Api) -> None:
    patient = {"resourceType": "Patient", "id": "p"}
    assert expressions(refused(post(api, patient), 422)) == ["ServiceRequest"]
    refused(post(api, "{not json"), 400)
    refused(post(api, [1, 2]), 400)
    unknown = example()
    unknown["contained"].append({"resourceType": "NoSuchThing", "id": "x"})
    refused(post(api, unknown), 400)
    wrong_type = api.call("POST", "/fhir/ServiceRequest", api.referrer(), example(),
                          **{"Content-Type": "text/plain"})
    refused(wrong_type, 415)
    refused(api.call("GET", "/fhir/Task/" + "x" * 600, api.referrer()), 404)
    assert refused(api.call("DELETE", "/fhir/Task/anything", api.referrer()), 405)[0][
        "code"] == "not-supported"
    no_token = api.client.http.get("/fhir/Task/anything")
    assert no_token.status_code == 401
    assert no_token.headers["Content-Type"] == FHIR
    nothing_referred(api)


def test_a_practice_that_does_not_take_part_is_a_422(cloud: Cloud, api: Api) -> None:
    body = example()
    body["contained"][PRACTICE]["identifier"][0]["value"] = "Y99999"
    issues = refused(post(api, body, api.referrer("Y99999")), 422)
    assert expressions(issues) == [f"ServiceRequest.contained[{PRACTICE}].identifier[0].value"]
    nothing_referred(api)


def test_sms_by_uk_core_extension_or_rank_and_a_second_patient(cloud: Cloud, api: Api) -> None:
    body = example(value="second-referral-0001")
    patient = body["contained"][PATIENT]
    patient["identifier"][0]["value"] = VALID_NHS_NUMBERS[1]
    patient["extension"] = [{
        "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference",
        "extension": [{"url": "PreferredContactMethod", "valueCodeableConcept": {"coding": [{
            "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-PreferredContactMethod",
            "code": "4", "display": "E-mail"}]}}]}]
    reply = post(api, body)
    assert reply.status == 201, reply.body
    personal = cloud.personal_data(reply.body["id"])
    assert personal is not None
    assert personal["patient"]["contact_preference"] == "email"
