"""The privacy canary (docs/architecture.md §3): a referral whose every personal field holds a
distinctive value walks the pathway and leaves; none of those values may then be found in the
run's history, the logs, the ops view, the workflow table or the idempotency records. Only the
one personal-data item may hold them."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.api_client import Api
from tests.conftest import Cloud, referral_body
from workingbetter.observability import logger

pytestmark = pytest.mark.integration

NHS_NUMBER = "9434765919"
PATIENT = {
    "nhs_number": "943 476 5919",
    "given_name": "Canarygiven",
    "family_name": "Canaryfamily",
    "date_of_birth": "1979-02-28",
    "phone": "07700 900123",
    "email": "canary.person@example.com",
    "contact_preference": "email",
    # A need's own words are personal data: the language and "something else" are canaries.
    "communication_needs": [{"need": "language_interpreter", "language": "Canarylanguage"},
                            {"need": "other", "detail": "Canaryneed words"}],
}
REASON = "Canaryreason text"
TRIAGE_NOTE = "Canarytriage note"
GOAL = "Canarygoal"
WITHDRAW_NOTE = "Canarywithdraw note"
CANARIES = [
    "Canarygiven", "Canaryfamily", "canary.person@example.com", "07700 900123", "07700900123",
    "Canaryreason", "Canarytriage", "Canarygoal", "Canarywithdraw", "Canarylanguage",
    "Canaryneed",
    NHS_NUMBER, "943 476 5919", "1979-02-28",
]


def canaries_in(text: str) -> list[str]:
    lowered = text.lower()
    return [c for c in CANARIES if c.lower() in lowered]


def canary_body() -> dict[str, Any]:
    # `other` as the only condition sends the referral to a person for triage.
    return referral_body(patient=dict(PATIENT), reason=REASON, health_conditions=["other"])


class CurrentStdout(io.TextIOBase):
    """Writes to whatever sys.stdout is at the moment: capsys's, during a test."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Everything the service logs, at every level it logs at, while the test runs.

    Powertools' handler keeps the stdout it found at import; point it at the current one for
    the test (Lambda ships whatever the function writes there), and capture records too."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger=logger.name)
    caplog.set_level(logging.DEBUG, logger="infra.dispatch")
    previous = handler.setStream(CurrentStdout())
    try:
        yield
    finally:
        handler.setStream(previous)


def logged(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> str:
    captured = capsys.readouterr()
    records = [json.dumps(vars(r), default=str) for r in caplog.records]
    return "\n".join([captured.out, captured.err, caplog.text, *records])


def walk_and_withdraw(cloud: Cloud, api: Api) -> str:
    """Refer (with an Idempotency-Key, repeated), triage, attend, review, then withdraw."""
    key = str(uuid.uuid4())
    first = api.call("POST", "/referrals", api.referrer(), canary_body(),
                     **{"Idempotency-Key": key})
    assert first.status == 201, first.body
    referral_id = str(first.body["referral_id"])
    repeat = api.call("POST", "/referrals", api.referrer(), canary_body(),
                      **{"Idempotency-Key": key})
    assert repeat.body == first.body
    # Refusals must not carry the patient either: a duplicate, and a form with errors.
    duplicate = api.call("POST", "/referrals", api.referrer(), canary_body())
    assert duplicate.status == 409
    invalid = api.call("POST", "/referrals", api.referrer(),
                       referral_body(patient={**PATIENT, "nhs_number": "943 476 5918",
                                              "email": "Canarygiven@@"}, reason=REASON))
    assert invalid.status == 422
    for reply in (first, repeat, duplicate, invalid):
        assert canaries_in(json.dumps(reply.body)) == []

    api.awaiting(referral_id, "triage_decision")
    reply = api.step(referral_id, "triage", {"decision": "accept", "reason": TRIAGE_NOTE},
                     api.coach("coach-amara"))
    assert reply.status == 200, reply.body
    item = api.awaiting(referral_id, "appointment_outcome")
    # The practice and the coach may read the patient (each read leaves an audit entry).
    for token in (api.referrer(), api.coach(str(item.coach_id))):
        reply = api.get(referral_id, token)
        assert reply.body["patient"]["given_name"] == "Canarygiven"
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    reply = api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 1,
                                              "goals": [GOAL], "confidence": 4})
    assert reply.status == 200, reply.body
    api.awaiting(referral_id, "review")
    reply = api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(),
                     {"reason": WITHDRAW_NOTE})
    assert reply.status == 200, reply.body
    assert cloud.wait_for_execution(referral_id) in {"SUCCEEDED", "ABORTED"}
    return referral_id


@pytest.mark.service_days(review_interval_days=5)
def test_no_personal_data_reaches_runs_logs_ops_or_other_tables(
        cloud: Cloud, api: Api, logs: None, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    referral_id = walk_and_withdraw(cloud, api)

    # The canaries were really stored, in the one place they belong.
    personal = json.dumps(cloud.personal_data(referral_id), default=str)
    for value in ("Canarygiven", "canary.person@example.com", REASON, TRIAGE_NOTE, GOAL,
                  WITHDRAW_NOTE, NHS_NUMBER, "Canarylanguage", "Canaryneed"):
        assert value in personal

    history = cloud.history(referral_id)
    states = cloud.states_entered(referral_id)
    assert {"AwaitTriageDecision", "AwaitAppointmentOutcome"} <= set(states), states
    assert canaries_in(json.dumps(history, default=str)) == []

    output = logged(capsys, caplog)
    assert referral_id in output, "the capture saw none of the service's logs"
    assert '"WorkingBetter"' in output, "the capture saw none of the service's metrics"
    assert canaries_in(output) == []

    ops = api.get(referral_id, api.ops())
    assert ops.status == 200
    assert canaries_in(json.dumps(ops.body)) == []
    listed = api.call("GET", "/referrals", api.ops())
    assert referral_id in json.dumps(listed.body)
    assert canaries_in(json.dumps(listed.body)) == []

    workflow_items = cloud.store.tables.table.scan()["Items"]
    assert any(i.get("referral_id") == referral_id for i in workflow_items)
    assert canaries_in(json.dumps(workflow_items, default=str)) == []

    dynamodb = boto3.client("dynamodb")
    idempotency = dynamodb.scan(TableName=cloud.settings.idempotency_table_name)["Items"]
    assert idempotency, "the Idempotency-Key left no record to inspect"
    assert referral_id in json.dumps(idempotency)
    assert canaries_in(json.dumps(idempotency, default=str)) == []


def canary_service_request(**patient: Any) -> dict[str, Any]:
    """The FHIR example with the canaries in every personal element."""
    path = Path(__file__).parent.parent / "fixtures" / "fhir" / "service-request.json"
    body: dict[str, Any] = json.loads(path.read_text())
    body["identifier"][0]["value"] = str(uuid.uuid4())
    body["contained"][0].update({
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS_NUMBER}],
        "name": [{"use": "official", "given": ["Canarygiven"], "family": "Canaryfamily"}],
        "birthDate": "1979-02-28",
        "telecom": [{"system": "phone", "value": "07700 900123", "rank": 2},
                    {"system": "email", "value": "canary.person@example.com", "rank": 1}],
        **patient})
    body["note"] = [{"text": REASON}]
    # Communication needs as Reasonable Adjustment Flags, their own words canaries too (the
    # practice was not given consent to see them, so its Task must not show them either).
    need = "https://working-better.example/fhir/CodeSystem/communication-need"
    body["contained"] += [
        {"resourceType": "Flag", "id": f"need-{len(code)}", "status": "active",
         "code": {"coding": [{"system": need, "code": code}], "text": text},
         "subject": {"reference": "#patient"}}
        for code, text in (("language_interpreter", "Canarylanguage"),
                           ("other", "Canaryneed words"))]
    return body


def test_no_personal_data_leaves_through_the_fhir_routes(
        cloud: Cloud, api: Api, logs: None, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    fhir = {"Content-Type": "application/fhir+json"}
    body = canary_service_request()
    first = api.call("POST", "/fhir/ServiceRequest", api.referrer(), body, **fhir)
    assert first.status == 201, first.body
    referral_id = str(first.body["id"])
    replies = [first, api.call("POST", "/fhir/ServiceRequest", api.referrer(), body, **fhir)]
    # Refusals: not FHIR, not a valid NHS number, a duplicate.
    for broken, status in ((canary_service_request(birthDate="1979-02-30"), 400),
                           (canary_service_request(identifier=[{
                               "system": "https://fhir.nhs.uk/Id/nhs-number",
                               "value": "9434765918"}]), 422),
                           (canary_service_request(), 409)):
        replies.append(api.call("POST", "/fhir/ServiceRequest", api.referrer(), broken, **fhir))
        assert replies[-1].status == status, replies[-1].body
    api.awaiting(referral_id, "appointment_outcome")
    for token in (api.referrer(), api.coach_of(referral_id), api.ops()):
        replies.append(api.call("GET", f"/fhir/Task/{referral_id}", token))
    replies.append(api.call("PATCH", f"/fhir/Task/{referral_id}", api.referrer(), [
        {"op": "replace", "path": "/status", "value": "cancelled"},
        {"op": "add", "path": "/statusReason", "value": {"text": WITHDRAW_NOTE}}],
        **{"Content-Type": "application/json-patch+json"}))
    assert replies[-1].status == 200, replies[-1].body
    assert cloud.wait_for_execution(referral_id) in {"SUCCEEDED", "ABORTED"}

    personal = json.dumps(cloud.personal_data(referral_id), default=str)
    for value in ("Canarygiven", "canary.person@example.com", REASON, WITHDRAW_NOTE,
                  "Canarylanguage", "Canaryneed"):
        assert value in personal
    assert canaries_in(json.dumps([r.body for r in replies])) == []
    assert canaries_in(logged(capsys, caplog)) == []
    assert canaries_in(json.dumps(cloud.history(referral_id), default=str)) == []
    workflow_items = cloud.store.tables.table.scan()["Items"]
    assert canaries_in(json.dumps(workflow_items, default=str)) == []
    idempotency = boto3.client("dynamodb").scan(
        TableName=cloud.settings.idempotency_table_name)["Items"]
    assert referral_id in json.dumps(idempotency)
    assert canaries_in(json.dumps(idempotency, default=str)) == []
