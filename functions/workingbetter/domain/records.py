"""The stored records as the service reads them: typed, frozen, free of DynamoDB.

The adapter (store.py, item_codec.py) turns items into these and back; services never see an
attribute name. A field a record does not have (never written, removed, or left out of a
list's projection) reads as its default. Numbers come back as int (or float), never Decimal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Final

from workingbetter.domain.access_requests import SendBy, Via
from workingbetter.domain.channels import Channel, FailureReason, State
from workingbetter.domain.communication_needs import CommunicationNeed
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.notification_kinds import Kind
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


@dataclass(frozen=True, slots=True)
class Session:
    """A coach's weekly session at a practice, as the practice lists it: which coaches work
    there (kept with the coach's `SurgerySession`s in the same transaction)."""

    coach_id: str
    weekday: int


@dataclass(frozen=True, slots=True)
class SurgerySession:
    """A coach's weekly surgery session: appointments of `minutes` from `start` (UK wall-clock
    "HH:MM"), each ending by `end`."""

    practice_ods: str
    weekday: int  # 0 = Monday
    start: str
    end: str
    minutes: int = 60


# A coach from before sessions were set on the pages sits in surgery on their weekday with
# the usual day: one-hour appointments, lunch left free (two sessions, either side of it).
USUAL_DAY = (("09:30", "12:30"), ("13:30", "16:30"))
FULL_TIME_DAYS = 5


def usual_day(weekday: int, practice_ods: str = "") -> tuple[SurgerySession, ...]:
    return tuple(SurgerySession(practice_ods, weekday, start, end) for start, end in USUAL_DAY)


class PracticeStatus(StrEnum):
    """Whether a practice takes new referrals (its open referrals carry on in every one)."""

    TAKING = "taking"
    PAUSED = "paused"  # for a while, with the manager's reason
    LEFT = "left"  # it has left the pilot


@dataclass(frozen=True, slots=True)
class Practice:
    practice_ods: str
    name: str
    sessions: tuple[Session, ...] = ()
    email: str = ""  # its generic mailbox, for feedback
    address: str = ""  # where patients go to their appointments
    phone: str = ""  # whom patients call
    rooms: tuple[str, ...] = ()  # the rooms it lends the coaches, by name
    status: PracticeStatus = PracticeStatus.TAKING
    paused_reason: str = ""  # the service manager's words, shown on the referral form

    @property
    def coach_ids(self) -> tuple[str, ...]:
        """The coaches with a session here, each once (one may sit here on several days)."""
        return tuple(dict.fromkeys(s.coach_id for s in self.sessions))


@dataclass(frozen=True, slots=True)
class Coach:
    coach_id: str
    practice_ods: str  # their first session's practice ("" with none)
    weekday: int  # and its weekday
    active: int = 0  # places taken in their caseload
    name: str = ""  # as staff know them (a member of staff's name: never a patient's)
    calendar_key: str | None = None  # the SHA-256 of their calendar link's secret
    # Their sessions as the service manager set them; None for a coach from before (a seed
    # row without times): the usual day at `practice_ods` on `weekday`.
    sessions: tuple[SurgerySession, ...] | None = None
    days_a_week: int = FULL_TIME_DAYS  # the days they work for the service: scales their cap
    left: bool = False  # left the service: given no referral, offered to nobody

    @property
    def surgery_sessions(self) -> tuple[SurgerySession, ...]:
        if self.sessions is not None:
            return self.sessions
        return usual_day(self.weekday, self.practice_ods) if self.practice_ods else ()

    @property
    def practices(self) -> tuple[str, ...]:
        """The practices they sit in (their first session's first)."""
        return tuple(dict.fromkeys(s.practice_ods for s in self.surgery_sessions))

    def sessions_at(self, practice_ods: str) -> tuple[SurgerySession, ...]:
        return tuple(s for s in self.surgery_sessions if s.practice_ods == practice_ods)

    def cap(self, full_time: int) -> int:
        """Their caseload cap: the full-time cap scaled by the days they work, rounded half
        up, at least 1 (IPS: 20 for a full-time coach, so 8 for two days)."""
        return max(1, (full_time * self.days_a_week * 2 + FULL_TIME_DAYS) // (2 * FULL_TIME_DAYS))


@dataclass(frozen=True, slots=True)
class Slot:
    """A time held in a coach's diary (a first appointment or a follow-up)."""

    start: str
    referral_id: str


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up appointment in a coach's diary."""

    coach_id: str
    start: str
    referral_id: str
    mode: str = ""
    due_at: str | None = None
    booked_at: str | None = None
    booked_by: str | None = None
    outcome: str | None = None
    outcome_at: str | None = None
    outcome_by: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message in the outbox, beside its referral: ids and enums, never its words."""

    referral_id: str
    notification_id: str
    kind: Kind
    channel: Channel
    state: State
    due_at: str
    service_due: str = ""
    attempts: int = 0
    lease_until: str | None = None
    sent_at: str | None = None
    receipt_at: str | None = None
    provider_id: str | None = None
    queue: str | None = None  # the ByDue partition it is listed in, if any
    failure_reason: FailureReason | None = None  # why it was given up on

    @property
    def about(self) -> str:
        """What the message is about (its key: an appointment time, a step)."""
        return self.notification_id.split(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class PostalAddress:
    lines: tuple[str, ...]
    postcode: str


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """The patient as the practice gave them: personal data, in its own table only."""

    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: str
    contact_preference: ContactPreference
    phone: str | None = None
    email: str | None = None
    address: PostalAddress | None = None
    # The Accessible Information Standard's needs (domain/communication_needs.py).
    communication_needs: tuple[CommunicationNeed, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonalData:
    """A referral's personal-data item: the patient, their conditions, the GP's reason."""

    referral_id: str
    patient: PatientDetails
    health_conditions: tuple[str, ...] = ()
    reason: str = ""


def field_names(*records: type) -> frozenset[str]:
    """Every field name of these records (and of the records inside them)."""
    return frozenset(f.name for record in records for f in fields(record))


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A patient's request for a copy of what is held about them (domain/access_requests.py):
    ids, dates and enums only, so ops may list it. Open until someone produces the copy."""

    referral_id: str
    request_id: str
    received_on: str  # YYYY-MM-DD, UK day
    due_on: str  # one calendar month on
    via: Via
    send_by: SendBy
    recorded_at: str
    recorded_by: str  # the actor, as the timeline and the audit name them
    fulfilled_at: str | None = None
    fulfilled_by: str | None = None

    @property
    def open(self) -> bool:
        return self.fulfilled_at is None
