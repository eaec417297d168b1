"""A referral travels from the web API through the real ASL to a booked first appointment."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.api_client import appointment
from tests.conftest import Cloud, referral_body
from workingbetter.domain.auth import Role
from workingbetter.domain.slots import parse_iso
from workingbetter.handlers.api import app

pytestmark = pytest.mark.integration


def submit(cloud: Cloud, body: dict[str, Any], practice: str = "F83001",
           **headers: str) -> dict[str, Any]:
    token = cloud.token(Role.REFERRER, practice_ods=practice)
    with Client(app) as client:
        response = client.http.post("/referrals", body=json.dumps(body), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers})
    assert response.status_code == 201, response.body
    result: dict[str, Any] = json.loads(response.body)
    return result


def test_a_referral_reaches_a_booked_first_appointment(cloud: Cloud) -> None:
    created = submit(cloud, referral_body())
    referral_id = created["referral_id"]
    assert created["status"] == "RECEIVED"

    item = cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome",
                          what="APPOINTMENT_BOOKED awaiting the outcome")

    assert item.status == "APPOINTMENT_BOOKED"
    assert item.coach_id in {"coach-amara", "coach-bilal"}
    assert parse_iso(appointment(item).start) > parse_iso(item.created_at[:19] + "Z")
    assert cloud.execution_status(referral_id) == "RUNNING"
    assert cloud.states_entered(referral_id) == [
        "WhereDoesThisRunStart", "Triage", "DoesTriageNeedACoach", "AllocateCoach",
        "IsACoachFree", "BookFirstAppointment", "AwaitAppointmentOutcome",
    ]


def test_a_patient_over_66_is_refused_at_intake_naming_the_date_of_birth(
        cloud: Cloud) -> None:
    """Told at once, in the same answer as any other mistake: not accepted, then rejected by
    triage a moment later (triage keeps its own check of the age: test_triage_rules.py)."""
    token = cloud.token(Role.REFERRER, practice_ods="F83001")
    with Client(app) as client:
        response = client.http.post("/referrals", body=json.dumps(referral_body(
            patient__date_of_birth="1950-01-01")), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Idempotency-Key": "over-66-0001"})
    assert response.status_code == 422, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert problem["errors"] == [{
        "field": "patient.date_of_birth",
        "message": "Working Better is for people aged 16 to 66: check the date of birth, or "
                   "talk to the patient about other support"}]
    assert b"1950" not in response.body
    assert cloud.store.lists.for_practice("F83001") == []
