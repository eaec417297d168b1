"""One declaration per human step: everything the service says about a step a person answers.

The routes (`handlers/step_routes.py`), the OpenAPI document, the coach's forms and caseload,
the chasers, the run's time limits (`Settings.timers`), the ops view's words and the state
machine's waits (`statemachines/referral.py`) are all derived from `HUMAN_STEPS`; tests check
the generated ASL and template.yaml against it. What an answer *means* stays with its service method
(`steps.py`, registered with `@answers`), and where the step sits in the pathway stays in the
state machine's source (docs/architecture.md §7, "Adding a human step").

Pure: no I/O, and no pydantic at import (task functions load this; their cold start does not
pay for request models, which are named here and loaded by `Answer.model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from workingbetter.domain.notification_kinds import Kind

if TYPE_CHECKING:
    from pydantic import BaseModel

TIMERS = "$.plan.timers."


class Awaiting(StrEnum):
    """The human step a run is paused on (its declaration is below)."""

    TRIAGE_DECISION = "triage_decision"
    CAPACITY = "capacity"
    APPOINTMENT_OUTCOME = "appointment_outcome"
    REVIEW = "review"
    SUSTAINMENT_CHECK = "sustainment_check"
    OPS_RETRY = "ops_retry"  # a step failed after its retries: ops retry it once fixed


@dataclass(frozen=True)
class Wait:
    """A place in the state machine where the run waits for the step (a `.waitForTaskToken`
    task). One step may wait in several places: the in-work check at 13, 26 and 52 weeks."""

    back_to: str  # the value the chase (and a resumed run) routes on to come back here
    state: str  # the ASL state that waits
    then: str  # the state that reads the answer (a Choice named as its question)
    words: str  # the ops view's words for the wait
    read_words: str = ""  # ... and for the state that reads the answer ("" if not a Choice)
    check: int | None = None  # the in-work week this wait is for

    @property
    def answered(self) -> str:
        """The value a run that already has the answer routes on (to `then`)."""
        return f"answered_{self.back_to}"


@dataclass(frozen=True)
class Chase:
    """Who hears about a step that is late. Past its time limit the run chases it (at most
    `Settings.max_chases` times, then it stalls); these are the messages besides."""

    coach_task: Kind | None = None  # a task on the coach's list, 3 service days after due
    ops_alert: Kind | None = None  # an alert to ops at each chase past the time limit


@dataclass(frozen=True)
class Answer:
    """How a coach records the step: its route, its body and its words on the coach's page."""

    route: str  # POST /referrals/{referral_id}/<route>; the page posts /coach/referrals/...
    model_name: str  # the request model, in domain/step_answers.py
    summary: str  # the OpenAPI operation's summary
    heading: str  # the coach's card and its button ("Record the review")
    done: str  # the banner once it is recorded

    @property
    def path(self) -> str:
        return f"/referrals/{{referral_id}}/{self.route}"

    def model(self) -> type[BaseModel]:
        from workingbetter.domain import step_answers

        model: type[BaseModel] = getattr(step_answers, self.model_name)
        return model


@dataclass(frozen=True)
class HumanStep:
    awaiting: Awaiting
    waiting_for: str  # the coach's caseload: what the referral waits for
    waits: tuple[Wait, ...]
    limit_days: str | None  # the Settings field: service days a person has to answer
    timer: str | None  # the run carries that limit as $.plan.timers.<timer>
    limit_from: str | int | None = None  # where the run reads its limit instead (or seconds)
    chase: Chase = field(default_factory=Chase)
    answer: Answer | None = None  # None: not recorded by a coach through a route of its own

    @property
    def api_event(self) -> str:
        """The API function's event in template.yaml that routes its answer."""
        return "Record" + "".join(word.capitalize() for word in self.awaiting.split("_"))

    @property
    def limit(self) -> str | int:
        """Where the run finds the step's time limit (a path into its state), or seconds."""
        if self.limit_from is not None:
            return self.limit_from
        assert self.timer is not None, f"{self.awaiting} has no time limit"
        return TIMERS + self.timer

    def wait(self, check: int | None = None) -> Wait:
        """The wait for this step (the in-work check's for its week; 13 if it is not known)."""
        if len(self.waits) == 1:
            return self.waits[0]
        week = check or self.waits[0].check
        return next(w for w in self.waits if w.check == week)


TRIAGE_DECISION = HumanStep(
    Awaiting.TRIAGE_DECISION, "Your triage decision",
    (Wait("triage_decision", "AwaitTriageDecision", "AcceptedAtTriage",
          "Waited for a coach to check the referral", "Read the coach's decision"),),
    "triage_decision_days", "triage_decision",
    chase=Chase(ops_alert=Kind.OPS_TRIAGE_OVERDUE),
    answer=Answer("triage", "TriageDecision",
                  "Accept or reject a referral rules could not decide (coach)",
                  "Decide on the referral", "Triage decision recorded"))
CAPACITY = HumanStep(
    Awaiting.CAPACITY, "A free place in a caseload",
    (Wait("capacity", "AwaitCapacity", "AllocateCoach",
          "Waited on the waiting list for a free place"),),
    "waitlist_days", "waitlist", chase=Chase(ops_alert=Kind.OPS_WAITLIST_OVER_LIMIT))
APPOINTMENT_OUTCOME = HumanStep(
    Awaiting.APPOINTMENT_OUTCOME, "The appointment outcome",
    (Wait("appointment_outcome", "AwaitAppointmentOutcome", "WhatCameOfTheAppointment",
          "Waited for the appointment's outcome", "Read the appointment's outcome"),),
    # Until the appointment, plus the days to record it: worked out when it is booked.
    "appointment_outcome_days", "appointment_outcome", limit_from="$.booking.outcome_timeout",
    answer=Answer("appointment-outcome", "AppointmentOutcome",
                  "Record the first appointment's outcome (coach)",
                  "Record the first appointment", "Appointment outcome recorded"))
REVIEW = HumanStep(
    Awaiting.REVIEW, "A review",
    (Wait("review", "AwaitReview", "WhatDidTheReviewDecide",
          "Waited for the coach's review", "Read the review's decision"),),
    "review_response_days", "review_response",
    chase=Chase(coach_task=Kind.COACH_REVIEW_OVERDUE),
    answer=Answer("reviews", "Review", "Record a review (coach)", "Record the review",
                  "Review recorded"))
SUSTAINMENT_CHECK = HumanStep(
    Awaiting.SUSTAINMENT_CHECK, "An in-work check",
    tuple(Wait(f"sustainment_check_{week}", f"Await{nth}SustainmentCheck",
               f"StillInWorkAt{week}Weeks", f"Waited for the {week}-week in-work check",
               f"Read the {week}-week in-work check", week)
          for nth, week in (("First", 13), ("Second", 26), ("Third", 52))),
    "sustainment_response_days", "sustainment_response",
    chase=Chase(coach_task=Kind.COACH_SUSTAINMENT_OVERDUE),
    answer=Answer("sustainment", "Sustainment", "Record an in-work check (coach)",
                  "Record the in-work check", "In-work check recorded"))
# A step failed after its retries: ops retry it from the console (POST .../retry) once the
# cause is fixed. Never chased: after 30 days the run ends as failed.
OPS_RETRY = HumanStep(
    Awaiting.OPS_RETRY, "The service team to fix a problem",
    (Wait("ops_retry", "AwaitOpsRetry", "WhichStepFailed",
          "Waited for ops to retry the failed step", "Went back to the failed step"),),
    None, None, limit_from=30 * 86400)

# The steps the run chases when late, in the order the pathway meets them.
HUMAN_STEPS = (TRIAGE_DECISION, CAPACITY, APPOINTMENT_OUTCOME, REVIEW, SUSTAINMENT_CHECK)
BY_AWAITING: Mapping[Awaiting, HumanStep] = {s.awaiting: s for s in (*HUMAN_STEPS, OPS_RETRY)}
BY_VALUE: Mapping[str, HumanStep] = {str(k): v for k, v in BY_AWAITING.items()}
# The steps a coach records, each at its own route.
RECORDED = tuple(s for s in HUMAN_STEPS if s.answer is not None)


def step(awaiting: str | Awaiting) -> HumanStep:
    return BY_VALUE[str(awaiting)]


def chase_of(awaiting: str) -> Chase:
    """Who hears that a step is late (no one, for a value no step declares)."""
    declared = BY_VALUE.get(str(awaiting))
    return declared.chase if declared else Chase()


def waits() -> tuple[Wait, ...]:
    """Every place the run waits for a chased step."""
    return tuple(w for s in HUMAN_STEPS for w in s.waits)


def coach_chasers() -> list[Kind]:
    """The coach's tasks for late steps: all of them are done with once a step is answered."""
    return [s.chase.coach_task for s in HUMAN_STEPS if s.chase.coach_task is not None]
