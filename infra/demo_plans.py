"""What happens to each of the demo's referrals, drawn once, and so where it ends.

A plan is drawn at random (conditions, whether a coach accepts a referral the rules send to a
person, each first appointment's outcome, the review at which the patient finds work or leaves
and why, whether they keep the job, whether they withdraw and why), and written out as a
script: the step the run will wait for and the answer the demo gives to it, in order, and the
status and exit reason the referral ends with. Every plan ends: on a compressed clock a step
nobody answers is chased and then stalls, so the demo leaves no referral live.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from infra.demo_people import conditions
from workingbetter.domain.auth import Role
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.referral import LEAVING_REASONS, ExitReason, Status

MISSED_IN_A_ROW = 3  # the service's max_missed_appointments: then support ends (disengaged)
NOT_ON_THE_FORM = ["other"]  # a condition the form does not list: a coach triages it
CHECK_WEEKS = (13, 26, 52)
# Where a plan's steps may be answered by a withdrawal instead.
LEAVING_AT = (Awaiting.APPOINTMENT_OUTCOME, Awaiting.REVIEW, Awaiting.SUSTAINMENT_CHECK)


@dataclass(frozen=True)
class Ending:
    status: Status
    exit_reason: ExitReason | None

    def __str__(self) -> str:
        reason = (self.exit_reason or "no reason").replace("_", " ")
        return f"{self.status.lower()} ({reason})"


@dataclass(frozen=True)
class Move:
    """One answer: to the step the run waits for, posted to /referrals/{id}/<path>."""

    awaiting: Awaiting
    path: str
    body: dict[str, Any]
    by: Role = Role.COACH  # a coach answers steps; the practice withdraws
    then_days: float = 0.0  # service days until the run waits for a person again
    casework: bool = False  # a review: the coach's casework is recorded with it

    @property
    def ends(self) -> bool:
        return self.path == "withdraw"


@dataclass(frozen=True)
class Plan:
    conditions: tuple[str, ...]
    employment_status: str
    share_outcome: bool
    triage_accept: bool  # asked only when the form's conditions do not decide
    appointments: tuple[str, ...]  # each first appointment's outcome, in turn
    reviews: tuple[int, ...]  # employer contacts at each review; the last one decides
    last_review: str  # "job_start", or the exit reason it records
    hours: float
    keeps_job: tuple[bool, bool]  # still in work at 13, at 26 weeks
    ends_at_26: bool  # in work at 26 weeks and support ends then (else at 52)
    leaves: tuple[Awaiting, int] | None  # withdraws when the run awaits this step the nth time
    leaving_reason: ExitReason
    erase: bool
    pay_band: str
    self_employed: bool
    benefits_advice: bool


def _appointments(rng: random.Random) -> tuple[str, ...]:
    attend = rng.choice((0.95, 0.9, 0.8, 0.6))
    outcomes: list[str] = []
    missed = 0
    while missed < MISSED_IN_A_ROW and len(outcomes) < 6:
        if rng.random() < attend:
            return (*outcomes, "attended")
        outcome = rng.choice(("did_not_attend",) * 4 + ("cancelled",))
        missed += outcome == "did_not_attend"
        outcomes.append(outcome)
    return tuple(outcomes) if missed >= MISSED_IN_A_ROW else (*outcomes, "attended")


def draw(rng: random.Random) -> Plan:
    leaving = rng.choice(LEAVING_AT), rng.choice((1, 1, 2))
    return Plan(
        conditions=tuple(NOT_ON_THE_FORM if rng.random() < 0.05 else conditions(rng)),
        employment_status=rng.choice(("unemployed",) * 3 + ("economically_inactive",)),
        share_outcome=rng.random() < 0.8,
        triage_accept=rng.random() < 0.6,
        appointments=_appointments(rng),
        reviews=tuple(rng.choice((0, 1, 1, 2, 3)) for _ in range(rng.choice((1, 2, 3, 4, 5)))),
        last_review="job_start" if rng.random() < 0.45 else rng.choice(LEAVING_REASONS),
        hours=rng.choice((8, 12, 16, 20, 30, 37.5)),
        keeps_job=(rng.random() < 0.8, rng.random() < 0.85),
        ends_at_26=rng.random() < 0.5,
        leaves=leaving if rng.random() < 0.08 else None,
        leaving_reason=rng.choice(LEAVING_REASONS),
        erase=rng.random() < 0.3,
        pay_band=rng.choices(("below_nlw", "nlw", "llw"), (0.1, 0.6, 0.3))[0],
        self_employed=rng.random() < 0.08,
        benefits_advice=rng.random() < 0.7,
    )


@dataclass
class _Writer:
    """Writes a plan out as moves, stopping at the first that ends the referral."""

    plan: Plan
    today: date
    moves: list[Move] = field(default_factory=list)
    seen: dict[Awaiting, int] = field(default_factory=dict)

    def leaves_at(self, step: Awaiting) -> bool:
        """Whether the patient withdraws instead of this step (written as a withdrawal)."""
        self.seen[step] = self.seen.get(step, 0) + 1
        if self.plan.leaves != (step, self.seen[step]):
            return False
        self.moves.append(Move(step, "withdraw", {
            "exit_reason": str(self.plan.leaving_reason),
            "erase_personal_data": self.plan.erase}, by=Role.REFERRER))
        return True


def script(plan: Plan, today: date, days: dict[str, float]) -> tuple[list[Move], Ending]:
    """The plan as the answers the demo gives, and how the referral ends. `days`: the
    service's waits between steps, in service days (review_interval_days, ...)."""
    w = _Writer(plan, today)
    if plan.conditions == tuple(NOT_ON_THE_FORM):
        decision = "accept" if plan.triage_accept else "reject"
        w.moves.append(Move(Awaiting.TRIAGE_DECISION, "triage", {
            "decision": decision, "reason": "Demo triage decision."}))
        if decision == "reject":
            return w.moves, Ending(Status.REJECTED, ExitReason.INELIGIBLE)
    ended = _appointments_met(w, days) or _reviews_met(w, days) or _checks_met(w, days)
    assert ended is not None, "every plan ends"
    return w.moves, ended


def _withdrawn(w: _Writer) -> Ending:
    return Ending(Status.WITHDRAWN, w.plan.leaving_reason)


def _appointments_met(w: _Writer, days: dict[str, float]) -> Ending | None:
    for outcome in w.plan.appointments:
        if w.leaves_at(Awaiting.APPOINTMENT_OUTCOME):
            return _withdrawn(w)
        then = days["review_interval_days"] if outcome == "attended" else 0.0
        w.moves.append(Move(Awaiting.APPOINTMENT_OUTCOME, "appointment-outcome",
                            {"outcome": outcome}, then_days=then))
    if w.plan.appointments[-1] != "attended":
        return Ending(Status.EXITED, ExitReason.DISENGAGED)
    return None


def _reviews_met(w: _Writer, days: dict[str, float]) -> Ending | None:
    plan = w.plan
    for n, contacts in enumerate(plan.reviews, start=1):
        if w.leaves_at(Awaiting.REVIEW):
            return _withdrawn(w)
        body: dict[str, Any] = {"decision": "continue", "employer_contacts": contacts}
        then = days["review_interval_days"]
        if n == len(plan.reviews) and plan.last_review == "job_start":
            body = {"decision": "job_start", "employer_contacts": contacts, "job": {
                "employer": "Demo Employer", "start_date": w.today.isoformat(),
                "hours_per_week": plan.hours}}
            then = days["sustainment_first_days"]
        elif n == len(plan.reviews):
            body = {"decision": "exit", "employer_contacts": contacts,
                    "exit_reason": plan.last_review}
        w.moves.append(Move(Awaiting.REVIEW, "reviews", body, then_days=then, casework=True))
    if plan.last_review != "job_start":
        return Ending(Status.EXITED, ExitReason(plan.last_review))
    return None


def _checks_met(w: _Writer, days: dict[str, float]) -> Ending | None:
    plan = w.plan
    gaps = (days["sustainment_second_days"] - days["sustainment_first_days"],
            days["sustainment_third_days"] - days["sustainment_second_days"], 0.0)
    for week, gap in zip(CHECK_WEEKS, gaps, strict=True):
        if w.leaves_at(Awaiting.SUSTAINMENT_CHECK):
            return _withdrawn(w)
        still = week == 52 or plan.keeps_job[CHECK_WEEKS.index(week)]
        ends = still and (week == 52 or (week == 26 and plan.ends_at_26))
        w.moves.append(Move(Awaiting.SUSTAINMENT_CHECK, "sustainment", {
            "still_in_work": still, **({"end_support": True} if ends else {})}, then_days=gap))
        if not still:
            return Ending(Status.EXITED, ExitReason.JOB_ENDED)
        if ends:
            return Ending(Status.EXITED, ExitReason.JOB_SUSTAINED_26_WEEKS if week == 26
                          else ExitReason.JOB_SUSTAINED_52_WEEKS)
    return None
