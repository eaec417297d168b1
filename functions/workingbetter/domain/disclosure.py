"""What the referring practice may see of a referral: one rule, used by the JSON API, the
practice's pages and the FHIR Task alike.

How the patient is getting on is theirs to share (`share_outcome_with_gp`). A practice they
agreed to share it with sees the referral as it is. Any other practice sees what happened to
the referral itself (received, triaged, accepted or not, waiting for a place, ended,
withdrawn), and nothing of the patient's part in it: from a coach's place until support ends
the status is ACCEPTED, with no appointment, no step awaited, no event of it on the timeline,
no reason support ended, and no time that would tell when any of it happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workingbetter.domain.auth import Role
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.referral import Appointment, Referral, TimelineEvent
from workingbetter.domain.referral import ExitReason, Status, fhir_status

# The stage a practice without consent sees for every status in WITH_THE_SERVICE.
ACCEPTED = "ACCEPTED"
WITH_THE_SERVICE = (Status.ALLOCATED, Status.APPOINTMENT_BOOKED, Status.IN_SUPPORT,
                    Status.IN_WORK)
# The stages a practice can filter its list by: what it sees of every referral.
PRACTICE_STAGES: tuple[str, ...] = (
    Status.RECEIVED, Status.TRIAGE, Status.AWAITING_TRIAGE_DECISION, Status.WAITLISTED, ACCEPTED,
    Status.EXITED, Status.REJECTED, Status.WITHDRAWN)
# Events about the referral itself, which every practice sees.
ABOUT_THE_REFERRAL = frozenset({
    "referral_received", "triage_accepted", "triage_rejected", "place_offered",
    "coach_allocated", "withdrawn", "personal_data_erased"})
# The answers that end support (steps.py): the last of them is when it ended.
_ENDINGS = ("review_exit", "did_not_attend_exit", "job_ended_before_week_", "in_work_")
SUPPORT_ENDED = "support_ended"  # what a practice without consent sees of them
NOT_A_PRACTICE_FILTER = ("A practice sees every referral from a coach's place until support "
                         f"ends as {ACCEPTED}: filter by {ACCEPTED}")


@dataclass(frozen=True, slots=True)
class Seen:
    """A referral as one caller may see it."""

    stage: str  # a Status, or ACCEPTED
    task_status: str  # FHIR Task.status
    service_request_status: str  # FHIR ServiceRequest.status
    timeline: tuple[TimelineEvent, ...]
    updated_at: str
    ended_at: str | None  # a terminal referral's end, as far as it may be known
    exit_reason: ExitReason | None
    appointment: Appointment | None
    awaiting: Awaiting | None
    outcome_shared: bool


def in_full(item: Referral) -> Seen:
    """The referral as the coach and ops see it."""
    statuses = fhir_status(item.status)
    return Seen(str(item.status), statuses.task, statuses.service_request, item.timeline,
                item.updated_at, item.updated_at if item.status.terminal else None,
                item.exit_reason, item.appointment, item.awaiting, True)


def by_practice(item: Referral) -> Seen:
    """The referral as its practice may see it (see the module's docstring)."""
    if item.share_outcome_with_gp:
        return in_full(item)
    status = item.status
    timeline = tuple(e for e in item.timeline if e.event in ABOUT_THE_REFERRAL)
    if status is Status.EXITED:
        ended = _ended(item.timeline) or item.updated_at
        timeline = tuple(sorted((*timeline, TimelineEvent(ended, SUPPORT_ENDED, "")),
                                key=lambda e: e.at))
    last = timeline[-1].at if timeline else item.created_at
    coarse = status in WITH_THE_SERVICE
    statuses = fhir_status(status)
    return Seen(
        stage=ACCEPTED if coarse else str(status),
        task_status="accepted" if coarse else statuses.task,
        service_request_status=statuses.service_request,
        timeline=timeline, updated_at=last, ended_at=last if status.terminal else None,
        # A rejection's reason is about the referral (the service's rules), not the patient.
        exit_reason=item.exit_reason if status is Status.REJECTED else None,
        appointment=None, awaiting=None if coarse else item.awaiting, outcome_shared=False)


def seen_by(role: Role, item: Referral) -> Seen:
    """The referral as someone in this role may see it: the practice by the rule above,
    coaches and ops in full."""
    return by_practice(item) if role is Role.REFERRER else in_full(item)


def _ended(timeline: Sequence[TimelineEvent]) -> str | None:
    return max((e.at for e in timeline if e.event.startswith(_ENDINGS)), default=None)


def statuses_for_filter(stage: str | None, practice_sees: bool) -> tuple[Status | None, ...]:
    """The statuses a list filtered by `stage` reads (None: every status). A practice may not
    filter by a status it does not see of every referral: ValueError."""
    if stage == ACCEPTED:
        return WITH_THE_SERVICE
    if stage is None:
        return (None,)
    status = Status(stage)
    if practice_sees and status in WITH_THE_SERVICE:
        raise ValueError(NOT_A_PRACTICE_FILTER)
    return (status,)


def needs_seen_by(role: Role, item: Referral) -> bool:
    """Whether this caller may see the patient's communication needs: their coach always (to
    meet them), their practice only if the patient agreed to share them (the Accessible
    Information Standard shares needs with consent: `share_needs_with_practice`, a question
    of its own, apart from sharing how they are getting on), ops never (no personal data)."""
    if item.personal_data_erased:
        return False
    if role is Role.COACH:
        return True
    return role is Role.REFERRER and bool(item.share_needs_with_practice)
