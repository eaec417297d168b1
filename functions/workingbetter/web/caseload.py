"""A coach's caseload as rows: what each referral waits for and by when it should be answered.
Due times come from the same settings that time the run's human steps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from workingbetter.domain import dates
from workingbetter.domain.auth import Principal
from workingbetter.domain.channels import State
from workingbetter.domain.communication_needs import CommunicationNeed, interpreters_wanted
from workingbetter.domain.human_steps import BY_AWAITING, RECORDED, Awaiting
from workingbetter.domain.notification_kinds import ARRANGING_INTERPRETER, KINDS
from workingbetter.domain.patient_channel import no_phone_calls
from workingbetter.domain.records.directory import Coach, Practice
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import Status
from workingbetter.domain.triage import age_on
from workingbetter.services.referral_reading import view as referral_view

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read

# How long each step a coach records may wait, as a settings field in service days.
STEP_LIMITS = {s.awaiting: s.limit_days for s in RECORDED if s.limit_days}
STEP_WORDS = {awaiting: s.waiting_for for awaiting, s in BY_AWAITING.items()}
# The run moves on to a review after these, once the review interval has passed.
REVIEW_STARTS = ("first_appointment_attended", "review_continue")


@dataclass(frozen=True)
class Row:
    referral_id: str
    patient: str
    nhs_number: str
    status: str
    awaiting: str | None
    next_step: str
    due: datetime | None
    appointment: str | None  # the first appointment's start, until its outcome is recorded
    stalled: bool = False
    triage: TriageFacts | None = None  # what a triage decision needs
    outcome_from: datetime | None = None  # when the appointment's outcome can be recorded
    review_on: datetime | None = None  # the day the review awaited fell due
    needs: tuple[CommunicationNeed, ...] = ()  # flagged on the row and the card

    def can_answer(self, now: datetime) -> bool:
        """Whether the step's form is offered: an appointment's outcome only from its start."""
        return self.outcome_from is None or self.outcome_from <= now

    @property
    def waits_for_coach(self) -> bool:
        return self.awaiting in STEP_LIMITS

    def overdue(self, now: datetime) -> bool:
        """A step waiting for the coach past its time (a review not yet due is not overdue)."""
        return self.waits_for_coach and self.due is not None and self.due < now


@dataclass(frozen=True)
class TriageFacts:
    age: int | None
    conditions: list[str]
    reason: str
    employment_status: str


def age_today(born: str | None, today: date) -> int | None:
    return age_on(date.fromisoformat(str(born)), today) if born else None


def triage_facts(item: Referral, personal: PersonalData | None,
                 today: date) -> TriageFacts | None:
    if item.awaiting != Awaiting.TRIAGE_DECISION or personal is None:
        return None
    conditions = list(personal.health_conditions)
    return TriageFacts(age_today(personal.patient.date_of_birth, today), conditions,
                       personal.reason,
                       item.employment_status or "")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _last(view: dict[str, Any], *events: str) -> datetime | None:
    times = [e["at"] for e in view.get("timeline", []) if e["event"] in events]
    return _parse(max(times)) if times else None


def due(view: dict[str, Any], settings: Settings) -> datetime | None:
    """When the step the run waits for should be answered; for a referral in support, when its
    next review falls due."""
    awaiting = view.get("awaiting")
    if awaiting in STEP_LIMITS:
        limit = timedelta(seconds=settings.seconds(getattr(settings, STEP_LIMITS[awaiting])))
        if awaiting == Awaiting.APPOINTMENT_OUTCOME and view.get("appointment"):
            return _parse(view["appointment"]["start"]) + limit
        since = _last(view, f"awaiting_{awaiting}")
        return since + limit if since else None
    if view["status"] == Status.IN_SUPPORT and awaiting is None:
        since = _last(view, *REVIEW_STARTS)
        interval = timedelta(seconds=settings.seconds(settings.review_interval_days))
        return since + interval if since else None
    return None


def next_step(view: dict[str, Any]) -> str:
    awaiting = view.get("awaiting")
    if awaiting:
        step = STEP_WORDS[Awaiting(awaiting)]
        if view.get("stalled"):
            return f"Stalled: {step.lower()} is long overdue. Record it to carry on"
        return step
    return {Status.IN_SUPPORT: "Support sessions until the next review",
            Status.IN_WORK: "In work until the next check"}.get(Status(view["status"]),
                                                                "Nothing for you yet")


# What the outbox asks of a coach, in their words.
# The coach's task words and how a task names an undelivered message: declared with each kind.
TASK_WORDS = {k: m.task for k, m in KINDS.items() if m.task}
UNDELIVERED_WORDS = {k: m.called for k, m in KINDS.items() if m.called}


# A patient whose needs rule out a phone call (a BSL user, text relay, ...): their coach's
# tasks never say to ring them. The words' ways of reaching them are replaced by this.
_BY_PHONE = re.compile(r" \((they chose a phone call( or letters)?|letter or phone)\)|"
                       r": call or write to them")
IN_WRITING = ". Write to them (text, email or letter): they cannot take a phone call"


def task_words(note: OutboxRow, needs: tuple[CommunicationNeed, ...] = ()) -> str:
    """What the task asks; for an undelivered message, which one (its kind is in the key); for
    an interpreter, who for when (from the needs read for the page); for a patient who cannot
    take a phone call, to write to them."""
    words = TASK_WORDS[note.kind]
    failed = note.notification_id.split(":")[1:2]
    what = next((w for kind, w in UNDELIVERED_WORDS.items() if [str(kind)] == failed),
                "a message")
    interpreter = interpreters_wanted(needs)
    when = dates.long_when(note.about) if "{when}" in words else ""
    said = words.format(what=what, interpreter=interpreter, when=when)
    if no_phone_calls(str(n.need) for n in needs):
        said = _BY_PHONE.sub("", said) + IN_WRITING
    return said[:1].upper() + said[1:]


@dataclass(frozen=True)
class Task:
    referral_id: str
    patient: str
    what: str
    since: datetime
    notification_id: str = ""

    @property
    def arranges_interpreter(self) -> bool:
        """Done only by recording the interpreter arranged (which sends the confirmation it
        holds), never by "Done" alone."""
        return self.notification_id.partition(":")[0] in ARRANGING_INTERPRETER


def needs_of(personal: PersonalData | None) -> tuple[CommunicationNeed, ...]:
    """The needs a page flags, from the details it read (and audited) for the patient."""
    return personal.patient.communication_needs if personal else ()


def patient_name(personal: PersonalData | None) -> str:
    if personal is None:
        return "Personal data erased"
    return f"{personal.patient.given_name} {personal.patient.family_name}".strip() or \
        "Personal data erased"


def tasks(notes: list[OutboxRow], personal: dict[str, PersonalData]) -> list[Task]:
    """Messages the coach gives by hand and chasers for them, newest first: the coach's task
    rows from the outbox (one Query), named with the patients read for the page."""
    found = [Task(note.referral_id, patient_name(personal.get(note.referral_id)),
                  task_words(note, needs_of(personal.get(note.referral_id))),
                  _parse(str(note.sent_at)), note.notification_id)
             for note in notes if note.state == State.SENT]
    return sorted(found, key=lambda t: t.since, reverse=True)


def rows(coach: Principal, items: list[Referral], personal: dict[str, PersonalData],
         settings: Settings) -> list[Row]:
    """The page's referrals as rows, those waiting for the coach first, soonest due first."""
    from workingbetter.services.steps import outcome_opens

    found: list[Row] = []
    today = datetime.now(UTC).date()
    for item in items:
        view = referral_view(coach, item, personal.get(item.referral_id))
        # A past appointment whose outcome is recorded is no longer news on the caseload.
        appointment = item.appointment if item.appointment and \
            item.appointment.outcome is None else None
        awaiting = view.get("awaiting")
        found.append(Row(
            referral_id=view["referral_id"], patient=patient_name(personal.get(
                item.referral_id)),
            nhs_number=(view.get("patient") or {}).get("nhs_number", ""),
            status=view["status"], awaiting=awaiting, next_step=next_step(view),
            due=due(view, settings),
            appointment=appointment.start if appointment else None,
            stalled=bool(view.get("stalled")),
            triage=triage_facts(item, personal.get(item.referral_id), today),
            outcome_from=outcome_opens(appointment) if appointment and
            awaiting == Awaiting.APPOINTMENT_OUTCOME else None,
            review_on=_last(view, f"awaiting_{Awaiting.REVIEW}")
            if awaiting == Awaiting.REVIEW else None,
            needs=needs_of(personal.get(item.referral_id)),
        ))
    found.sort(key=lambda r: (not r.waits_for_coach, r.due is None,
                             r.due.timestamp() if r.due else 0.0))
    return found


def after_triage(item: Referral, coach: Coach | None, place: Practice | None) -> str:
    """What became of a referral the coach has just decided at triage, and who has it now:
    by its reference and staff names only (the banner is seen with the caseload)."""
    ref = item.reference or "The referral"
    where = place.name if place else item.practice_ods
    if item.status is Status.REJECTED:
        return f"{ref} was not accepted: the practice is told why"
    if item.status is Status.WAITLISTED:
        return (f"{ref} is on the waiting list: no coach has a free place at {where}. "
                "It goes to the first coach with one.")
    if coach is not None and item.appointment is not None:
        return (f"{ref} is now with {coach.name or 'a coach'}; first appointment "
                f"{dates.long_when(item.appointment.start)} at {where}")
    if coach is not None:
        return f"{ref} is now with {coach.name or 'a coach'}; the first appointment is being booked"
    return f"{ref} was accepted: a coach with a free place is being found. Refresh to see who"
