"""The HTTP contract of intake and reading (docs/architecture.md §5): what a practice may
send, what each role may read, and that a refused request leaves nothing behind."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.seed import pilot_practices
from tests.api_client import Api, Reply, appointment
from tests.conftest import Cloud, referral_body, reset_caches
from tests.tokens import BAD_TOKENS
from workingbetter.adapters.workflow import Workflow
from workingbetter.domain import reference
from workingbetter.domain.records.referral import Referral

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
NEXT_YEAR = (datetime.now(UTC).date() + timedelta(days=366)).isoformat()


def submit(api: Api, body: Any, practice: str = "F83001", **headers: str) -> Reply:
    return api.call("POST", "/referrals", api.referrer(practice), body, **headers)


def executions(cloud: Cloud) -> list[dict[str, Any]]:
    sm = cloud.built.state_machine_arn
    return list(cloud.sfn.list_executions(stateMachineArn=sm)["executions"])


def assert_problem(reply: Reply, status: int) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == PROBLEM
    assert reply.body["status"] == status
    assert reply.body["title"]
    assert reply.body["detail"]


def assert_nothing_written(cloud: Cloud, *practices: str) -> None:
    for practice in ("F83001", *practices):
        assert cloud.store.lists.for_practice(practice) == []
    assert executions(cloud) == []


def withdraw(api: Api, referral_id: str) -> None:
    reply = api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(), {})
    assert reply.status == 200, reply.body


# -- intake ----------------------------------------------------------------------------------


def test_a_valid_referral_is_created_and_its_run_started(cloud: Cloud, api: Api) -> None:
    reply = submit(api, referral_body())

    assert reply.status == 201, reply.body
    assert set(reply.body) == {"referral_id", "reference", "status"}
    assert reply.body["status"] == "RECEIVED"
    assert reference.normalise(reply.body["reference"]) == reply.body["reference"]
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    referral_id = reply.body["referral_id"]
    assert [i.referral_id for i in cloud.store.lists.for_practice("F83001")] == \
        [referral_id]
    assert [e["name"] for e in executions(cloud)] == [referral_id]


BAD_INPUT: dict[str, tuple[Any, str, str]] = {
    # case: (body, referrer's practice, the field named in the error)
    "NHS number fails modulus 11": (
        referral_body(patient__nhs_number="485 777 3458"), "F83001", "patient.nhs_number"),
    "date of birth in the future": (
        referral_body(patient__date_of_birth=NEXT_YEAR), "F83001",
        "patient.date_of_birth"),
    "a field that is not part of a referral": (
        referral_body(favourite_colour="blue"), "F83001", "favourite_colour"),
    "patient did not agree": (
        referral_body(consent__referral=False), "F83001", "consent.referral"),
    "reason over 1000 characters": (
        referral_body(reason="x" * 1001), "F83001", "reason"),
    "a practice that does not take part": (
        referral_body(practice_ods="F89999"), "F89999", "practice_ods"),
    "an email address that is markup": (
        referral_body(patient__contact_preference="email",
                      patient__email='"><script>alert(1)</script>@x.example'),
        "F83001", "patient.email"),
    "a JSON array": ([referral_body()], "F83001", "body"),
    "not JSON at all": ("not json", "F83001", "body"),
}


@pytest.mark.parametrize(("body", "practice", "field"), list(BAD_INPUT.values()),
                         ids=list(BAD_INPUT))
def test_bad_input_gets_422_naming_the_field_and_writes_nothing(
        cloud: Cloud, api: Api, body: Any, practice: str, field: str) -> None:
    reply = submit(api, body, practice)

    assert_problem(reply, 422)
    errors = reply.body["errors"]
    assert [e["field"] for e in errors] == [field]
    assert all(isinstance(e["message"], str) and e["message"] for e in errors)
    # The error never echoes what was typed: it may be personal.
    assert "4857773458" not in json.dumps(reply.body)
    assert "485 777 3458" not in json.dumps(reply.body)
    assert "<script>" not in json.dumps(reply.body)
    assert_nothing_written(cloud, practice)


def test_a_referrer_cannot_refer_for_another_practice(cloud: Cloud, api: Api) -> None:
    reply = submit(api, referral_body(practice_ods="F83002"), practice="F83001")

    assert_problem(reply, 403)
    assert_nothing_written(cloud, "F83002")


def test_a_patient_has_one_active_referral_at_a_time(cloud: Cloud, api: Api) -> None:
    first = api.refer(patient__nhs_number="4857773457")

    # The same number typed with spaces, at the same or at another practice.
    again = submit(api, referral_body(patient__nhs_number="485 777 3457"))
    elsewhere = submit(api, referral_body(practice_ods="F83002",
                                          patient__nhs_number=" 485-777-3457 "), "F83002")

    assert_problem(again, 409)
    assert_problem(elsewhere, 409)
    # The practice can find the referral the patient already has: its reference and date.
    first_reference = api.get(first, api.referrer()).body["reference"]
    assert first_reference in again.body["detail"]
    assert "referred on " in again.body["detail"]
    assert [i.referral_id for i in cloud.store.lists.for_practice("F83001")] == [first]
    assert cloud.store.lists.for_practice("F83002") == []
    assert [e["name"] for e in executions(cloud)] == [first]

    withdraw(api, first)
    second = submit(api, referral_body(patient__nhs_number="485 777 3457"))
    assert second.status == 201, second.body
    assert second.body["referral_id"] != first


def test_two_referrals_for_one_patient_at_the_same_moment_create_one(
        cloud: Cloud, api: Api) -> None:
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def refer(practice: str) -> None:
        body = referral_body(practice_ods=practice)
        start.wait()
        statuses[practice] = submit(api, body, practice).status

    threads = [threading.Thread(target=refer, args=(p,)) for p in ("F83001", "F83002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [201, 409]
    created = [i for p in ("F83001", "F83002") for i in cloud.store.lists.for_practice(p)]
    assert len(created) == 1
    assert [e["name"] for e in executions(cloud)] == [created[0].referral_id]


# -- Idempotency-Key ---------------------------------------------------------------------------


def test_a_repeated_idempotency_key_returns_the_first_referral(cloud: Cloud, api: Api) -> None:
    key = str(uuid.uuid4())
    first = submit(api, referral_body(), **{"Idempotency-Key": key})
    repeat = submit(api, referral_body(), **{"Idempotency-Key": key})

    assert first.status == 201, first.body
    assert repeat.status == 201, repeat.body
    assert repeat.body == first.body
    assert len(cloud.store.lists.for_practice("F83001")) == 1
    assert [e["name"] for e in executions(cloud)] == [first.body["referral_id"]]

    # The same key for a different referral is a mistake, not a repeat.
    changed = submit(api, referral_body(reason="A different reason."),
                     **{"Idempotency-Key": key})
    assert_problem(changed, 409)
    # A new key for the same patient is a second referral: the patient already has one.
    duplicate = submit(api, referral_body(), **{"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(duplicate, 409)
    assert len(cloud.store.lists.for_practice("F83001")) == 1
    assert len(executions(cloud)) == 1


def test_a_retry_after_the_run_failed_to_start_completes_the_referral(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    start = Workflow.start
    failures = [ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                            "StartExecution")]

    def start_failing_once(workflow: Workflow, referral_id: str) -> str:
        if failures:
            raise failures.pop()
        return start(workflow, referral_id)

    monkeypatch.setattr(Workflow, "start", start_failing_once)
    key = str(uuid.uuid4())

    failed = submit(api, referral_body(), **{"Idempotency-Key": key})
    assert_problem(failed, 500)
    assert cloud.store.lists.for_practice("F83001") == []
    retried = submit(api, referral_body(), **{"Idempotency-Key": key})

    assert retried.status == 201, retried.body
    assert [e["name"] for e in executions(cloud)] == [retried.body["referral_id"]]
    assert len(cloud.store.lists.for_practice("F83001")) == 1


@pytest.mark.parametrize("key", ["abc", "k" * 129], ids=["too short", "too long"])
def test_an_idempotency_key_must_be_8_to_128_characters(
        cloud: Cloud, api: Api, key: str) -> None:
    reply = submit(api, referral_body(), **{"Idempotency-Key": key})

    assert_problem(reply, 422)
    assert [e["field"] for e in reply.body["errors"]] == ["Idempotency-Key"]
    assert_nothing_written(cloud)


# -- who may call ------------------------------------------------------------------------------


def test_a_request_without_a_valid_token_gets_401(cloud: Cloud, api: Api) -> None:
    referrer = {"cognito:groups": ["referrer"], "custom:practice_ods": "F83001",
                "custom:coach_id": None}
    authorizations = {case: f"Bearer {make(referrer)}" for case, make in BAD_TOKENS.items()
                      if case != "missing"}
    authorizations["not a bearer token"] = f"Basic {api.referrer()}"
    body = json.dumps(referral_body()).encode()

    no_header = api.client.http.request("POST", "/referrals", body=body,
                                        headers={"Content-Type": "application/json"})
    assert no_header.status_code == 401
    assert no_header.headers["Content-Type"] == PROBLEM
    assert json.loads(no_header.body)["status"] == 401
    for case, authorization in authorizations.items():
        reply = api.call("POST", "/referrals", "", referral_body(), Authorization=authorization)
        assert reply.status == 401, case
        assert reply.headers["Content-Type"] == PROBLEM, case
    for path in ("/referrals", f"/referrals/{uuid.uuid4()}", "/practices"):
        response = api.client.http.request("GET", path, headers={})
        assert response.status_code == 401, path
    assert_nothing_written(cloud)


def test_only_a_referrer_can_refer(cloud: Cloud, api: Api) -> None:
    for token in (api.coach("coach-amara"), api.ops()):
        reply = api.call("POST", "/referrals", token, referral_body())
        assert_problem(reply, 403)
    assert_nothing_written(cloud)


# -- reading -----------------------------------------------------------------------------------


def test_any_role_can_list_the_pilot_practices(cloud: Cloud, api: Api) -> None:
    expected = {
        p["practice_ods"]: {"name": p["name"],
                            "sessions": [{"coach_id": c["coach_id"], "weekday": c["weekday"]}
                                         for c in p["coaches"]]}
        for p in pilot_practices()
    }
    for token in (api.referrer(), api.coach("coach-chloe"), api.ops()):
        reply = api.call("GET", "/practices", token)
        assert reply.status == 200, reply.body
        assert len(reply.body) == 6
        assert {p["practice_ods"]: {"name": p["name"], "sessions": p["sessions"]}
                for p in reply.body} == expected
    response = api.client.http.request("GET", "/practices", headers={})
    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM


PATIENTS = {
    # referral at: (practice, NHS number, given name, family name)
    "first": ("F83001", "9434765919", "Orla", "Quennell"),
    "second": ("F83001", "9434765870", "Pavel", "Rendlesham"),
    "other practice": ("F83002", "9434765862", "Sunita", "Tollemache"),
}


def patient_values(nhs: str, given: str, family: str) -> list[str]:
    return [nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", given, family]


def test_each_role_lists_only_the_referrals_in_its_scope(cloud: Cloud, api: Api) -> None:
    ids = {
        name: api.refer(practice, patient__nhs_number=nhs, patient__given_name=given,
                        patient__family_name=family)
        for name, (practice, nhs, given, family) in PATIENTS.items()
    }
    items = {name: api.awaiting(referral_id, "appointment_outcome")
             for name, referral_id in ids.items()}

    def listed(token: str) -> list[dict[str, Any]]:
        reply = api.call("GET", "/referrals", token)
        assert reply.status == 200, reply.body
        return list(reply.body["items"])

    by_referrer = listed(api.referrer("F83001"))
    assert {r["referral_id"] for r in by_referrer} == {ids["first"], ids["second"]}
    assert {r["practice_ods"] for r in by_referrer} == {"F83001"}

    amaras = {i.referral_id for i in items.values() if i.coach_id == "coach-amara"}
    assert amaras  # the least-loaded coach at F83001, first in its sessions, takes one
    by_amara = listed(api.coach("coach-amara"))
    assert {r["referral_id"] for r in by_amara} == amaras
    assert {r["coach_id"] for r in by_amara} == {"coach-amara"}
    assert {r["referral_id"] for r in listed(api.coach("coach-chloe"))} == \
        {ids["other practice"]}

    by_ops = listed(api.ops())
    assert {r["referral_id"] for r in by_ops} == set(ids.values())
    assert all("patient" not in r for r in by_ops)
    text = json.dumps(by_ops)
    for _, nhs, given, family in PATIENTS.values():
        for value in patient_values(nhs, given, family):
            assert value not in text
    for value in ("1980-04-01", "07700 900982", "long illness", "mental_health"):
        assert value not in text


@pytest.fixture
def booked(api: Api) -> Referral:
    """A referral at F83001 with a coach allocated and a first appointment booked."""
    referral_id = api.refer()
    return api.awaiting(referral_id, "appointment_outcome")


def test_a_referral_out_of_scope_looks_missing(api: Api, booked: Referral) -> None:
    referral_id = booked.referral_id
    other_coach = ({"coach-amara", "coach-bilal"} - {str(booked.coach_id)}).pop()

    for who, token in {"another practice's referrer": api.referrer("F83002"),
                       "the practice's other coach": api.coach(other_coach),
                       "another practice's coach": api.coach("coach-chloe")}.items():
        reply = api.get(referral_id, token)
        assert reply.status == 404, who
        assert reply.headers["Content-Type"] == PROBLEM, who
    assert api.get(referral_id, api.referrer("F83001")).status == 200
    assert api.get(referral_id, api.coach(str(booked.coach_id))).status == 200

    unknown = api.get(str(uuid.uuid4()), api.ops())
    assert_problem(unknown, 404)
    # The answer for someone else's referral is the same as for one that does not exist.
    off_scope = api.get(referral_id, api.referrer("F83002"))
    assert off_scope.body == unknown.body


COACH_ONLY_PATIENT_FIELDS = {"date_of_birth", "phone", "email", "contact_preference"}


def test_each_role_reads_only_what_it_may_see(api: Api, booked: Referral) -> None:
    referral_id = booked.referral_id
    body = referral_body()

    referrer = api.get(referral_id, api.referrer()).body
    assert referrer["patient"] == {"given_name": "Ada", "family_name": "Testperson",
                                   "nhs_number": "485 777 3457"}
    for hidden in ("health_conditions", "reason", "notes"):
        assert hidden not in referrer
    assert referrer["timeline"]
    assert all(set(entry) == {"at", "event"} for entry in referrer["timeline"])
    for value in (body["reason"], "1980-04-01", "07700 900982", "mental_health"):
        assert value not in json.dumps(referrer)
    assert (referrer["status"], referrer["coach_id"]) == ("APPOINTMENT_BOOKED",
                                                          str(booked.coach_id))
    assert referrer["appointment"] == {"start": appointment(booked).start,
                                       "practice_ods": "F83001"}

    coach = api.get(referral_id, api.coach(str(booked.coach_id))).body
    assert coach["health_conditions"] == ["mental_health"]
    assert coach["reason"] == body["reason"]
    assert set(coach["patient"]) >= COACH_ONLY_PATIENT_FIELDS
    assert coach["patient"]["date_of_birth"] == "1980-04-01"
    assert all({"at", "event", "by"} <= set(entry) for entry in coach["timeline"])

    ops = api.get(referral_id, api.ops()).body
    for hidden in ("patient", "health_conditions", "reason", "notes"):
        assert hidden not in ops
    for value in ("Ada", "Testperson", "4857773457", "485 777 3457", body["reason"],
                  "1980-04-01", "07700 900982"):
        assert value not in json.dumps(ops)
    assert ops["referral_id"] == referral_id
    assert ops["status"] == "APPOINTMENT_BOOKED"


def test_deployed_responses_carry_hsts_and_local_ones_do_not(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    local = api.call("GET", "/practices", api.ops())
    assert "Strict-Transport-Security" not in local.headers
    monkeypatch.setenv("WB_PUBLIC_URL", "https://working-better.example.nhs.uk")
    reset_caches()
    deployed = api.call("GET", "/practices", api.ops())
    assert deployed.status == 200
    assert deployed.headers["Strict-Transport-Security"].startswith("max-age=")
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert header in deployed.headers
    # Pages too (a regression: HTML went out without HSTS), and refusals.
    for path in ("/login", "/referrals"):  # a page, and a refusal (no token)
        reply = api.client.http.get(path)
        assert reply.headers["Strict-Transport-Security"].startswith("max-age="), path
