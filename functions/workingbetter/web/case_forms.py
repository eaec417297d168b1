"""The case record's forms: what each posts, how its answers become the API's body, and how
the API's field errors map back onto its inputs. Each records through the same service as the
JSON API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workingbetter.adapters.dynamo import Item
from workingbetter.domain import dates, parsing
from workingbetter.domain.auth import Principal
from workingbetter.services.case_record import CONTACT_OUTCOMES, CaseRecords
from workingbetter.services.follow_ups import FollowUps
from workingbetter.web import needs_form
from workingbetter.web.coach_forms import answered
from workingbetter.web.errors import FormErrorMap
from workingbetter.web.http import Form
from workingbetter.web.referral_form import DATE_MESSAGE, date_from_parts

GOALS_SHOWN = 5  # goal rows on the form; the API takes up to 20


def real_date(what: str) -> str:
    """GOV.UK's words for a date that is no date: it names the date and gives no example (a
    future one would mislead on the date of something already done)."""
    return f"{what} must be a real date"


@dataclass(frozen=True)
class Services:
    records: CaseRecords
    follow_ups: FollowUps


Record = Callable[[Services, Principal, str, dict[str, Any], str], Item]


@dataclass(frozen=True)
class CaseForm:
    path: str  # /coach/referrals/{id}/{path}
    done: str
    errors: FormErrorMap
    body: Callable[[Form], dict[str, Any]]
    record: Record

    @property
    def first_input(self) -> str:
        """Where an error about the whole form links to: its first input."""
        return next(iter(self.errors.anchors.values()))


def _date(form: Form, prefix: str) -> str | None:
    return date_from_parts(form.get(f"{prefix}_day"), form.get(f"{prefix}_month"),
                           form.get(f"{prefix}_year"))


def _profile(form: Form) -> dict[str, Any]:
    goals = [answered(goal=form.get(f"goal_{i}"), status=form.get(f"goal_{i}_status"))
             for i in range(1, GOALS_SHOWN + 1) if form.get(f"goal_{i}")]
    return answered(work_history=form.get("work_history"),
                 skills_and_qualifications=form.get("skills_and_qualifications"),
                 job_preferences=answered(kind_of_work=form.get("kind_of_work"),
                                       hours=form.get("hours"), area=form.get("area")),
                 barriers=form.get("barriers"), disclosure=form.get("disclosure"),
                 goals=goals, confidence=form.get("confidence"))


def _follow_up(form: Form) -> dict[str, Any]:
    day = _date(form, "start")
    typed = form.get("start_time")
    clock = dates.parse_clock(typed) if typed else None  # "10am", "10.00 am" as 10:00
    at = f"{clock:%H:%M}" if clock else typed
    return answered(start=f"{day}T{at}" if day and at else day, mode=form.get("mode"))


NUMBER = parsing.WHOLE_NUMBER
CONFIDENCE = "Enter a confidence score from 1 to 10"
# What the service says of a score that is not a whole number from 1 to 10 (parsing.py).
CONFIDENCE_REFUSALS = (NUMBER, "Enter a number from 1 to 10")
DATETIME = parsing.DATE_AND_TIME

PROFILE = CaseForm(
    "profile", "Profile saved",
    FormErrorMap({"work_history": "work-history", "skills_and_qualifications": "skills",
                  "job_preferences.kind_of_work": "kind-of-work",
                  "job_preferences.hours": "hours", "job_preferences.area": "area",
                  "barriers": "barriers", "disclosure": "disclosure", "goals": "goal-1",
                  "goals.goal": "goal-1", "goals.status": "goal-1-status",
                  "confidence": "confidence"},
                 reworded={"confidence": dict.fromkeys(CONFIDENCE_REFUSALS, CONFIDENCE)}),
    _profile,
    lambda s, who, rid, body, key: s.records.save_profile(who, rid, body),
)
CONTACT = CaseForm(
    "employer-contacts", "Employer contact recorded",
    FormErrorMap({"on": "contact-on", "kind_of_employer": "kind-of-employer",
                  "outcome": "contact-outcome", "detail": "contact-detail"},
                 required={"on": "Enter the date of the contact",
                           "kind_of_employer": "Enter the kind of employer",
                           "outcome": "Select what came of it"},
                 reworded={"on": {DATE_MESSAGE: real_date("The date of the contact")},
                           "outcome": {"Choose " + ", ".join(CONTACT_OUTCOMES[:-1]) + " or " +
                                       CONTACT_OUTCOMES[-1]: "Select what came of it"}},
                 dates={"on": "contact_on"}),
    lambda f: answered(on=_date(f, "contact_on"), kind_of_employer=f.get("kind_of_employer"),
                    outcome=f.get("outcome"), detail=f.get("detail")),
    lambda s, who, rid, body, key: s.records.add_contact(who, rid, body, key),
)
BENEFITS = CaseForm(
    "benefits-advice", "Benefits advice recorded",
    FormErrorMap({"given": "benefits-given", "on": "benefits-on"},
                 required={"given": "Select whether benefits advice was given"},
                 reworded={"on": {DATE_MESSAGE: real_date("The date of the advice")}},
                 dates={"on": "benefits_on"}),
    lambda f: answered(given={"yes": True, "no": False}.get(f.get("given")),
                    on=_date(f, "benefits_on")),
    lambda s, who, rid, body, key: s.records.record_benefits_advice(who, rid, body),
)
NOTE = CaseForm(
    "notes", "Note added",
    FormErrorMap({"text": "note-text"}, required={"text": "Enter the note"}),
    lambda f: answered(text=f.get("text")),
    lambda s, who, rid, body, key: s.records.add_note(who, rid, body, key),
)
FOLLOW_UP = CaseForm(
    "follow-ups", "Follow-up appointment booked",
    FormErrorMap({"start": "start", "mode": "mode"},
                 required={"start": "Enter the date and time of the appointment",
                           "mode": "Select how you will meet"},
                 reworded={"start": {DATETIME: "Enter the time like 10:30",
                                     DATE_MESSAGE: real_date("The date of the appointment")},
                           "mode": {"Choose surgery, phone or video":
                                    "Select how you will meet"}}),
    _follow_up,
    lambda s, who, rid, body, key: s.follow_ups.book(who, rid, body),
)
NEEDS = CaseForm(
    "communication-needs", "Communication needs saved",
    needs_form.error_map("needs"),
    lambda f: {"communication_needs": needs_form.answers(f)},
    lambda s, who, rid, body, key: s.records.change_communication_needs(who, rid, body),
)
INTERPRETER = CaseForm(
    "interpreter-arranged", "Interpreter recorded as arranged: the patient is being told of "
    "their appointment",
    FormErrorMap({"arranged": "interpreter-arranged"}),
    lambda f: {},
    lambda s, who, rid, body, key: s.records.interpreter_arranged(who, rid),
)
FORMS = {f.path: f for f in (PROFILE, CONTACT, BENEFITS, NOTE, FOLLOW_UP, NEEDS, INTERPRETER)}
