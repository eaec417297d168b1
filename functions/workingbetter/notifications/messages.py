"""Every message's words, in plain English, in one place, in GOV.UK Notify's template form:
((fields)) are filled at sending time and the result is never stored or logged.

Messages to patients and practices are sent by Notify: each of its templates holds these very
words (README: "GOV.UK Notify"), and the service sends only the template's id and the fields
it names. Ops alerts are rendered here and published to the ops topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.referral import ExitReason


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


TEMPLATES: dict[Kind, Template] = {
    Kind.APPOINTMENT_CONFIRMATION: Template(
        "Your Working Better appointment",
        "Hello ((given_name)), your Working Better appointment is on ((when)) at ((practice)). "
        "It is your choice to come, and it does not affect any benefits. If you no longer "
        "want this support, you can leave at any time. To see or change your appointment, or "
        "to leave: ((withdraw_link))",
    ),
    Kind.APPOINTMENT_REMINDER: Template(
        "Reminder: Working Better tomorrow",
        "Hello ((given_name)), a reminder that your Working Better appointment is tomorrow, "
        "((when)), at ((practice)). If you cannot come, please call the surgery.",
    ),
    Kind.APPOINTMENT_FOLLOW_UP_REMINDER: Template(
        "Reminder: Working Better tomorrow",
        "Hello ((given_name)), a reminder that you have a Working Better appointment with your "
        "coach tomorrow, ((when)), ((where)). If you cannot make it, please tell your coach.",
    ),
    Kind.APPOINTMENT_FOLLOW_UP_MISSED: Template(
        "We missed you today",
        "Hello ((given_name)), we missed you at your Working Better appointment on ((when)). "
        "Your coach will be in touch to find another time. It is still your choice to take "
        "part, and it does not affect any benefits.",
    ),
    Kind.APPOINTMENT_MOVED: Template(
        "Your Working Better appointment has moved",
        "Hello ((given_name)), your coach is away, so your Working Better appointment has "
        "moved. It is now on ((when)), ((where)). If the new time does not suit you, please "
        "call the surgery. It is still your choice to take part.",
    ),
    Kind.APPOINTMENT_NEW_COACH: Template(
        "Your Working Better coach has changed",
        "Hello ((given_name)), your Working Better coach is now ((coach_name)). What you have "
        "agreed so far carries on with them. If the time of an appointment changes, we will "
        "tell you. It is still your choice to take part.",
    ),
    Kind.APPOINTMENT_COACH_LEFT: Template(
        "Your Working Better coach has left",
        "Hello ((given_name)), your Working Better coach has left the service. You are on the "
        "waiting list for a new coach, ahead of people referred after you, and we will tell "
        "you when you have one. It is still your choice to take part.",
    ),
    Kind.APPOINTMENT_PRACTICE_LEFT: Template(
        "Your Working Better support has ended",
        "Hello ((given_name)), your GP surgery has left Working Better, so your support from "
        "us has ended and any appointments with us are cancelled. Nothing about this goes to "
        "the Jobcentre or touches your benefits. Your GP surgery can tell you what other "
        "support there is.",
    ),
    Kind.COACH_FOLLOW_UP_OUTREACH: Template(
        "Follow-up appointment missed",
        "The patient for referral ((referral_id)) missed their follow-up on ((when)). Please call "
        "or write to them.",
    ),
    Kind.COACH_ARRANGE_INTERPRETER: Template(
        "Arrange an interpreter",
        "The patient for referral ((referral_id)) needs an interpreter at their appointment on "
        "((when)). Please arrange one and record it: the patient is told of the appointment "
        "once it is arranged.",
    ),
    Kind.COACH_INTERPRETER_NOT_ARRANGED: Template(
        "Interpreter still not arranged",
        "The interpreter for referral ((referral_id)) on ((when)) is still not arranged, and "
        "the patient has not been told of the appointment. Please arrange one now.",
    ),
    Kind.COACH_OUTCOME_NOT_RECORDED: Template(
        "Record the appointment outcome",
        "The outcome of the first appointment for referral ((referral_id)) on ((when)) has not "
        "been recorded yet. Please record it in your workspace.",
    ),
    Kind.COACH_REVIEW_OVERDUE: Template(
        "Review overdue",
        "The review for referral ((referral_id)) is 3 days overdue. Please record it.",
    ),
    Kind.COACH_SUSTAINMENT_OVERDUE: Template(
        "In-work check overdue",
        "The in-work check for referral ((referral_id)) is 3 days overdue. Please record it.",
    ),
    Kind.COACH_PATIENT_ASKS_TO_CHANGE: Template(
        "A patient asks to change their appointment",
        "The patient for referral ((reference)) asks to change their appointment on ((when)). "
        "Please contact them to agree a new time.",
    ),
    Kind.COACH_PATIENT_ASKS_TO_CANCEL: Template(
        "A patient asks to cancel their appointment",
        "The patient for referral ((reference)) asks to cancel their appointment on ((when)). "
        "Please record it as cancelled and contact them.",
    ),
    Kind.OPS_NOT_ACKNOWLEDGED: Template(
        "Referral not acknowledged",
        "Referral ((referral_id)) has not been acknowledged within 2 working days.",
    ),
    Kind.OPS_TRIAGE_OVERDUE: Template(
        "Triage decision overdue",
        "The triage decision for referral ((referral_id)) is overdue: it has been chased.",
    ),
    Kind.OPS_WAITLIST_OVER_LIMIT: Template(
        "Waitlist over its limit",
        "Referral ((referral_id)) has waited for a coach longer than the waitlist limit.",
    ),
    Kind.OPS_RUN_FAILED: Template(
        "A referral's run needs attention",
        "The run for referral ((referral_id)) stopped (((detail))). See the ops console.",
    ),
    Kind.OPS_NOTIFICATION_FAILED: Template(
        "A message could not be sent",
        "A message for referral ((referral_id)) (((detail))) failed after every retry.",
    ),
    Kind.OPS_CAPACITY_REPAIRED: Template(
        "A coach's caseload count was repaired",
        "The daily check found a caseload count that did not match the referrals holding a "
        "place (((detail))); it was corrected and free places offered to the waitlist. "
        "Referral ((referral_id)) was affected. Please look for the cause.",
    ),
    Kind.OPS_LETTER_FORMAT_MISSING: Template(
        "A letter went in the standard format",
        "A patient needs letters in a format this deployment has no GOV.UK Notify template for "
        "(((detail))): the standard letter was sent. Add the template to NotifyTemplates.",
    ),
    Kind.PRACTICE_ACCEPTED: Template(
        "Working Better: referral accepted",
        "Referral ((reference)) has been accepted by Working Better.",
    ),
    Kind.PRACTICE_FIRST_ATTENDED: Template(
        "Working Better: first appointment attended",
        "The patient for referral ((reference)) attended their first Working Better "
        "appointment.",
    ),
    Kind.PRACTICE_ENDED: Template(
        "Working Better: support ended",
        "Working Better support for referral ((reference)) has ended: ((outcome)).",
    ),
}

# What each message GOV.UK Notify sends is for, as the person creating its template in Notify
# reads it (`python -m infra.template_keys` lists them beside the keys the deploy needs).
PURPOSES: dict[Kind, str] = {
    Kind.APPOINTMENT_CONFIRMATION: "When an appointment is booked: when and where, and a "
                                   "one-time link to see, change or leave",
    Kind.APPOINTMENT_REMINDER: "The day before the first appointment",
    Kind.APPOINTMENT_FOLLOW_UP_REMINDER: "The day before a follow-up appointment with the coach",
    Kind.APPOINTMENT_FOLLOW_UP_MISSED: "After a missed follow-up appointment: the coach will "
                                       "be in touch",
    Kind.APPOINTMENT_MOVED: "When a coach's absence moves an appointment: its new time and "
                            "where",
    Kind.APPOINTMENT_NEW_COACH: "When the service manager moves a patient to another coach: "
                                "the new coach's name",
    Kind.APPOINTMENT_COACH_LEFT: "When a patient's coach leaves and no other coach has a place: "
                                 "they wait for one",
    Kind.APPOINTMENT_PRACTICE_LEFT: "When their GP surgery leaves the pilot and the service "
                                    "manager ends its referrals: support has ended",
    Kind.PRACTICE_ACCEPTED: "Once the referral is accepted (only if the patient agreed)",
    Kind.PRACTICE_FIRST_ATTENDED: "Once the first appointment is attended (only if the "
                                  "patient agreed)",
    Kind.PRACTICE_ENDED: "When support ends, with why in plain words (only if the patient "
                         "agreed)",
}

# Exit reasons as a GP reads them, one for each reason (status words only, never a coach's
# notes): the reason as it was chosen, whoever chose it.
OUTCOME_WORDS: dict[str, str] = {
    ExitReason.JOB_SUSTAINED_26_WEEKS: "in work for 26 weeks",
    ExitReason.JOB_SUSTAINED_52_WEEKS: "in work for 52 weeks",
    ExitReason.IN_WORK_SUPPORT_ENDED: "in work, and in-work support ended",
    ExitReason.JOB_ENDED: "the job ended",
    ExitReason.EDUCATION_OR_TRAINING: "went into education or training",
    ExitReason.VOLUNTEERING: "went into volunteering",
    ExitReason.NO_LONGER_WISHES: "the patient chose to leave",
    ExitReason.DISENGAGED: "the patient stopped attending",
    ExitReason.MOVED_AWAY: "the patient moved away",
    ExitReason.INELIGIBLE: "not eligible for this service",
    ExitReason.SUPPORT_PERIOD_ENDED: "support ended by agreement",
    ExitReason.PRACTICE_LEFT: "the practice left the service",
}


_FIELD = re.compile(r"\(\((\w+)\)\)")


def fields_of(kind: Kind) -> frozenset[str]:
    """The fields a kind's template names: all that is sent to Notify with it."""
    template = TEMPLATES[kind]
    return frozenset(_FIELD.findall(template.subject + template.body))


def fill(text: str, fields: dict[str, str]) -> str:
    """((name)) replaced by its field, as Notify does; KeyError if one is missing."""
    return _FIELD.sub(lambda match: fields[match.group(1)], text)


def render(kind: Kind, fields: dict[str, str]) -> tuple[str, str]:
    template = TEMPLATES[kind]
    return fill(template.subject, fields), fill(template.body, fields)
