"""The whole pathway through the real ASL on a compressed clock: triage, first appointment,
reviews, in-work checks and exit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api_client import Api, appointment, until_appointment
from tests.conftest import Cloud, diary_down
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.slots import UK, parse_iso
from workingbetter.handlers import tasks

pytestmark = pytest.mark.integration
GOAL = "Write a CV for bakery work"  # a coach's note: never in the practice's view

# Short waits so a year-long journey runs in seconds; human steps keep their real limits.
FAST = {"review_interval_days": 5, "sustainment_first_days": 10,
        "sustainment_second_days": 20}


@pytest.mark.service_days(**FAST)
def test_a_full_journey_ends_with_a_job_sustained_for_26_weeks(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    coach = api.coach_of(referral_id)

    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    assert api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 2,
                                              "goals": [GOAL], "confidence": 6}).status == 200
    api.awaiting(referral_id, "review")
    job = {"employer": "Angel Bakery", "hours_per_week": 20, "start_date": "2026-12-01"}
    reply = api.step(referral_id, "reviews", {"decision": "job_start", "employer_contacts": 1,
                                               "job": job})
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "IN_WORK"
    first = api.awaiting(referral_id, "sustainment_check")
    assert first.sustainment_week == 13
    assert api.step(referral_id, "sustainment", {"still_in_work": True}).status == 200
    second = api.awaiting(referral_id, "sustainment_check")
    assert second.sustainment_week == 26
    assert api.step(referral_id, "sustainment", {"still_in_work": True, "end_support": True},
                    coach).status == 200

    assert cloud.wait_for_execution(referral_id) == "SUCCEEDED"
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert (item.status, item.exit_reason) == ("EXITED", "job_sustained_26_weeks")
    assert item.employer_contacts == 3
    coach_item = cloud.store.directory.coach(str(item.coach_id))
    assert coach_item is not None
    assert coach_item.active == 0
    states = cloud.states_entered(referral_id)
    assert len(states) <= 25, states
    assert states[-1] == "Exited"
    # Goals, confidence and the employer are coach notes: kept with the personal data only.
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert [n.get("employer") for n in personal["notes"] if "employer" in n] == ["Angel Bakery"]
    for token in (coach, api.ops()):
        assert api.get(referral_id, token).status == 200  # numbers in the timeline serialise
    referrer_view = api.get(referral_id, api.referrer()).body
    assert "Angel Bakery" not in str(referrer_view)
    assert GOAL not in str(referrer_view)  # a coach note


def rebooked(appointments: int) -> Callable[[Referral], bool]:
    def check(item: Referral) -> bool:
        return bool(item.appointments_booked == appointments
                    and item.awaiting == "appointment_outcome")

    return check


def test_three_missed_appointments_in_a_row_end_as_disengaged(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    starts = []
    for missed in (1, 2):
        item = api.awaiting(referral_id, "appointment_outcome")
        starts.append(appointment(item).start)
        reply = api.step(referral_id, "appointment-outcome", {"outcome": "did_not_attend"})
        assert reply.body["next"] == "rebook"
        item = cloud.wait_for(referral_id, rebooked(missed + 1))
        assert item.status == "APPOINTMENT_BOOKED"
        assert item.missed_in_a_row == missed
    third = cloud.store.referrals.get(referral_id)
    assert third is not None
    starts.append(appointment(third).start)
    until_appointment(third)
    # Each rebooking is in a later session, never the same day as the missed one.
    days = [parse_iso(s).astimezone(UK).date() for s in starts]
    assert days == sorted(days)
    assert len(set(days)) == 3

    reply = api.step(referral_id, "appointment-outcome", {"outcome": "did_not_attend"})
    assert reply.status == 200
    assert reply.body["status"] == "EXITED"
    assert cloud.wait_for_execution(referral_id) == "SUCCEEDED"
    ended = cloud.store.referrals.get(referral_id)
    assert ended is not None
    assert ended.exit_reason == "disengaged"
    events = [e.event for e in ended.timeline]
    assert events.count("did_not_attend_outreach") == 2


def test_a_cancelled_appointment_is_rebooked_without_counting_as_missed(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    first = api.awaiting(referral_id, "appointment_outcome")
    api.step(referral_id, "appointment-outcome", {"outcome": "cancelled"})
    item = cloud.wait_for(referral_id, rebooked(2))
    assert item.missed_in_a_row == 0
    assert appointment(item).start != appointment(first).start
    # The cancelled slot is free again for someone else.
    assert appointment(first).start not in cloud.store.diary.booked_slots(
        str(item.coach_id), appointment(first).start)


def test_a_referral_only_a_person_can_triage_waits_for_the_practice_coach(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(health_conditions=["other"])
    item = api.awaiting(referral_id, "triage_decision")
    assert item.status == "AWAITING_TRIAGE_DECISION"

    elsewhere = api.step(referral_id, "triage", {"decision": "accept", "reason": "ok"},
                         api.coach("coach-chloe"))
    assert elsewhere.status == 404
    assert api.get(referral_id, api.coach("coach-amara")).status == 200
    reply = api.step(referral_id, "triage", {"decision": "accept", "reason": "Chronic pain"},
                     api.coach("coach-amara"))
    assert reply.status == 200, reply.body

    booked = api.awaiting(referral_id, "appointment_outcome")
    assert booked.status == "APPOINTMENT_BOOKED"
    assert "triage_accepted" in [e.event for e in booked.timeline]


def test_a_coach_can_reject_at_triage_with_a_reason(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(health_conditions=["other"])
    api.awaiting(referral_id, "triage_decision")
    reply = api.step(referral_id, "triage", {"decision": "reject", "reason": "Not local"},
                     api.coach("coach-bilal"))
    assert reply.status == 200
    assert reply.body["status"] == "REJECTED"
    assert cloud.wait_for_execution(referral_id) == "SUCCEEDED"
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.exit_reason == "ineligible"
    assert cloud.states_entered(referral_id)[-1] == "Rejected"
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["notes"][0]["reason"] == "Not local"


@pytest.mark.service_days(triage_decision_days=5, max_chases=2)
def test_an_overdue_triage_decision_is_chased_and_flagged_never_auto_declined(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(health_conditions=["other"])
    assert cloud.wait_for_execution(referral_id) == "FAILED"
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status == "AWAITING_TRIAGE_DECISION"
    assert item.attention == "stalled"
    events = [e.event for e in item.timeline]
    assert events.count("overdue_chased") == 3
    assert "triage_rejected" not in events


def test_a_human_step_the_run_is_not_waiting_for_gets_409(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    reply = api.step(referral_id, "reviews", {"decision": "continue", "employer_contacts": 0})
    assert reply.status == 409
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert "not waiting for review" in reply.body["detail"]
    # Answering the same step twice: the second answer finds nothing to answer.
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 409


def test_bad_human_step_input_gets_field_errors_and_changes_nothing(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    reply = api.step(referral_id, "appointment-outcome", {"outcome": "maybe"})
    assert reply.status == 422
    assert [e["field"] for e in reply.body["errors"]] == ["outcome"]
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.awaiting == "appointment_outcome"


def test_a_step_that_fails_waits_for_ops_to_retry_it_once_the_cause_is_fixed(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    booking = tasks.book
    monkeypatch.setattr(tasks, "book", diary_down)
    referral_id = api.refer()
    stuck = api.awaiting(referral_id, "ops_retry")
    assert stuck.attention == "task_failed"
    assert stuck.status == "ALLOCATED"
    assert "FlagTaskFailed" in cloud.states_entered(referral_id)
    assert cloud.referral(referral_id).failed_at == "BookFirstAppointment"
    premature = api.call("POST", f"/referrals/{referral_id}/retry", api.ops())
    assert premature.status == 200  # ops may retry at once; here the cause is still there
    stuck_again = api.awaiting(referral_id, "ops_retry")
    assert stuck_again.attention == "task_failed"

    monkeypatch.setattr(tasks, "book", booking)  # the cause is fixed
    assert api.call("POST", f"/referrals/{referral_id}/retry", api.coach_of(referral_id)
                    ).status == 403
    assert api.call("POST", f"/referrals/{referral_id}/retry", api.ops()).status == 200

    booked = api.awaiting(referral_id, "appointment_outcome")
    assert booked.status == "APPOINTMENT_BOOKED"
    assert booked.attention is None
    assert cloud.execution_status(referral_id) == "RUNNING"
    events = [e.event for e in booked.timeline]
    assert events.count("failed_step_retried") == 2
    assert api.call("POST", f"/referrals/{referral_id}/retry", api.ops()).status == 409


# -- time-unlimited support (IPS) --------------------------------------------------------------


def in_work(api: Api, referral_id: str) -> None:
    """Walk a new referral to a job start."""
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    job = {"employer": "Angel Bakery", "hours_per_week": 20, "start_date": "2026-12-01"}
    assert api.step(referral_id, "reviews", {"decision": "job_start", "employer_contacts": 1,
                                             "job": job}).status == 200


def run_status(cloud: Cloud, run: str) -> str:
    return str(cloud.sfn.describe_execution(executionArn=cloud.execution_arn(run))["status"])


def events(cloud: Cloud, referral_id: str) -> list[str]:
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    return [e.event for e in item.timeline]


@pytest.mark.service_days(**FAST, sustainment_third_days=30)
def test_in_work_support_goes_on_past_26_weeks_until_the_patient_or_coach_ends_it(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    in_work(api, referral_id)
    for week in (13, 26, 52):
        check = api.awaiting(referral_id, "sustainment_check")
        assert check.sustainment_week == week
        assert api.step(referral_id, "sustainment", {"still_in_work": True}).status == 200
    # After a year in work, support goes on through reviews until someone ends it.
    in_work_review = api.awaiting(referral_id, "review")
    assert in_work_review.status == "IN_WORK"
    reply = api.step(referral_id, "reviews", {"decision": "exit", "employer_contacts": 0,
                                              "exit_reason": "in_work_support_ended"})
    assert reply.status == 200, reply.body
    ended = cloud.wait_for(referral_id, lambda i: i.status == "EXITED")
    assert ended.exit_reason == "in_work_support_ended"
    assert {"in_work_13_weeks", "in_work_26_weeks", "in_work_52_weeks"} <= set(
        events(cloud, referral_id))
    runs = ended.runs
    assert runs[:2] == (referral_id, f"{referral_id}-in-work")
    assert len(runs) == 3
    assert runs[2].startswith(f"{referral_id}-next-")  # the run for the 52-week check
    assert cloud.wait_for_execution(referral_id) == "SUCCEEDED"
    assert [run_status(cloud, run) for run in runs] == ["SUCCEEDED"] * 3


@pytest.mark.service_days(**FAST, sustainment_third_days=30)
def test_a_patient_may_end_in_work_support_at_any_check_and_keeps_the_credit(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    in_work(api, referral_id)
    api.awaiting(referral_id, "sustainment_check")
    assert api.step(referral_id, "sustainment",
                    {"still_in_work": True, "end_support": True}).status == 200
    ended = cloud.wait_for(referral_id, lambda i: i.status == "EXITED")
    assert ended.exit_reason == "in_work_support_ended"
    assert "in_work_13_weeks" in events(cloud, referral_id)


@pytest.mark.service_days(**FAST, support_period_days=1)
def test_a_year_of_support_prompts_a_review_instead_of_ending_it(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    before = api.awaiting(referral_id, "review")
    assert api.step(referral_id, "reviews", {"decision": "continue",
                                             "employer_contacts": 0}).status == 200
    after = cloud.wait_for(referral_id, lambda i: "support_goes_on_past_a_year" in
                           [e.event for e in i.timeline])
    assert after.status == "IN_SUPPORT"
    assert str(after.support_ends_at) > str(before.support_ends_at)  # the next prompt, a year on
    api.awaiting(referral_id, "review")  # support goes on
    reply = api.step(referral_id, "reviews", {"decision": "exit", "employer_contacts": 0,
                                              "exit_reason": "support_period_ended"})
    assert reply.status == 200, reply.body  # ended by agreement, not by the clock


@pytest.mark.service_days(**FAST, run_lifetime_seconds=1)
def test_support_goes_on_in_a_new_run_before_a_run_could_outlive_its_year(
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    api.awaiting(referral_id, "review")
    assert api.step(referral_id, "reviews", {"decision": "continue",
                                             "employer_contacts": 1}).status == 200
    waiting = api.awaiting(referral_id, "review")
    assert run_status(cloud, referral_id) == "SUCCEEDED"  # handed over, not timed out
    assert "ContinuedInANewRun" in cloud.states_entered(referral_id)
    assert waiting.status == "IN_SUPPORT"
    assert waiting.runs[-1].startswith(f"{referral_id}-next-")
