"""The review's question pages (review_pages.py): which questions a review asks, how their
answers become the review step's body, and each field's one plain message when it is missing
and one when it is wrong. Loaded with the first review page (pydantic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workingbetter.domain import dates
from workingbetter.domain.errors import FieldError, InvalidInput
from workingbetter.domain.step_answers import REVIEW_EXITS, Review
from workingbetter.services.steps import parse_body
from workingbetter.web.case_forms import CONFIDENCE
from workingbetter.web.coach_forms import answered
from workingbetter.web.date_input import date_from_parts
from workingbetter.web.errors import REQUIRED, FormErrorMap
from workingbetter.web.http import Form
from workingbetter.web.render import words

GOALS_ASKED = 5
CHECK = "review-check"
# Where the review's one form, every branch at once, was posted before these questions.
ALL_AT_ONCE = "reviews"
__all__ = ["REVIEW_EXITS"]  # the pages offer these exits


@dataclass(frozen=True)
class Question:
    path: str  # /coach/referrals/{id}/{path}
    title: str
    inputs: tuple[str, ...]  # the form's inputs this page answers
    fields: tuple[str, ...]  # the review's fields (as the model names them) it answers


QUESTIONS = {q.path: q for q in (
    Question("review", "What happened at this review?", ("decision",), ("decision",)),
    Question("review-job", "About the job",
             ("job_employer", "job_role", "job_hours", "job_pay_band", "job_self_employed",
              "job_start_day", "job_start_month", "job_start_year"),
             ("job", "job.employer", "job.role", "job.hours_per_week", "job.pay_band",
              "job.self_employed", "job.start_date")),
    Question("review-leaving", "Why is support ending?", ("exit_reason",), ("exit_reason",)),
    Question("review-contacts", "How many employers have you contacted with them since the "
             "last review?", ("employer_contacts",), ("employer_contacts",)),
    Question("review-goals", "Their goals and confidence",
             (*(f"goal_{i}" for i in range(1, GOALS_ASKED + 1)), "confidence"),
             ("goals", "confidence")),
    Question(CHECK, "Check your answers before recording the review", (), ()),
)}

# Each field's one plain message when it is missing and one when it is wrong: no validation
# text reaches the coach.
ERRORS = FormErrorMap(
    {"decision": "decision", "exit_reason": "exit-reason", "job": "job-employer",
     "job.employer": "job-employer", "job.role": "job-role",
     "job.hours_per_week": "job-hours", "job.pay_band": "job-pay-band",
     "job.self_employed": "job-self-employed", "job.start_date": "job-start-day",
     "employer_contacts": "employer-contacts", "goals": "goal-1", "confidence": "confidence"},
    required={"decision": "Select what happened at this review",
              "exit_reason": "Select why support is ending",
              "job": "Enter the employer's name",
              "job.employer": "Enter the employer's name",
              "job.role": "Enter the job title",
              "job.hours_per_week": "Enter the hours a week",
              "job.pay_band": "Select the pay",
              "job.self_employed": "Select whether they are self-employed",
              "job.start_date": "Enter the date the job starts",
              "employer_contacts": "Enter how many employers you contacted, or 0"})
WRONG = {"decision": "Select what happened at this review",
         "exit_reason": "Select why support is ending",
         "job": "Enter the employer's name",
         "job.employer": "Enter the employer's name in 200 characters or fewer",
         "job.role": "Enter the job title in 200 characters or fewer",
         "job.hours_per_week": "Enter the hours a week as a number from 1 to 80, like 16",
         "job.pay_band": "Select the pay",
         "job.self_employed": "Select whether they are self-employed",
         "job.start_date": "The date the job starts must be a real date, like 4 1 2027",
         "employer_contacts": "Enter the number of employers contacted as a whole number "
                              "from 0 to 200, like 2",
         "goals": "Enter each goal in 200 characters or fewer, on one line",
         "confidence": CONFIDENCE}


def _plain(errors: list[FieldError]) -> list[FieldError]:
    found = []
    for error in errors:
        name = error.field.split(".")[0] if error.field.startswith("goals") else error.field
        found.append(FieldError(name, REQUIRED if error.message == REQUIRED and
                                name in ERRORS.required else WRONG.get(name, error.message)))
    return found


def flow(answers: dict[str, str]) -> list[str]:
    """The questions this review asks, in order, given what happened at it."""
    decision = answers.get("decision")
    branch = {"job_start": ["review-job"], "exit": ["review-leaving"]}.get(decision or "", [])
    goals = [] if decision == "exit" else ["review-goals"]
    return ["review", *branch, "review-contacts", *goals, CHECK]


def body(answers: dict[str, str]) -> dict[str, Any]:
    """The review step's body from the answers to the questions its flow asks."""
    asked = {i for q in flow(answers) for i in QUESTIONS[q].inputs}
    given = Form({k: [v] for k, v in answers.items() if k in asked})
    decision = given.get("decision")
    goals = [g for i in range(1, GOALS_ASKED + 1) if (g := given.get(f"goal_{i}"))]
    sent = answered(decision=decision, employer_contacts=given.get("employer_contacts"),
                    exit_reason=given.get("exit_reason"), confidence=given.get("confidence"),
                    goals=goals or None)
    if decision == "job_start":
        sent["job"] = answered(
            employer=given.get("job_employer"), role=given.get("job_role"),
            pay_band=given.get("job_pay_band"), hours_per_week=given.get("job_hours"),
            self_employed={"yes": True, "no": False}.get(given.get("job_self_employed")),
            start_date=date_from_parts(given.get("job_start_day"),
                                       given.get("job_start_month"),
                                       given.get("job_start_year")))
    return sent


def errors_of(answers: dict[str, str], fields: tuple[str, ...]) -> list[FieldError]:
    """What is wrong with the answers to these fields of the review (the others' errors are
    for their own pages). A field this page asks for and did not get is missing even where
    the API lets it be (a job's title, pay and self-employment: asked of every job start
    here), or where the model would say so only once every other field is right."""
    sent = body(answers)
    found: list[FieldError] = []
    try:
        parse_body(Review, sent)
    except InvalidInput as error:
        found = [e for e in _plain(error.errors) if e.field in fields]
    flagged = {e.field for e in found}
    job = sent.get("job") or {}
    found += [FieldError(f, REQUIRED) for f in fields
              if f in ERRORS.required and f != "job" and f not in flagged and
              (job.get(f.removeprefix("job.")) if f.startswith("job.") else sent.get(f))
              is None]
    order = list(ERRORS.anchors)
    return sorted(found, key=lambda e: order.index(e.field) if e.field in order else -1)


@dataclass(frozen=True)
class CheckRow:
    question: str
    answer: str
    change: str  # the question page to change it on


DECISIONS = {"continue": "Support continues", "job_start": "They start a job",
             "exit": "They leave: support ends"}
PAY = {"below_nlw": "Below the National Living Wage",
       "nlw": "At or above the National Living Wage",
       "llw": "At or above the London Living Wage"}


def check_rows(answers: dict[str, str]) -> list[CheckRow]:
    def start() -> str:
        day = date_from_parts(answers.get("job_start_day", ""),
                              answers.get("job_start_month", ""),
                              answers.get("job_start_year", ""))
        return dates.day(day) if day else ""

    asked = flow(answers)
    rows = [CheckRow("What happened", DECISIONS.get(answers.get("decision", ""), ""), "review")]
    if "review-job" in asked:
        rows += [CheckRow("Employer", answers.get("job_employer", ""), "review-job"),
                 CheckRow("Job title", answers.get("job_role", ""), "review-job"),
                 CheckRow("Hours a week", answers.get("job_hours", ""), "review-job"),
                 CheckRow("Pay", PAY.get(answers.get("job_pay_band", ""), ""), "review-job"),
                 CheckRow("Self-employed", {"yes": "Yes", "no": "No"}.get(
                     answers.get("job_self_employed", ""), ""), "review-job"),
                 CheckRow("Start date", start(), "review-job")]
    if "review-leaving" in asked:
        rows.append(CheckRow("Why support ends", words(answers.get("exit_reason")),
                             "review-leaving"))
    rows.append(CheckRow("Employers contacted", answers.get("employer_contacts", ""),
                         "review-contacts"))
    if "review-goals" in asked:
        goals = [answers[f"goal_{i}"] for i in range(1, GOALS_ASKED + 1)
                 if answers.get(f"goal_{i}")]
        rows += [CheckRow("Goals", "; ".join(goals) or "None given", "review-goals"),
                 CheckRow("Confidence", answers.get("confidence") or "Not asked",
                          "review-goals")]
    return rows
