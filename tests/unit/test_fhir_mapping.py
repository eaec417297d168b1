"""The FHIR mapping's rules, without AWS: what a ServiceRequest becomes, which Task a referral
shows whom, and that every resource the service answers is valid FHIR."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task
from hypothesis import given, settings
from hypothesis import strategies as st

from workingbetter.adapters.item_codec import decode
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import Status
from workingbetter.fhir import capability, codes, service_request, task, validation
from workingbetter.routing import fhir_outcome as outcome

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "fhir" / "service-request.json"
REFERRER = Principal(Role.REFERRER, "r", practice_ods="F83001")
COACH = Principal(Role.COACH, "c", coach_id="coach-amara")
OPS = Principal(Role.OPS, "o")


def example() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return body


def refused(body: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(InvalidInput) as caught:
        service_request.read(body)
    return caught.value.errors


def test_the_example_maps_onto_the_json_apis_intake_body() -> None:
    mapped = service_request.read(example())
    assert mapped.body == {
        "practice_ods": "F83001",
        "patient": {"nhs_number": "4857773457", "given_name": "Ada",
                    "family_name": "Testperson", "date_of_birth": "1980-04-01",
                    "phone": "07700 900982", "email": "ada.testperson@example.com",
                    "contact_preference": "sms"},
        "employment_status": "unemployed",
        "health_conditions": ["musculoskeletal", "mental_health"],
        "consent": {"referral": True, "share_outcome_with_gp": True},
        "reason": "Wants help getting back to work after a long illness.",
    }
    assert mapped.identifier.value == "5e1c2f0a-7f1b-4c55-9a7e-2d6b3c1a9f10"


def test_an_intake_field_is_reported_against_the_element_it_came_from() -> None:
    mapped = service_request.read(example())
    assert mapped.expression("patient.nhs_number") == \
        "ServiceRequest.contained[0].identifier[0].value"
    assert mapped.expression("health_conditions.1") == "ServiceRequest.reasonCode"
    assert mapped.expression("consent.referral") == "ServiceRequest.contained[2].status"
    assert mapped.expression("something.else") == "ServiceRequest"


@pytest.mark.parametrize(("system", "code", "category"), [
    (codes.SNOMED, "35489007", "mental_health"),
    (codes.SNOMED, "44054006", "diabetes"),
    (codes.HEALTH_CONDITION, "respiratory", "respiratory"),
    (codes.SNOMED, "22298006", "other"),  # myocardial infarction: not in the small table
    ("http://example.org/local", "35489007", "other"),  # the right code in another system
])
def test_reasons_map_to_a_condition_category_by_a_small_table(system: str, code: str,
                                                              category: str) -> None:
    body = example()
    body["reasonCode"] = [{"coding": [{"system": system, "code": code}]}]
    body["reasonReference"] = []
    assert service_request.read(body).body["health_conditions"] == [category]


def test_a_reason_given_only_in_words_is_the_reason_not_a_condition() -> None:
    body = example()
    del body["note"]
    body["reasonCode"] = [{"text": "Struggling since redundancy"}]
    mapped = service_request.read(body)
    assert mapped.body["reason"] == "Struggling since redundancy"
    assert mapped.body["health_conditions"] == ["mental_health"]  # the referenced Condition


def uk_core_preference(code: str) -> dict[str, Any]:
    return {"url": codes.UK_CONTACT_PREFERENCE, "extension": [{
        "url": "PreferredContactMethod", "valueCodeableConcept": {"coding": [{
            "system": codes.UK_CONTACT_METHOD, "code": code}]}}]}


@pytest.mark.parametrize(("code", "preference"), [("1", "letter"), ("3", "phone"),
                                                  ("4", "email")])
def test_uk_cores_contact_preference_extension_comes_before_telecom_rank(
        code: str, preference: str) -> None:
    body = example()
    body["contained"][0]["extension"] = [uk_core_preference(code)]
    assert service_request.read(body).body["patient"]["contact_preference"] == preference


def test_a_uk_core_contact_method_the_service_cannot_use_is_named() -> None:
    body = example()
    body["contained"][0]["extension"] = [uk_core_preference("7")]
    (error,) = refused(body)
    assert error.field == \
        "ServiceRequest.contained[0].extension[0].extension[0].valueCodeableConcept"


def test_without_a_ranked_telecom_or_extension_the_preference_is_asked_for() -> None:
    body = example()
    for telecom in body["contained"][0]["telecom"]:
        del telecom["rank"]
    (error,) = refused(body)
    assert error.field == "ServiceRequest.contained[0].telecom"


def test_without_a_consent_to_share_the_outcome_is_not_shared() -> None:
    body = example()
    del body["contained"][3]
    mapped = service_request.read(body)
    assert mapped.body["consent"] == {"referral": True, "share_outcome_with_gp": False}


def test_the_requester_may_be_an_ods_identifier_or_a_practitioner_role() -> None:
    body = example()
    body["requester"] = {"identifier": {"system": codes.ODS_CODE, "value": "F83002"}}
    mapped = service_request.read(body)
    assert mapped.body["practice_ods"] == "F83002"
    assert mapped.expression("practice_ods") == "ServiceRequest.requester.identifier.value"
    body = example()
    body["contained"].append({"resourceType": "PractitionerRole", "id": "gp",
                              "organization": {"reference": "#practice"}})
    body["requester"] = {"reference": "#gp"}
    assert service_request.read(body).body["practice_ods"] == "F83001"


def test_everything_missing_is_reported_at_once() -> None:
    body = {"resourceType": "ServiceRequest", "status": "active", "intent": "order",
            "subject": {"reference": "#nobody"}}
    fields = {e.field for e in refused(body)}
    assert fields == {"ServiceRequest.identifier", "ServiceRequest.subject",
                      "ServiceRequest.contained", "ServiceRequest.note",
                      "ServiceRequest.supportingInfo", "ServiceRequest.requester"}


def test_pydantic_locations_become_fhirpath() -> None:
    assert validation.fhirpath("ServiceRequest", ("contained", 0, "birthDate")) == \
        "ServiceRequest.contained[0].birthDate"
    assert validation.fhirpath("Patient", ("birthDate__ext", "extension", 2)) == \
        "Patient._birthDate.extension[2]"
    assert validation.fhirpath("Task", ("function-after[validate(), Task]", "status")) == \
        "Task.status"


def test_an_invalid_resource_names_each_element_and_never_the_value() -> None:
    body = example()
    body["contained"][0]["birthDate"] = "Zqx-13-01"
    body["contained"][0]["gender"] = ["Zqx"]
    with pytest.raises(BadRequest) as caught:
        service_request.read(body)
    fields = {e.field for e in caught.value.errors}
    assert fields == {"ServiceRequest.contained[0].birthDate",
                      "ServiceRequest.contained[0].gender"}
    assert "Zqx" not in json.dumps([e.message for e in caught.value.errors])


# -- the Task -------------------------------------------------------------------------------


def item(status: Status, **more: Any) -> Referral:
    """A referral as stored."""
    return decode(Referral, {
        "referral_id": "r-1", "status": str(status), "practice_ods": "F83001",
        "created_at": "2026-11-20T10:20:00Z", "updated_at": "2026-11-21T09:00:00Z",
        "share_outcome_with_gp": True, **more})


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("who", [REFERRER, COACH, OPS])
def test_every_task_is_valid_fhir(status: Status, who: Principal) -> None:
    resource = task.resource(who, item(status, exit_reason="job_ended", reference="WB-7KQ4-M2XP",
                                       service_request={"system": "urn:ietf:rfc:3986",
                                                        "value": "urn:uuid:1"}))
    Task.model_validate(resource)


def test_a_practice_without_consent_sees_accepted_then_an_end_without_how() -> None:
    quiet = {"share_outcome_with_gp": False}
    for status in (Status.ALLOCATED, Status.APPOINTMENT_BOOKED, Status.IN_SUPPORT,
                   Status.IN_WORK):
        shown = task.resource(REFERRER, item(status, **quiet))
        assert (shown["status"], shown["businessStatus"]["coding"][0]["code"]) == \
            ("accepted", "accepted")
    # Waiting for a place is about the service, not the patient: the practice may know.
    waiting = task.resource(REFERRER, item(Status.WAITLISTED, **quiet))
    assert (waiting["status"], waiting["businessStatus"]["coding"][0]["code"]) == \
        ("accepted", "waitlisted")
    ended = task.resource(REFERRER, item(Status.EXITED, exit_reason="job_ended", **quiet))
    assert ended["status"] == "completed"
    assert "output" not in ended
    assert task.resource(OPS, item(Status.EXITED, exit_reason="job_ended", **quiet))["output"]


def test_a_rejection_always_says_why() -> None:
    rejected = task.resource(REFERRER, item(Status.REJECTED, exit_reason="ineligible",
                                            share_outcome_with_gp=False))
    assert rejected["statusReason"]["coding"][0]["code"] == "ineligible"


def test_the_short_reference_is_an_identifier_where_there_is_one() -> None:
    shown = task.resource(REFERRER, item(Status.RECEIVED, reference="WB-7KQ4-M2XP"))
    assert {"system": codes.REFERRAL_REFERENCE, "value": "WB-7KQ4-M2XP"} in shown["identifier"]
    assert len(task.resource(REFERRER, item(Status.RECEIVED))["identifier"]) == 1


@pytest.mark.parametrize(("patch", "reason"), [
    ([{"op": "replace", "path": "/status", "value": "cancelled"}], None),
    ([{"op": "add", "path": "/status", "value": "cancelled"},
      {"op": "replace", "path": "/statusReason/text", "value": "Moved"}], "Moved"),
])
def test_a_json_patch_to_cancelled_is_a_cancellation(patch: list[Any], reason: str | None) -> None:
    assert task.cancel_from_patch(patch) == reason


@pytest.mark.parametrize(("patch", "error"), [
    ([], BadRequest),
    ({"op": "replace"}, BadRequest),
    ([{"op": "replace"}], BadRequest),
    ([{"op": "replace", "path": "/status", "value": "completed"}], InvalidInput),
    ([{"op": "remove", "path": "/owner"}], InvalidInput),
])
def test_any_other_patch_is_refused(patch: Any, error: type[DomainError]) -> None:
    with pytest.raises(error):
        task.cancel_from_patch(patch)


# -- OperationOutcome and CapabilityStatement ----------------------------------------------


@pytest.mark.parametrize("error", [
    BadRequest("Not FHIR", [FieldError("ServiceRequest.contained[0].birthDate", "A date")]),
    InvalidInput("Not a referral", [FieldError("ServiceRequest.subject", "Contain it")]),
    Forbidden("Not yours"), NotFound("No such Task"), Conflict("Already referred"),
])
def test_every_refusal_is_a_valid_operation_outcome(error: DomainError) -> None:
    status, body = outcome.from_error(error)
    OperationOutcome.model_validate(body)
    assert status in {400, 403, 404, 409, 422}
    assert body["issue"][0]["diagnostics"] == error.detail


def test_only_fhirpath_goes_in_an_expression() -> None:
    _, body = outcome.from_error(InvalidInput("Bad", [FieldError("Content-Type", "Send JSON"),
                                                      FieldError("Task.status", "Cancel")]))
    assert [i.get("expression") for i in body["issue"]] == [None, None, ["Task.status"]]
    assert body["issue"][1]["diagnostics"] == "Content-Type: Send JSON"
    OperationOutcome.model_validate(outcome.failure())


def test_the_capability_statement_is_valid_fhir() -> None:
    CapabilityStatement.model_validate(capability.statement())


# -- whatever is sent, the answer is a refusal or a mapping, never a crash -----------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6)


def paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*at, index))
    return found


EXAMPLE_PATHS = [p for p in paths(json.loads(EXAMPLE.read_text())) if p]


@settings(max_examples=300, deadline=None, database=None)
@given(where=st.sampled_from(EXAMPLE_PATHS), value=JSON_VALUES)
def test_any_element_replaced_by_any_json_is_mapped_or_refused(where: tuple[Any, ...],
                                                                value: Any) -> None:
    body = example()
    target = body
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    with contextlib.suppress(BadRequest, InvalidInput):  # a refusal is fine; nothing else
        service_request.read(body)
