"""A referral as the workflow table holds it: ids, enums, dates and counts only, and the
change a write makes to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.referral import (
    COUNTED_STALLED,
    STALLED,
    TASK_FAILED,
    ContactPreference,
    ExitReason,
    Status,
)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One line of a referral's timeline: who did what, when. Enums only."""

    at: str
    event: str
    by: str
    detail: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    """The first appointment (each rebooking replaces it), at the coach's practice."""

    start: str
    practice_ods: str
    number: int = 1
    due_at: str | None = None  # when it comes round on the real clock
    outcome: str | None = None  # attended, did_not_attend, cancelled
    # Another coach at the practice covering while the referral's coach is away (their diary
    # holds the time); None: with the referral's own coach. The caseload does not move.
    coach_id: str | None = None
    # A longer appointment (a communication need): the next slot of the session, held too.
    also: str | None = None

    def with_coach(self, referral_coach: str) -> str:
        """Whose diary holds this appointment's time."""
        return self.coach_id or referral_coach

    @property
    def held(self) -> tuple[str, ...]:
        """The slots it holds in the diary: its start, and for a longer one the next."""
        return (self.start, self.also) if self.also else (self.start,)


@dataclass(frozen=True, slots=True)
class JobFacts:
    """The job as the referral keeps it (the outcome reports' facts): no employer."""

    hours_per_week: str
    start_date: str
    pay_band: str | None = None
    self_employed: bool | None = None


@dataclass(frozen=True, slots=True)
class StoredTriageFacts:
    """What triage needs, derived at intake (no personal data)."""

    age_band: str
    only_other_condition: bool


@dataclass(frozen=True, slots=True)
class LastAnswer:
    """The last answer to a human step, for a chase that fires as it is recorded."""

    awaiting: str
    output: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ServiceRequestId:
    """The FHIR ServiceRequest's identifier a referral came in with."""

    system: str
    value: str


@dataclass(frozen=True, slots=True)
class Referral:
    """The workflow's item for one referral: ids, enums, dates and counts only."""

    referral_id: str
    created_at: str
    status: Status
    practice_ods: str
    reference: str | None = None
    updated_at: str = ""
    runs: tuple[str, ...] = ()
    run_name: str | None = None
    patient_key: str | None = None  # gone once the personal data is erased
    birth_key: str | None = None  # the practice and date of birth, hashed: erased with them
    employment_status: str | None = None
    triage_facts: StoredTriageFacts | None = None
    condition_categories: tuple[str, ...] = ()
    age_band: str | None = None
    share_outcome_with_gp: bool | None = None
    # The patient's consent for their practice to see their communication needs, and which
    # needs they have (enum values, for the outcome reports; erased with the personal data).
    share_needs_with_practice: bool | None = None
    need_kinds: tuple[str, ...] = ()
    # The needs the service has met (enum values: a letter in their format sent, a longer
    # appointment booked, an interpreter arranged, a phone call turned into writing), for the
    # outcome reports; erased with the personal data.
    needs_met: tuple[str, ...] = ()
    # The start of the appointment an interpreter was arranged for: its confirmation is held
    # until then (docs/communication-needs.md).
    interpreter_arranged: str | None = None
    contact_preference: ContactPreference | None = None
    timeline: tuple[TimelineEvent, ...] = ()
    coach_id: str | None = None
    capacity_released: bool = False
    # The human step a run waits on, and the token that answers it.
    awaiting: Awaiting | None = None
    task_token: str | None = None
    awaiting_since: str | None = None
    waitlist: str | None = None  # the practice whose waitlist it is on
    chases: int = 0
    attention: str | None = None  # why ops should look (stalled, task_failed, overdue_...)
    failed_at: str | None = None
    resume_with: Mapping[str, Any] | None = None
    last_answer: LastAnswer | None = None
    appointment: Appointment | None = None
    appointments_booked: int = 0
    missed_in_a_row: int = 0
    support_started_at: str | None = None
    support_ends_at: str | None = None
    job: JobFacts | None = None
    job_started_at: str | None = None
    sustainment_week: int | None = None
    employer_contacts: int = 0
    reviews_done: int = 0
    first_employer_contact_at: str | None = None
    employer_contact_dates: tuple[str, ...] = ()
    benefits_advice_on: str | None = None
    # A patient's open request about an appointment: its start (one open request of a kind
    # per appointment; it closes when their coach marks it done).
    asked_to_change: str | None = None
    asked_to_cancel: str | None = None
    facts_unlisted: int = 0  # facts past the timeline's bound (domain/referral.py)
    exit_reason: ExitReason | None = None
    personal_data_erased: bool = False
    idempotency_record: str | None = None
    request_hash: str | None = None
    service_request: ServiceRequestId | None = None

    @property
    def stopped(self) -> bool:
        """Live, but no run waits on it: it needs a resume."""
        return self.attention in {STALLED, TASK_FAILED} and not self.task_token

    @property
    def counted_as(self) -> str:
        """The row of the ops status table it is counted in."""
        return COUNTED_STALLED if self.stopped else str(self.status)


class _Unset:
    """A change leaves this field as it is."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True, slots=True)
class ReferralChange:
    """Fields of a `Referral` to write (None removes one; UNSET leaves it). Used too for what
    a conditional write expects the referral to hold (None: that it has no such field)."""

    status: Status | _Unset = UNSET
    coach_id: str | _Unset | None = UNSET
    awaiting: Awaiting | _Unset | None = UNSET
    task_token: str | _Unset | None = UNSET
    awaiting_since: str | _Unset | None = UNSET
    waitlist: str | _Unset | None = UNSET
    chases: int | _Unset | None = UNSET
    attention: str | _Unset | None = UNSET
    failed_at: str | _Unset | None = UNSET
    resume_with: Mapping[str, Any] | _Unset | None = UNSET
    last_answer: LastAnswer | _Unset | None = UNSET
    appointment: Appointment | _Unset | None = UNSET
    appointments_booked: int | _Unset = UNSET
    missed_in_a_row: int | _Unset = UNSET
    support_started_at: str | _Unset | None = UNSET
    support_ends_at: str | _Unset | None = UNSET
    job: JobFacts | _Unset | None = UNSET
    job_started_at: str | _Unset | None = UNSET
    sustainment_week: int | _Unset | None = UNSET
    employer_contacts: int | _Unset = UNSET
    reviews_done: int | _Unset = UNSET
    first_employer_contact_at: str | _Unset | None = UNSET
    employer_contact_dates: tuple[str, ...] | _Unset = UNSET
    benefits_advice_on: str | _Unset | None = UNSET
    asked_to_change: str | _Unset | None = UNSET
    asked_to_cancel: str | _Unset | None = UNSET
    exit_reason: ExitReason | _Unset | None = UNSET
    contact_preference: ContactPreference | _Unset = UNSET
    personal_data_erased: bool | _Unset = UNSET
    share_outcome_with_gp: bool | _Unset = UNSET
    patient_key: str | _Unset | None = UNSET
    birth_key: str | _Unset | None = UNSET
    age_band: str | _Unset | None = UNSET
    condition_categories: tuple[str, ...] | _Unset | None = UNSET
    share_needs_with_practice: bool | _Unset = UNSET
    need_kinds: tuple[str, ...] | _Unset | None = UNSET
    needs_met: tuple[str, ...] | _Unset | None = UNSET
    interpreter_arranged: str | _Unset | None = UNSET
    idempotency_record: str | _Unset | None = UNSET
    request_hash: str | _Unset = UNSET
    service_request: ServiceRequestId | _Unset = UNSET
    run_name: str | _Unset = UNSET

    def given(self) -> dict[str, Any]:
        """The fields this change names, by name (None for those it removes)."""
        return {f.name: value for f in fields(self)
                if not isinstance(value := getattr(self, f.name), _Unset)}

    def merged(self, other: ReferralChange) -> ReferralChange:
        """This change with `other`'s fields on top."""
        return ReferralChange(**{**self.given(), **other.given()})
