"""The four human steps a coach records, as small forms: what each posts, how its answers
become the API's body, and how the API's field errors map back onto its inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from workingbetter import parsing
from workingbetter.auth import Principal
from workingbetter.domain.referral import Awaiting
from workingbetter.parsing import choose
from workingbetter.steps import REVIEW_EXITS, AppointmentOutcome, Review, Steps, TriageDecision
from workingbetter.store import Item
from workingbetter.web.errors import FormErrorMap
from workingbetter.web.http import Form
from workingbetter.web.referral_form import DATE_MESSAGE, date_from_parts

Record = Callable[[Steps, Principal, str, Any], Item]


def _choice(model: type[BaseModel], field: str, message: str) -> dict[str, str]:
    """The page's words for the API's "Choose a, b or c" about one of the model's choices."""
    return {choose(get_args(model.model_fields[field].annotation)): message}


@dataclass(frozen=True)
class StepForm:
    path: str  # the last part of the form's URL: /coach/referrals/{id}/{path}
    awaiting: Awaiting
    heading: str
    done: str
    errors: FormErrorMap
    body: Callable[[Form], dict[str, Any]]
    record: Record


def answered(**fields: Any) -> dict[str, Any]:
    """Leave empty answers out: the API then names the missing field."""
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "end": True, "no": False}.get(value)


def _review(form: Form) -> dict[str, Any]:
    decision = form.get("decision")
    body = answered(decision=decision, employer_contacts=form.get("employer_contacts"))
    if decision == "exit":
        body.update(answered(exit_reason=form.get("exit_reason")))
    if decision == "job_start":
        body["job"] = answered(employer=form.get("job_employer"), role=form.get("job_role"),
                            pay_band=form.get("job_pay_band"),
                            self_employed=_yes_no(form.get("job_self_employed")),
                            hours_per_week=form.get("job_hours"),
                            start_date=date_from_parts(form.get("job_start_day"),
                                                       form.get("job_start_month"),
                                                       form.get("job_start_year")))
    return body


TRIAGE = StepForm(
    "triage", Awaiting.TRIAGE_DECISION, "Decide on the referral", "Triage decision recorded",
    FormErrorMap({"decision": "decision", "reason": "reason"},
                 required={"decision": "Select whether to accept the referral",
                           "reason": "Enter the reason for your decision"},
                 reworded={"decision": _choice(TriageDecision, "decision",
                                                     "Select accept or reject")}),
    lambda form: answered(decision=form.get("decision"), reason=form.get("reason")),
    lambda steps, who, rid, body: steps.triage(who, rid, body),
)
OUTCOME = StepForm(
    "appointment-outcome", Awaiting.APPOINTMENT_OUTCOME, "Record the first appointment",
    "Appointment outcome recorded",
    FormErrorMap({"outcome": "outcome"},
                 required={"outcome": "Select what happened at the appointment"},
                 reworded={"outcome": _choice(AppointmentOutcome, "outcome",
                                                    "Select what happened at the appointment")}),
    lambda form: answered(outcome=form.get("outcome")),
    lambda steps, who, rid, body: steps.appointment_outcome(who, rid, body),
)
REVIEW = StepForm(
    "reviews", Awaiting.REVIEW, "Record the review", "Review recorded",
    FormErrorMap(
        {"decision": "decision", "employer_contacts": "employer-contacts",
         "exit_reason": "exit-reason", "job": "job-employer", "job.employer": "job-employer",
         "job.role": "job-role", "job.hours_per_week": "job-hours",
         "job.pay_band": "job-pay-band", "job.self_employed": "job-self-employed",
         "job.start_date": "job-start"},
        required={"decision": "Select what happens next",
                  "employer_contacts": "Enter how many employers you contacted, or 0",
                  "job.employer": "Enter the employer's name",
                  "job.hours_per_week": "Enter the hours a week",
                  "job.start_date": "Enter the date the job starts"},
        reworded={"decision": _choice(Review, "decision", "Select what happens next"),
                  "employer_contacts": {
                      parsing.WHOLE_NUMBER: "Enter the number of employers contacted, like 2"},
                  "job.hours_per_week": {
                      parsing.NUMBER: "Enter the hours a week as a number, like 16"},
                  "job.start_date": {DATE_MESSAGE: "The start date must be a real date"}}),
    _review,
    lambda steps, who, rid, body: steps.review(who, rid, body),
)
SUSTAINMENT = StepForm(
    "sustainment", Awaiting.SUSTAINMENT_CHECK, "Record the in-work check", "In-work check recorded",
    FormErrorMap({"still_in_work": "still-in-work"},
                 required={"still_in_work": "Select whether they are still in work"}),
    lambda form: answered(still_in_work=_yes_no(form.get("still_in_work")),
                       end_support=True if form.get("still_in_work") == "end" else None),
    lambda steps, who, rid, body: steps.sustainment(who, rid, body),
)
STEPS = {s.path: s for s in (TRIAGE, OUTCOME, REVIEW, SUSTAINMENT)}
BY_AWAITING = {s.awaiting: s for s in STEPS.values()}
EXIT_REASONS = sorted(str(r) for r in REVIEW_EXITS)
