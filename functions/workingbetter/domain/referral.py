"""The referral's business vocabulary: statuses and exit reasons (what a run waits for is
declared with each human step, in human_steps.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    RECEIVED = "RECEIVED"
    TRIAGE = "TRIAGE"
    AWAITING_TRIAGE_DECISION = "AWAITING_TRIAGE_DECISION"
    WAITLISTED = "WAITLISTED"
    ALLOCATED = "ALLOCATED"
    APPOINTMENT_BOOKED = "APPOINTMENT_BOOKED"
    IN_SUPPORT = "IN_SUPPORT"
    IN_WORK = "IN_WORK"
    EXITED = "EXITED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({Status.REJECTED, Status.EXITED, Status.WITHDRAWN})
LIVE = frozenset(Status) - TERMINAL
# Statuses in which the referral holds a place in a coach's caseload.
HOLDS_CAPACITY = frozenset(
    {Status.ALLOCATED, Status.APPOINTMENT_BOOKED, Status.IN_SUPPORT, Status.IN_WORK}
)


# No caller can grow a referral's item without end (DynamoDB refuses items over 400 KB). What a
# person may repeat at will is a "fact" beside the run: a patient's asks and contact changes
# from their link, a coach's employer contacts, benefits advice and follow-up outcomes. A fact
# is listed on the timeline (and its dates kept) only while the timeline is shorter than its
# bound, a patient's lower so a patient never crowds out the coach's; past it the fact still
# lands and is counted (`facts_unlisted`). The pathway's own lines are few and always listed.
# About 110 bytes a line: the item stays under ~50 KB whatever is sent.
PATIENT_FACTS_LISTED_UNTIL = 100
COACH_FACTS_LISTED_UNTIL = 400


# `attention` values for a live referral that no run moves on any more.
STALLED = "stalled"
TASK_FAILED = "task_failed"
# Ops count such a referral as stalled, not as the status it stopped in.
COUNTED_STALLED = "STALLED"


class ExitReason(StrEnum):
    JOB_SUSTAINED_26_WEEKS = "job_sustained_26_weeks"
    JOB_SUSTAINED_52_WEEKS = "job_sustained_52_weeks"
    IN_WORK_SUPPORT_ENDED = "in_work_support_ended"  # still in work; support ended by choice
    JOB_ENDED = "job_ended"
    EDUCATION_OR_TRAINING = "education_or_training"
    VOLUNTEERING = "volunteering"
    NO_LONGER_WISHES = "no_longer_wishes"
    DISENGAGED = "disengaged"
    MOVED_AWAY = "moved_away"
    INELIGIBLE = "ineligible"
    SUPPORT_PERIOD_ENDED = "support_period_ended"
    PRACTICE_LEFT = "practice_left"  # its GP surgery left the pilot, and its manager ended it


# Why someone leaves before their support is done, as they, their coach or their practice
# choose it, in the order the forms offer them: the practice's withdrawal offers these, and a
# coach's review these and the endings only a coach records (step_answers.REVIEW_EXITS). The
# reason is kept as chosen: ops, the reports and the practice's email all show it.
LEAVING_REASONS = (ExitReason.NO_LONGER_WISHES, ExitReason.MOVED_AWAY,
                   ExitReason.EDUCATION_OR_TRAINING, ExitReason.VOLUNTEERING,
                   ExitReason.DISENGAGED)


class Condition(StrEnum):
    MENTAL_HEALTH = "mental_health"
    MUSCULOSKELETAL = "musculoskeletal"
    CARDIOVASCULAR = "cardiovascular"
    RESPIRATORY = "respiratory"
    DIABETES = "diabetes"
    NEUROLOGICAL = "neurological"
    CANCER = "cancer"
    LEARNING_DISABILITY = "learning_disability"
    OTHER = "other"


class EmploymentStatus(StrEnum):
    UNEMPLOYED = "unemployed"
    ECONOMICALLY_INACTIVE = "economically_inactive"


class ContactPreference(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"


class FhirStatus(NamedTuple):
    service_request: str
    task: str


def fhir_status(status: Status) -> FhirStatus:
    """The FHIR ServiceRequest.status and Task.status a status maps to (BaRS / BSeR)."""
    service_request = {
        Status.WITHDRAWN: "revoked",
        Status.REJECTED: "revoked",
        Status.EXITED: "completed",
    }.get(status, "active")
    task = {
        Status.RECEIVED: "requested",
        Status.TRIAGE: "received",
        Status.AWAITING_TRIAGE_DECISION: "received",
        Status.WAITLISTED: "accepted",
        Status.ALLOCATED: "ready",
        Status.APPOINTMENT_BOOKED: "ready",
        Status.IN_SUPPORT: "in-progress",
        Status.IN_WORK: "in-progress",
        Status.EXITED: "completed",
        Status.REJECTED: "rejected",
        Status.WITHDRAWN: "cancelled",
    }[status]
    return FhirStatus(service_request, task)
