"""Nothing stranded, nothing lost: places, runs, late answers, erasure and intake under races
and failures (issue 9's defects, each reproduced here before it was fixed)."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud, referral_body
from tests.integration.test_withdrawal import call, race, withdraw
from workingbetter.adapters import workflow
from workingbetter.adapters.dynamo import Tables
from workingbetter.adapters.referrals import Referrals
from workingbetter.domain.records.referral import Referral
from workingbetter.handlers import tasks
from workingbetter.services.lifecycle import Lifecycle
from workingbetter.wiring import services

pytestmark = pytest.mark.integration

PRACTICE = "F83002"  # one coach, coach-chloe
FAST = {"review_interval_days": 30, "sustainment_first_days": 60,
        "sustainment_second_days": 120}


def running_runs(cloud: Cloud, referral_id: str, settle: float = 10.0) -> list[str]:
    """The referral's runs still going once things have had time to settle."""
    deadline = time.monotonic() + settle
    while True:
        going = [name for name in cloud.runs(referral_id)
                 if cloud.sfn.describe_execution(executionArn=cloud.execution_arn(name))
                 ["status"] == "RUNNING"]
        if not going or time.monotonic() > deadline:
            return going
        time.sleep(0.1)


# -- a free place is never idle while someone waits -------------------------------------------


def slow(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, seconds: float) -> None:
    """Hold a step open for a moment, as a busy Lambda would: the window a race needs."""
    original = getattr(owner, name)

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slowly)


@pytest.mark.service_days(caseload_cap=2)
def test_a_place_offered_to_someone_who_then_leaves_goes_to_the_next_in_line(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    booked = [api.refer(PRACTICE, patient__nhs_number=n) for n in VALID_NHS_NUMBERS[1:3]]
    for referral_id in booked:
        api.awaiting(referral_id, "appointment_outcome")
    waiting = []
    for nhs in VALID_NHS_NUMBERS[3:6]:
        waiting.append(api.refer(PRACTICE, patient__nhs_number=nhs))
        api.awaiting(waiting[-1], "capacity")
    slow(monkeypatch, tasks, "allocate", 1.0)

    withdraw(api, booked[0], token=api.referrer(PRACTICE))  # the place goes to waiting[0]...
    withdraw(api, waiting[0], token=api.referrer(PRACTICE))  # ...who leaves before taking it

    second = api.awaiting(waiting[1], "appointment_outcome")
    assert second.status == "APPOINTMENT_BOOKED"
    third = cloud.store.referrals.get(waiting[2])
    assert third is not None
    assert third.status == "WAITLISTED"
    coach = cloud.store.directory.coach("coach-chloe")
    assert coach is not None
    assert coach.active == 2


def due_for_review(api: Api, referral_id: str) -> None:
    """Walk a booked referral through its first appointment to its first review."""
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    api.awaiting(referral_id, "review")


# -- no run outlasts its referral ------------------------------------------------------------


@pytest.mark.service_days(review_interval_days=30, sustainment_first_days=600,
                          sustainment_second_days=1200)  # the in-work run waits a minute
def test_a_withdrawal_while_the_in_work_run_starts_leaves_no_run_going(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = api.refer()
    due_for_review(api, referral_id)
    slow(monkeypatch, workflow.Workflow, "continue_in_new_run", 1.0)
    job = {"employer": "Angel Bakery", "hours_per_week": 16, "start_date": "2026-12-01"}
    reply = api.step(referral_id, "reviews", {"decision": "job_start", "employer_contacts": 1,
                                              "job": job})
    assert reply.status == 200

    withdraw(api, referral_id)  # while the task that starts the in-work run is under way

    assert running_runs(cloud, referral_id) == [], "a run outlived its referral"


@pytest.mark.service_days(**FAST)
def test_withdrawing_as_a_job_starts_leaves_no_run_going(cloud: Cloud, api: Api) -> None:
    job = {"employer": "Angel Bakery", "hours_per_week": 16, "start_date": "2026-12-01"}
    for nhs_number in VALID_NHS_NUMBERS[1:5]:
        referral_id = api.refer(patient__nhs_number=nhs_number)
        due_for_review(api, referral_id)
        replies = race(
            review=call(api, f"/referrals/{referral_id}/reviews", api.coach_of(referral_id),
                        {"decision": "job_start", "employer_contacts": 1, "job": job}),
            withdraw=call(api, f"/referrals/{referral_id}/withdraw", api.referrer(), {}),
        )
        assert replies["withdraw"] == 200
        item = cloud.store.referrals.get(referral_id)
        assert item is not None
        assert item.status == "WITHDRAWN"
        assert running_runs(cloud, referral_id) == [], "a run outlived its referral"


# -- a stalled referral is never a dead end ----------------------------------------------------

STALLS_FAST = {"appointment_outcome_days": 3, "triage_decision_days": 3, "max_chases": 1,
               "seconds_per_day": 0.1}


def stalled(cloud: Cloud, referral_id: str) -> Referral:
    item = cloud.wait_for(referral_id, lambda i: i.attention == "stalled", what="stalled")
    assert cloud.wait_for_execution(referral_id) == "FAILED"
    return item


@pytest.mark.service_days(**STALLS_FAST)
def test_a_late_answer_to_a_stalled_step_moves_the_referral_on(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    item = stalled(cloud, referral_id)  # its limit runs from the appointment: long past
    assert item.awaiting == "appointment_outcome"

    reply = api.step(referral_id, "appointment-outcome", {"outcome": "attended"})

    assert reply.status == 200, reply.body
    assert reply.body["status"] == "IN_SUPPORT"
    after = api.awaiting(referral_id, "review")
    assert after.attention is None
    runs = cloud.runs(referral_id)
    assert runs == [referral_id, f"{referral_id}-resume-1"]
    ops_view = api.get(referral_id, api.ops()).body
    assert ops_view["status"] == "IN_SUPPORT"


@pytest.mark.service_days(appointment_outcome_days=3, seconds_per_day=0.1)
def test_an_answer_that_lands_while_its_step_is_being_chased_is_carried_on(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chase read the referral, the coach's answer landed, then the chase wrote: the run
    went back to wait for the step just answered, and stalled (make demo's late answers)."""
    chasing, answered = threading.Event(), threading.Event()
    write = Referrals.update

    def chase_waits_for_the_answer(self: Referrals, referral_id: str, event: Any,
                                   *args: Any, **kwargs: Any) -> Referral:
        if event is not None and event.event == "overdue_chased" and not chasing.is_set():
            chasing.set()  # it has read the referral, still waiting for its step
            answered.wait(60)
        return write(self, referral_id, event, *args, **kwargs)

    monkeypatch.setattr(Referrals, "update", chase_waits_for_the_answer)
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert chasing.wait(60), "the step's time limit fired"

    reply = api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    answered.set()

    assert reply.status == 200, reply.body
    # A long limit from here: the next wait must not race the test.
    cloud.set_service_days(appointment_outcome_days=10_000)
    after = api.awaiting(referral_id, "review", timeout=60)
    assert after.status == "IN_SUPPORT"
    assert after.attention is None


@pytest.mark.service_days(**STALLS_FAST)
def test_ops_resume_a_stalled_referral_at_the_step_it_stalled_at(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(health_conditions=["other"])
    stalled(cloud, referral_id)
    # The resumed run's people get long limits: the test reads the step before answering it.
    cloud.set_service_days(triage_decision_days=10_000, appointment_outcome_days=10_000)

    reply = api.call("POST", f"/referrals/{referral_id}/resume", api.ops())

    assert reply.status == 200, reply.body
    item = api.awaiting(referral_id, "triage_decision")
    assert item.attention is None
    assert item.chases == 0
    decision = api.call("POST", f"/referrals/{referral_id}/triage", api.coach("coach-amara"),
                        {"decision": "accept", "reason": "Fits the service"})
    assert decision.status == 200
    api.awaiting(referral_id, "appointment_outcome")
    again = api.call("POST", f"/referrals/{referral_id}/resume", api.ops())
    assert again.status == 409
    assert "waiting for appointment_outcome" in again.body["detail"]


def test_a_conflict_names_the_step_the_run_is_really_waiting_for(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    reply = api.step(referral_id, "sustainment", {"still_in_work": True})
    assert reply.status == 409
    assert reply.body["detail"] == ("The referral is not waiting for sustainment_check: "
                                    "it is waiting for appointment_outcome")


# -- no outcome before the appointment -------------------------------------------------------


@pytest.mark.service_days(seconds_per_day=8640)
def test_an_outcome_before_the_appointment_is_refused_but_a_cancellation_is_not(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome"
                   and bool(i.task_token))

    early = api.step(referral_id, "appointment-outcome", {"outcome": "attended"})

    assert early.status == 409
    assert "has not happened yet" in early.body["detail"]
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "APPOINTMENT_BOOKED"
    cancelled = api.step(referral_id, "appointment-outcome", {"outcome": "cancelled"})
    assert cancelled.status == 200


# -- erasure leaves nothing derived behind ---------------------------------------------------


def test_erasure_removes_the_keyed_hash_and_a_replay_is_refused(cloud: Cloud, api: Api) -> None:
    key = {"Idempotency-Key": "erase-and-replay-01"}
    body = referral_body()
    referral_id = api.call("POST", "/referrals", api.referrer(), body, **key).body["referral_id"]
    api.awaiting(referral_id, "appointment_outcome")

    withdraw(api, referral_id, erase=True)

    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.patient_key is None
    replay = api.call("POST", "/referrals", api.referrer(), body, **key)
    assert replay.status == 409
    assert "withdrawn" in replay.body["detail"]
    assert body["patient"]["family_name"] not in str(replay.body)
    ops = api.call("GET", "/referrals", api.ops()).body
    assert [r["referral_id"] for r in ops["items"]] == [referral_id]


# -- a failed request changes nothing --------------------------------------------------------


@pytest.mark.service_days(**FAST)
def test_a_review_whose_answer_fails_leaves_no_note_behind(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = api.refer()
    due_for_review(api, referral_id)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(Lifecycle, "answer", broken)
    reply = api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 1,
                                              "goals": ["Update my CV"]})
    assert reply.status == 500
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["notes"] == []

    monkeypatch.undo()
    goals = ["g" * 200] * 20  # the most a review may carry
    reply = api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 1,
                                              "goals": goals})
    assert reply.status == 200, reply.body
    assert len(cloud.personal_data(referral_id)["notes"]) == 1  # type: ignore[index]


# -- intake happens once, even when a write's answer is lost ----------------------------------


def test_an_intake_write_retried_after_a_lost_response_finds_its_own_write(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Tables.client.fget  # type: ignore[attr-defined]

    class LostFirstResponse:
        """The first transaction lands but its answer is lost, so it is sent again."""

        def __init__(self, client: Any) -> None:
            self._client = client

        def __getattr__(self, name: str) -> Any:
            return getattr(self._client, name)

        def transact_write_items(self, **kwargs: Any) -> Any:
            self._client.transact_write_items(**kwargs)
            return self._client.transact_write_items(**kwargs)

    monkeypatch.setattr(Tables, "client", property(lambda s: LostFirstResponse(real(s))))
    reply = api.call("POST", "/referrals", api.referrer(), referral_body())
    monkeypatch.undo()

    assert reply.status == 201, reply.body
    api.awaiting(reply.body["referral_id"], "appointment_outcome")


# -- the daily reconciler ---------------------------------------------------------------------


@pytest.mark.service_days(caseload_cap=2)
def test_the_reconciler_repairs_a_drifted_counter_and_offers_the_free_place(
        cloud: Cloud, api: Api) -> None:
    holder = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[1])
    api.awaiting(holder, "appointment_outcome")
    # A drift: the counter says both places are taken, but only one referral holds a place.
    boto3.resource("dynamodb").Table(cloud.settings.table_name).update_item(
        Key={"pk": "COACH#coach-chloe", "sk": "COACH"}, UpdateExpression="SET active = :two",
        ExpressionAttributeValues={":two": 2})
    waiting = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[2])
    api.awaiting(waiting, "capacity")

    report = services().reconciler.run()

    assert report == {"repaired": 1, "offered": 1}
    assert api.awaiting(waiting, "appointment_outcome").coach_id == "coach-chloe"
    coach = cloud.store.directory.coach("coach-chloe")
    assert coach is not None
    assert coach.active == 2
    alerts = api.call("GET", "/ops/notifications", api.ops()).body
    assert any(a["kind"] == "ops_capacity_repaired" for a in alerts)
