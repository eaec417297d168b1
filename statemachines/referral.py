"""The referral state machine's source: `python -m statemachines.referral` writes
referral.asl.json, the definition template.yaml deploys (a test checks the two agree).

One run per referral (docs/architecture.md, "The workflow"). Every Task retries Lambda's
transient errors, ends cleanly on a withdrawal and hands any other failure to ops, who can
run the failed step again; every human step has a time limit whose expiry is chased.
Choice states are named as the question they answer. The human steps' waits, limits and
the values the chase routes on come from their declaration (`workingbetter.domain.human_steps`);
this file says where each step sits in the pathway.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from workingbetter.domain.human_steps import (
    APPOINTMENT_OUTCOME,
    CAPACITY,
    OPS_RETRY,
    REVIEW,
    SUSTAINMENT_CHECK,
    TRIAGE_DECISION,
    HumanStep,
    Wait,
    waits,
)

State = dict[str, Any]
ASL_PATH = Path(__file__).with_name("referral.asl.json")
WITHDRAWN = ["Referral.Withdrawn", "ReferralWithdrawn"]
TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException",
             "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "Lambda.Unknown"]
RETRY = [{"ErrorEquals": TRANSIENT, "IntervalSeconds": 1, "MaxAttempts": 4,
          "BackoffRate": 2.0, "JitterStrategy": "FULL"}]


# Tasks ops may run again after a failure (the waits above, too).
RETRYABLE = ("Triage", "AllocateCoach", "BookFirstAppointment", "ChaseOverdueStep",
             "ContinueInANewRun")
# Where a run started by ContinueInANewRun begins, by the phase its referral is in.
PHASES = {"in_work": "WaitForFirstSustainmentCheck", "in_work_52": "WaitForThirdSustainmentCheck",
          "support": "WaitForReview"}


def task(function: str, then: str, *, payload: dict[str, Any] | None = None,
         result: str | None = None, select: dict[str, str] | None = None,
         comment: str = "", **extra: Any) -> State:
    """A Lambda task: transient errors retried, a withdrawal ends the run, anything else is
    remembered under `$.failure.<state>` (filled in by `_name_failures`) and flagged for ops."""
    state: State = {"Type": "Task", **({"Comment": comment} if comment else {}),
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": f"${{{function}FunctionArn}}",
                                   "Payload": {"referral_id.$": "$.referral_id",
                                               **(payload or {})}}}
    if select:
        state["ResultSelector"] = select
    state |= {"ResultPath": result, "TimeoutSeconds": 60, **extra, "Retry": RETRY,
              "Catch": [{"ErrorEquals": WITHDRAWN, "ResultPath": None, "Next": "Withdrawn"},
                        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                         "Next": "FlagTaskFailed"}],
              "Next": then}
    return state


def human(step: HumanStep, wait: Wait) -> State:
    """Wait for a person's answer; past the limit, chase (never decide for them)."""
    payload: dict[str, Any] = {"awaiting": str(step.awaiting), "token.$": "$$.Task.Token"}
    if wait.check is not None:
        payload["check"] = wait.check
    limit = {"TimeoutSeconds": step.limit} if isinstance(step.limit, int) \
        else {"TimeoutSecondsPath": step.limit}
    state = task("AwaitStep", wait.then, payload=payload, result="$.step", **limit)
    state["Resource"] += ".waitForTaskToken"
    if "TimeoutSecondsPath" in limit:
        del state["TimeoutSeconds"]
    state["Catch"].insert(1, {"ErrorEquals": ["States.Timeout"], "ResultPath": None,
                              "Next": "ChaseOverdueStep"})
    return state


def awaits(step: HumanStep, check: int | None = None, **extra: str) -> dict[str, State]:
    """The step's wait (for the in-work check, the week's), as its declaration names it."""
    wait = step.wait(check)
    return {wait.state: human(step, wait) | extra}


def choice(variable: str, default: str, comment: str = "", **when: str) -> State:
    """A Choice on one string variable: `value=next_state` pairs, in order."""
    return {"Type": "Choice", **({"Comment": comment} if comment else {}),
            "Choices": [{"Variable": variable, "StringEquals": value, "Next": then}
                        for value, then in when.items()],
            "Default": default}


def wait(seconds_path: str, then: str) -> State:
    return {"Type": "Wait", "SecondsPath": seconds_path, "Next": then}


def end(comment: str) -> State:
    return {"Type": "Succeed", "Comment": comment}


def journey() -> dict[str, State]:
    """The pathway a referral follows, from triage to exit."""
    return {
        "WhereDoesThisRunStart": {
            "Type": "Choice",
            "Comment": "A run starts at triage; or (started by ContinueInANewRun) where "
                       "support goes on; or, resuming a stalled or failed referral, at the step "
                       "it stopped at.",
            "Choices": [
                *({"And": [{"Variable": "$.phase", "IsPresent": True},
                           {"Variable": "$.phase", "StringEquals": phase}], "Next": start}
                  for phase, start in PHASES.items()),
                {"Variable": "$.step.back_to", "IsPresent": True, "Next": "WhichStepIsDue"},
                {"Variable": "$.retry.step", "IsPresent": True, "Next": "WhichStepFailed"},
            ],
            "Default": "Triage"},
        "Triage": task("Triage", "DoesTriageNeedACoach",
                       select={"route.$": "$.Payload.route", "timers.$": "$.Payload.timers"},
                       result="$.plan",
                       comment="Automatic triage on enums derived at intake; returns the route "
                               "and every time limit for this run."),
        "DoesTriageNeedACoach": choice("$.plan.route", "AllocateCoach", reject="Rejected",
                                       person="AwaitTriageDecision"),
        **awaits(TRIAGE_DECISION, Comment="A coach decides; overdue decisions are chased "
                                          "and flagged, never auto-declined."),
        "AcceptedAtTriage": choice("$.step.next", "AllocateCoach", reject="Rejected"),
        "AllocateCoach": task("Allocate", "IsACoachFree", select={
            "allocated.$": "$.Payload.allocated"}, result="$.step",
            comment="Conditional counter: a coach never holds more than the caseload cap."),
        "IsACoachFree": {"Type": "Choice", "Choices": [
            {"Variable": "$.step.allocated", "BooleanEquals": True,
             "Next": "BookFirstAppointment"}], "Default": "AwaitCapacity"},
        **awaits(CAPACITY, Comment="Waitlisted: a freed place sends this token; no polling."),
        "BookFirstAppointment": task("Book", "AwaitAppointmentOutcome", select={
            "outcome_timeout.$": "$.Payload.outcome_timeout"}, result="$.booking"),
        **awaits(APPOINTMENT_OUTCOME),
        "WhatCameOfTheAppointment": choice("$.step.next", "WaitForReview",
                                           rebook="BookFirstAppointment", exit="Exited"),
        "WaitForReview": wait("$.plan.timers.review_interval", "AwaitReview"),
        **awaits(REVIEW),
        "WhatDidTheReviewDecide": choice("$.step.next", "WaitForReview",
                                         in_work="ContinueInANewRun",
                                         renew="ContinueInANewRun", exit="Exited"),
        "ContinueInANewRun": task("ContinueInWork", "ContinuedInANewRun", result=None,
                                  payload={"plan.$": "$.plan", "run.$": "$$.Execution.Name"},
                                  comment=(
            "Support is time-unlimited, but a Standard execution lasts a year at most: at a job "
            "start, at 26 weeks in work and before a run's year is up, support goes on in a "
            "new run, which starts where the referral's phase says.")),
        "WaitForFirstSustainmentCheck": wait("$.plan.timers.sustainment_first",
                                             "AwaitFirstSustainmentCheck"),
        **awaits(SUSTAINMENT_CHECK, 13),
        "StillInWorkAt13Weeks": choice("$.step.next", "WaitForSecondSustainmentCheck",
                                       exit="Exited"),
        "WaitForSecondSustainmentCheck": wait("$.plan.timers.sustainment_gap",
                                              "AwaitSecondSustainmentCheck"),
        **awaits(SUSTAINMENT_CHECK, 26),
        "StillInWorkAt26Weeks": choice("$.step.next", "ContinueInANewRun", exit="Exited"),
        "WaitForThirdSustainmentCheck": wait("$.plan.timers.sustainment_third_gap",
                                             "AwaitThirdSustainmentCheck"),
        **awaits(SUSTAINMENT_CHECK, 52),
        "StillInWorkAt52Weeks": choice("$.step.next", "WaitForReview", exit="Exited"),
    }


def recovery() -> dict[str, State]:
    """Where a run goes when a person is late or a task keeps failing: every stop has a way on."""
    overdue = {w.back_to: w.state for w in waits()}
    answered = {w.answered: w.then for w in waits()}
    which_due = choice("$.step.back_to", "FlagStalled", **overdue, **answered)
    which_due["Choices"].insert(0, {"Variable": "$.step.exhausted", "BooleanEquals": True,
                                    "Next": "FlagStalled"})
    retryable = RETRYABLE + tuple(w.state for w in waits())
    ops_wait = OPS_RETRY.wait().state
    flag_failed = task("NeedsOps", ops_wait, result="$.retry",
                       payload={"attention": "task_failed", "failure.$": "$.failure"},
                       select={"step.$": "$.Payload.failed_at"},
                       comment="Names the step that failed (the one key under $.failure).")
    flag_failed["Catch"][-1] |= {"ResultPath": None, "Next": ops_wait}
    (ops_retry,) = awaits(OPS_RETRY).values()
    ops_retry |= {"Comment": "A step failed after its retries: the referral is flagged, and ops "
                             "can retry the step from the console once the cause is fixed (30 "
                             "days at most). Its answer clears the failure.",
                  "ResultPath": "$.failure"}
    ops_retry["Catch"][1:] = [{"ErrorEquals": errors, "ResultPath": "$.error",
                               "Next": "TaskFailed"}
                              for errors in (["States.Timeout"], ["States.ALL"])]
    flag_stalled = task("NeedsOps", "Stalled", payload={"attention": "stalled"})
    flag_stalled["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": None,
                              "Next": "Stalled"}]
    return {
        "ChaseOverdueStep": task("Chase", "WhichStepIsDue", result="$.step", select={
            "back_to.$": "$.Payload.back_to", "exhausted.$": "$.Payload.exhausted",
            "next.$": "$.Payload.next"}, comment=(
                "A human step ran past its time limit: flag it for ops and chase, then wait "
                "again (a bounded number of times). An answer that raced the time limit is "
                "carried on from here.")),
        "WhichStepIsDue": which_due,
        "FlagStalled": flag_stalled,
        "FlagTaskFailed": flag_failed,
        ops_wait: ops_retry,
        "WhichStepFailed": choice("$.retry.step", "TaskFailed",
                                  **{name: name for name in retryable}),
    }


def ends() -> dict[str, State]:
    return {
        "Stalled": {"Type": "Fail", "Error": "Referral.Stalled", "Cause": (
            "A human step stayed overdue after every chase; the referral is flagged for ops.")},
        "TaskFailed": {"Type": "Fail", "Error": "Referral.TaskFailed",
                       "Cause": "A step failed and was not retried by ops within 30 days."},
        "Rejected": end("Triage rejected the referral; status REJECTED was written by the "
                        "decision."),
        "Exited": end("The referral ended; status EXITED and the exit reason were written by "
                      "the decision."),
        "Withdrawn": end("The patient left the service; the withdrawal wrote WITHDRAWN and "
                         "released everything."),
        "ContinuedInANewRun": end("Support goes on in the referral's next run."),
    }


def _name_failures(states: dict[str, State]) -> None:
    """A failure is kept under its state's name, so FlagTaskFailed can say which step to
    retry without a bookkeeping state per task."""
    for name, state in states.items():
        for catch in state.get("Catch", []):
            if catch["ResultPath"] == "$.failure":
                catch["ResultPath"] = f"$.failure.{name}"


def definition() -> dict[str, Any]:
    states = journey() | recovery() | ends()
    _name_failures(states)
    return {"Comment": "Working Better: one run per referral, from triage to exit. Input and "
                       "output carry ids and enums only.",
            "StartAt": "WhereDoesThisRunStart", "States": states}


def render() -> str:
    return json.dumps(definition(), indent=2) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if ASL_PATH.read_text() == render() else "referral.asl.json is out of date")
    ASL_PATH.write_text(render())
