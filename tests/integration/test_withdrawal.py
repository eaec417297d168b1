"""Voluntary means leaving works from every live status, at once, and cleans up after itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from tests.api_client import Api, appointment
from tests.conftest import VALID_NHS_NUMBERS, Cloud, referral_body

pytestmark = pytest.mark.integration

FAST = {"review_interval_days": 30, "sustainment_first_days": 60,
        "sustainment_second_days": 120}


def withdraw(api: Api, referral_id: str, erase: bool = False,
             token: str | None = None) -> dict[str, Any]:
    reply = api.call("POST", f"/referrals/{referral_id}/withdraw", token or api.referrer(),
                     {"reason": "Feeling better", "erase_personal_data": erase})
    assert reply.status == 200, reply.body
    return dict(reply.body)


def race(**calls: Callable[[], int]) -> dict[str, int]:
    """Start every call at the same instant; returns each one's HTTP status."""
    results: dict[str, int] = {}
    start = threading.Barrier(len(calls))

    def run(name: str, call: Callable[[], int]) -> None:
        start.wait()
        results[name] = call()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def call(api: Api, path: str, token: str, body: dict[str, Any]) -> Callable[[], int]:
    return lambda: api.call("POST", path, token, body).status


def assert_withdrawn_cleanly(cloud: Cloud, api: Api, referral_id: str) -> None:
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "WITHDRAWN"
    assert item.task_token is None
    assert item.awaiting is None
    assert cloud.wait_for_execution(referral_id) in {"SUCCEEDED", "ABORTED"}
    for coach in ("coach-amara", "coach-bilal"):
        coach_item = cloud.store.directory.coach(coach)
        assert coach_item is not None
        assert coach_item.active == 0, f"{coach} still holds a place"
    # A human step afterwards is refused, a repeat withdrawal is harmless.
    refused = api.call("POST", f"/referrals/{referral_id}/appointment-outcome",
                       api.coach("coach-amara"), {"outcome": "attended"})
    assert refused.status in {404, 409}
    assert withdraw(api, referral_id)["status"] == "WITHDRAWN"
    assert cloud.coach("coach-amara").active == 0
    # The one-active-referral marker is gone: the patient may be referred again later.
    assert api.refer() != referral_id


def test_withdrawing_while_triage_waits_for_a_person(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(health_conditions=["other"])
    api.awaiting(referral_id, "triage_decision")
    withdraw(api, referral_id)
    assert_withdrawn_cleanly(cloud, api, referral_id)
    assert cloud.states_entered(referral_id)[-1] == "Withdrawn"


def test_withdrawing_straight_after_referral_stops_the_run_wherever_it_is(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    withdraw(api, referral_id)  # RECEIVED, TRIAGE or ALLOCATED: the run is just starting
    assert_withdrawn_cleanly(cloud, api, referral_id)


def test_withdrawing_with_a_booked_first_appointment_frees_the_slot(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    item = api.awaiting(referral_id, "appointment_outcome")
    withdraw(api, referral_id)
    assert_withdrawn_cleanly(cloud, api, referral_id)
    start = appointment(item).start
    assert start not in cloud.store.diary.booked_slots(str(item.coach_id), start)


@pytest.mark.service_days(**FAST)
def test_withdrawing_while_a_review_is_due(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    api.awaiting(referral_id, "review")
    withdraw(api, referral_id, token=api.coach_of(referral_id))
    assert_withdrawn_cleanly(cloud, api, referral_id)


# The next review is ten years away on this clock: the run is surely between reviews when the
# withdrawal lands, however busy the machine (at FAST's 3 s it could reach the review first,
# and a run waiting for a person ends through its Catch rather than being stopped).
@pytest.mark.service_days(review_interval_days=36500)
def test_withdrawing_between_reviews_stops_the_waiting_run(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")
    withdraw(api, referral_id)  # the run sits in WaitForReview: no token, so it is stopped
    assert_withdrawn_cleanly(cloud, api, referral_id)
    assert cloud.execution_status(referral_id) == "ABORTED"


@pytest.mark.service_days(**FAST)
def test_withdrawing_in_work(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
    api.awaiting(referral_id, "review")
    job = {"employer": "Angel Bakery", "hours_per_week": 16, "start_date": "2026-12-01"}
    api.step(referral_id, "reviews", {"decision": "job_start", "employer_contacts": 1,
                                      "job": job})
    cloud.wait_for(referral_id, lambda i: i.status == "IN_WORK")
    withdraw(api, referral_id)
    assert_withdrawn_cleanly(cloud, api, referral_id)


def test_withdrawal_can_erase_personal_data(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert "patient" in api.get(referral_id, api.referrer()).body

    result = withdraw(api, referral_id, erase=True)

    assert result["personal_data_erased"] is True
    assert cloud.personal_data(referral_id) is None
    view = api.get(referral_id, api.referrer()).body
    assert "patient" not in view
    assert view["status"] == "WITHDRAWN"
    assert "personal_data_erased" in [e["event"] for e in view["timeline"]]


def test_only_the_referring_practice_or_the_coach_can_withdraw(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    other_practice = api.call("POST", f"/referrals/{referral_id}/withdraw",
                              api.referrer("F83002"), {})
    other_coach = api.call("POST", f"/referrals/{referral_id}/withdraw",
                           api.coach("coach-chloe"), {})
    ops = api.call("POST", f"/referrals/{referral_id}/withdraw", api.ops(), {})
    assert (other_practice.status, other_coach.status, ops.status) == (404, 404, 403)
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "APPOINTMENT_BOOKED"


@pytest.mark.service_days(**FAST)
def test_a_withdrawal_racing_a_review_leaves_one_consistent_outcome(
        cloud: Cloud, api: Api) -> None:
    for nhs_number in VALID_NHS_NUMBERS[1:5]:
        referral_id = api.refer(patient__nhs_number=nhs_number)
        api.awaiting(referral_id, "appointment_outcome")
        api.step(referral_id, "appointment-outcome", {"outcome": "attended"})
        api.awaiting(referral_id, "review")
        replies = race(
            review=call(api, f"/referrals/{referral_id}/reviews", api.coach_of(referral_id),
                        {"decision": "continue", "employer_contacts": 1}),
            withdraw=call(api, f"/referrals/{referral_id}/withdraw", api.referrer(), {}),
        )

        assert replies["withdraw"] == 200
        assert replies["review"] in {200, 409}
        assert cloud.wait_for_execution(referral_id) in {"SUCCEEDED", "ABORTED"}
        item = cloud.store.referrals.get(referral_id)
        assert item is not None
        assert item.status == "WITHDRAWN"
        events = [e.event for e in item.timeline]
        assert events.count("withdrawn") == 1
        assert events.count("review_continue") == (1 if replies["review"] == 200 else 0)
        coach_item = cloud.store.directory.coach(str(item.coach_id))
        assert coach_item is not None
        assert coach_item.active == 0


@pytest.mark.service_days(caseload_cap=1)
def test_withdrawing_from_the_waitlist_leaves_the_queue_and_holds_no_place(
        cloud: Cloud, api: Api) -> None:
    first = api.refer("F83002", patient__nhs_number=VALID_NHS_NUMBERS[1])
    api.awaiting(first, "appointment_outcome")
    waiting = api.refer("F83002", patient__nhs_number=VALID_NHS_NUMBERS[2])
    api.awaiting(waiting, "capacity")

    reply = api.call("POST", f"/referrals/{waiting}/withdraw", api.referrer("F83002"), {})

    assert reply.status == 200
    assert cloud.wait_for_execution(waiting) == "SUCCEEDED"
    item = cloud.store.referrals.get(waiting)
    assert item is not None
    assert item.status == "WITHDRAWN"
    assert cloud.store.lists.waitlist("F83002") == []
    coach = cloud.store.directory.coach("coach-chloe")
    assert coach is not None
    assert coach.active == 1  # still the first referral's place, nothing released twice


def test_erasure_also_deletes_the_intakes_idempotency_record(cloud: Cloud, api: Api) -> None:
    reply = api.call("POST", "/referrals", api.referrer(), referral_body(),
                     **{"Idempotency-Key": "erase-me-0001"})
    referral_id = reply.body["referral_id"]
    item = api.awaiting(referral_id, "appointment_outcome")
    idempotency = boto3.resource("dynamodb").Table(cloud.settings.idempotency_table_name)
    record = {"id": item.idempotency_record}
    assert "Item" in idempotency.get_item(Key=record)

    withdraw(api, referral_id, erase=True)

    assert "Item" not in idempotency.get_item(Key=record)
    assert cloud.personal_data(referral_id) is None


@pytest.mark.service_days(personal_data_retention_days=730)
def test_personal_data_expires_two_years_after_the_referral_ends(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    withdraw(api, referral_id)
    personal = cloud.personal_data(referral_id)
    assert personal is not None  # kept for now: no erasure was asked for
    expected = time.time() + cloud.settings.seconds(730)
    assert abs(int(personal["expires_at"]) - expected) < 60
    assert cloud.store.referrals.get(referral_id) is not None  # the aggregate record stays
