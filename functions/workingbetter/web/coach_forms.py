"""The human steps a coach records, as small forms on the caseload page: what each posts, how
its answers become the API's body, and how the API's field errors map back onto its inputs.

Each form's route, words and step come from the step's declaration (domain/human_steps.py). The
four steps below have inputs of their own (their markup is in coach.html); a step declared
without them gets a form derived from its request model: a choice as radios, a yes or no as two
radios, anything else as a text input, each labelled by the field's description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from workingbetter.adapters.dynamo import Item
from workingbetter.domain import human_steps, parsing
from workingbetter.domain.auth import Principal
from workingbetter.domain.human_steps import Awaiting, HumanStep
from workingbetter.domain.parsing import choose
from workingbetter.domain.step_answers import (
    REVIEW_EXITS,
    AppointmentOutcome,
    Review,
    TriageDecision,
)
from workingbetter.services.steps import Steps
from workingbetter.web.date_input import date_from_parts
from workingbetter.web.errors import FormErrorMap
from workingbetter.web.http import Form
from workingbetter.web.referral_form import DATE_MESSAGE

Record = Callable[[Steps, Principal, str, Any], Item]


def _choice(model: type[BaseModel], field: str, message: str) -> dict[str, str]:
    """The page's words for the API's "Choose a, b or c" about one of the model's choices."""
    return {choose(get_args(model.model_fields[field].annotation)): message}


@dataclass(frozen=True)
class FormField:
    """An input of a form derived from a request model."""

    name: str
    label: str
    kind: Literal["radios", "yes_no", "text"]
    options: tuple[str, ...] = ()

    @property
    def input_id(self) -> str:
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class StepForm:
    path: str  # the last part of the form's URL: /coach/referrals/{id}/{path}
    awaiting: Awaiting
    heading: str
    done: str
    errors: FormErrorMap
    body: Callable[[Form], dict[str, Any]]
    record: Record
    fields: tuple[FormField, ...] = ()  # a derived form's inputs (none: coach.html has its own)


def _recorder(awaiting: Awaiting) -> Record:
    def record(steps: Steps, who: Principal, referral_id: str, body: Any) -> Item:
        return steps.record(who, referral_id, awaiting, body)
    return record


def model_fields(model: type[BaseModel]) -> tuple[FormField, ...]:
    found = []
    for name, info in model.model_fields.items():
        label = info.description or name.replace("_", " ").capitalize()
        if get_origin(info.annotation) is Literal:
            options = tuple(map(str, get_args(info.annotation)))
            found.append(FormField(name, label, "radios", options))
        else:
            found.append(FormField(name, label, "yes_no" if info.annotation is bool else "text"))
    return tuple(found)


def _derived_body(fields: tuple[FormField, ...]) -> Callable[[Form], dict[str, Any]]:
    def body(form: Form) -> dict[str, Any]:
        return answered(**{f.name: _yes_no(form.get(f.name)) if f.kind == "yes_no"
                           else form.get(f.name) for f in fields})
    return body


def _derived_errors(fields: tuple[FormField, ...]) -> FormErrorMap:
    return FormErrorMap({f.name: f.input_id for f in fields},
                        required={f.name: f"{'Enter' if f.kind == 'text' else 'Select'} "
                                          f"{f.label.lower()}" for f in fields})


def step_form(step: HumanStep, errors: FormErrorMap | None = None,
              body: Callable[[Form], dict[str, Any]] | None = None) -> StepForm:
    """The step's form: its route and words from its declaration; its own inputs, or inputs
    derived from its request model."""
    answer = step.answer
    assert answer is not None, f"{step.awaiting} is not recorded by a coach"
    fields = () if body is not None else model_fields(answer.model())
    return StepForm(answer.route, step.awaiting, answer.heading, answer.done,
                    errors or _derived_errors(fields), body or _derived_body(fields),
                    _recorder(step.awaiting), fields)


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


TRIAGE = step_form(
    human_steps.TRIAGE_DECISION,
    FormErrorMap({"decision": "decision", "reason": "reason"},
                 required={"decision": "Select whether to accept the referral",
                           "reason": "Enter the reason for your decision"},
                 reworded={"decision": _choice(TriageDecision, "decision",
                                                     "Select accept or reject")}),
    lambda form: answered(decision=form.get("decision"), reason=form.get("reason")),
)
OUTCOME = step_form(
    human_steps.APPOINTMENT_OUTCOME,
    FormErrorMap({"outcome": "outcome"},
                 required={"outcome": "Select what happened at the appointment"},
                 reworded={"outcome": _choice(AppointmentOutcome, "outcome",
                                                    "Select what happened at the appointment")}),
    lambda form: answered(outcome=form.get("outcome")),
)
REVIEW = step_form(
    human_steps.REVIEW,
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
)
SUSTAINMENT = step_form(
    human_steps.SUSTAINMENT_CHECK,
    FormErrorMap({"still_in_work": "still-in-work"},
                 required={"still_in_work": "Select whether they are still in work"}),
    lambda form: answered(still_in_work=_yes_no(form.get("still_in_work")),
                       end_support=True if form.get("still_in_work") == "end" else None),
)
_OWN_INPUTS = {f.awaiting: f for f in (TRIAGE, OUTCOME, REVIEW, SUSTAINMENT)}
STEPS = {form.path: form for form in (_OWN_INPUTS.get(s.awaiting) or step_form(s)
                                      for s in human_steps.RECORDED)}
BY_AWAITING = {s.awaiting: s for s in STEPS.values()}
EXIT_REASONS = [str(r) for r in REVIEW_EXITS]
