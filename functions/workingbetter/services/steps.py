"""The human steps a coach records: triage decisions, appointment outcomes, reviews and
sustainment checks. Each is accepted only while the run waits for it (else 409), recorded on
the timeline, and handed to the run as enums (`{"next": ...}`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from workingbetter.adapters.dynamo import ConditionFailed, Event, Item, now_iso
from workingbetter.adapters.referral_codec import NO_CHANGE
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import Workflow, runs_of
from workingbetter.domain import dates, slots
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, NotFound
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.parsing import parse
from workingbetter.domain.records.case import CaseKey
from workingbetter.domain.records.referral import Appointment, JobFacts, Referral, ReferralChange
from workingbetter.domain.referral import ExitReason, Status

# The request models live with the step declarations (pure); named here for existing callers.
from workingbetter.domain.step_answers import REVIEW_EXITS as REVIEW_EXITS
from workingbetter.domain.step_answers import AppointmentOutcome as AppointmentOutcome
from workingbetter.domain.step_answers import Job as Job
from workingbetter.domain.step_answers import PayBand as PayBand
from workingbetter.domain.step_answers import Review as Review
from workingbetter.domain.step_answers import Sustainment as Sustainment
from workingbetter.domain.step_answers import TriageDecision as TriageDecision
from workingbetter.observability import count
from workingbetter.services import access
from workingbetter.services.resume import STALLED

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.lifecycle import Lifecycle
    from workingbetter.services.resume import Resumption
    from workingbetter.settings import Settings  # pydantic-settings: only when read

M = TypeVar("M", bound=BaseModel)
Record = Callable[["Steps", Principal, str, Any], Item]
# What each human step's answer means: the Steps method registered for it (`@answers`).
ANSWERS: dict[Awaiting, Record] = {}


def answers(awaiting: Awaiting) -> Callable[[Record], Record]:
    """Register the method that records a step's answer (its route comes from its
    declaration in domain/human_steps.py)."""
    def register(method: Record) -> Record:
        ANSWERS[awaiting] = method
        return method
    return register


def job_facts(job: Job) -> JobFacts:
    """The job as the referral keeps it (the outcome reports' facts): no employer."""
    return JobFacts(str(job.hours_per_week), job.start_date.isoformat(), job.pay_band,
                    job.self_employed)


# How a referral ends when in-work support ends at a sustainment check.
SUSTAINED = {26: ExitReason.JOB_SUSTAINED_26_WEEKS, 52: ExitReason.JOB_SUSTAINED_52_WEEKS}


def parse_body(model: type[M], body: Any) -> M:
    """A request body as the model, or 422 with field errors (never echoing what was sent)."""
    return parse(model, body, "The request has errors: nothing was recorded")


class Steps:
    def __init__(self, store: Store, workflow: Workflow, settings: Settings, notices: Notices,
                 lifecycle: Lifecycle, resumption: Resumption) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings
        self.notices = notices
        self.lifecycle = lifecycle
        self.resumption = resumption

    def at_my_practices(self, principal: Principal, referral_id: str) -> Referral | None:
        """A referral at one of the practices the coach works at (the one they have just
        decided at triage, say); None for any other."""
        principal.require(Role.COACH)
        coach = self.store.directory.coach(str(principal.coach_id))
        item = self.store.referrals.get(referral_id) if 0 < len(referral_id) <= 100 else None
        if coach is None or item is None or item.practice_ods not in coach.practices:
            return None
        return item

    def _waiting(self, principal: Principal, referral_id: str, step: Awaiting) -> Referral:
        """Who may act, then whether the run waits for this step: both before the body is
        read, so that nobody learns anything from validation they are not allowed to see."""
        principal.require(Role.COACH)
        item = self.store.referrals.get(referral_id)
        if item is None or not self._coach_may_act(principal, item, step):
            raise NotFound("No referral with that id is in your caseload")
        status = item.status
        if status.terminal:
            raise Conflict(f"This referral has ended ({status}): nothing more can be recorded")
        waiting = item.awaiting
        if waiting != step:
            now = f"it is waiting for {waiting}" if waiting else "it is not waiting for anyone"
            raise Conflict(f"The referral is not waiting for {step}: {now}")
        if not item.task_token and item.attention != STALLED:
            raise Conflict(f"The referral's {step} is being chased at this moment: try again "
                           "in a minute")
        return item

    def _coach_may_act(self, principal: Principal, item: Referral, step: Awaiting) -> bool:
        return item.coach_id == principal.coach_id or (
            step is Awaiting.TRIAGE_DECISION and access.may_triage(self.store, principal, item)
        ) or (step is Awaiting.APPOINTMENT_OUTCOME and item.appointment is not None
              and item.appointment.coach_id == principal.coach_id)  # covering an absence

    def _answer(self, item: Referral, step: Awaiting, next_: str, event: Event,
                change: ReferralChange = NO_CHANGE,
                end_as: tuple[Status, ExitReason] | None = None,
                note: dict[str, Any] | None = None) -> Item:
        """Hand the answer to the run; free text goes to the personal-data store, never the
        timeline, so that erasure removes it and ops never see it. The note is written first
        and taken back if the answer does not land: a failed request changes nothing."""
        note_key = self.store.case.add_note(item.referral_id, {
            "at": now_iso(), "event": event.event, **note}) if note else None
        try:
            updated = self.lifecycle.answer(item, step, {"next": next_}, event, change=change,
                                            end_as=end_as)
        except ConditionFailed as error:
            self._take_back(note_key)
            raise Conflict("Someone else changed this referral at the same moment (it may "
                           "have been withdrawn): reload it and check") from error
        except Exception:
            self._take_back(note_key)
            raise
        notices = self.notices
        notices.step_answered(updated, str(step))
        if step is Awaiting.TRIAGE_DECISION and next_ == "allocate":
            notices.accepted(updated)
        if step is Awaiting.APPOINTMENT_OUTCOME:
            notices.appointment_over(updated, str(updated.appointment
                                                  and updated.appointment.outcome))
        count("HumanStepRecorded", step=str(step), next=next_)
        return {"referral_id": item.referral_id, "status": updated.status,
                "next": next_}

    def _take_back(self, note_key: CaseKey | None) -> None:
        if note_key is not None:
            self.store.case.remove(note_key)

    def retry_failed_step(self, principal: Principal, referral_id: str) -> Item:
        """Ops, once the cause of a failure is fixed: run the step that failed again, or
        start a new run where a stalled or failed run stopped (the same as resume)."""
        return self.resume(principal, referral_id)

    def resume(self, principal: Principal, referral_id: str) -> Item:
        """Ops pick up a referral that no run moves on: a failed step waiting for them is
        run again; a run that stalled or failed is followed by a new one where it stopped."""
        principal.require(Role.OPS)
        item = self.store.referrals.get(referral_id)
        if item is None:
            raise NotFound("No referral with that id")
        if item.status.terminal:
            raise Conflict(f"This referral has ended ({item.status}): nothing to resume")
        if self._run_is_going(item):
            if item.awaiting == Awaiting.OPS_RETRY and item.task_token:
                return self._answer(item, Awaiting.OPS_RETRY, "retry",
                                    Event("failed_step_retried", principal.actor))
            waiting = item.awaiting or "its next step"
            raise Conflict(f"This referral's run is going (waiting for {waiting}): there is "
                           "nothing to resume")
        try:
            self.resumption.resume(item, principal.actor)
        except ConditionFailed as error:
            raise Conflict("Someone else changed this referral at the same moment: reload it "
                           "and check") from error
        return {"referral_id": referral_id, "status": item.status, "next": "resume"}

    def _run_is_going(self, item: Referral) -> bool:
        run = self.workflow.describe(runs_of(item)[-1])
        return run is not None and run["status"] == "RUNNING"

    def record(self, principal: Principal, referral_id: str, awaiting: Awaiting,
               body: Any) -> Item:
        """Record the answer to the human step `awaiting`: what it means is its own method."""
        return ANSWERS[awaiting](self, principal, referral_id, body)

    @answers(Awaiting.TRIAGE_DECISION)
    def triage(self, principal: Principal, referral_id: str, body: Any) -> Item:
        item = self._waiting(principal, referral_id, Awaiting.TRIAGE_DECISION)
        decision = parse_body(TriageDecision, body)
        event = Event(f"triage_{decision.decision}ed", principal.actor)
        note = {"reason": decision.reason}
        if decision.decision == "accept":
            return self._answer(item, Awaiting.TRIAGE_DECISION, "allocate", event,
                                ReferralChange(status=Status.TRIAGE), note=note)
        return self._answer(item, Awaiting.TRIAGE_DECISION, "reject", event,
                            end_as=(Status.REJECTED, ExitReason.INELIGIBLE), note=note)

    @answers(Awaiting.APPOINTMENT_OUTCOME)
    def appointment_outcome(self, principal: Principal, referral_id: str, body: Any) -> Item:
        item = self._waiting(principal, referral_id, Awaiting.APPOINTMENT_OUTCOME)
        outcome = parse_body(AppointmentOutcome, body).outcome
        booked = item.appointment
        assert booked is not None, "a run awaits an outcome only of a booked appointment"
        self._appointment_has_come(booked, outcome)
        appointment = replace(booked, outcome=outcome)
        step = Awaiting.APPOINTMENT_OUTCOME
        if outcome == "attended":
            now = datetime.now(UTC)
            ends = now + timedelta(
                seconds=self.settings.seconds(self.settings.support_period_days))
            return self._answer(item, step, "support",
                                Event("first_appointment_attended", principal.actor),
                                ReferralChange(status=Status.IN_SUPPORT, appointment=appointment,
                                               missed_in_a_row=0,
                                               support_started_at=slots.iso(now),
                                               support_ends_at=slots.iso(ends)))
        if outcome == "cancelled":
            self.store.diary.free_slots(booked.with_coach(str(item.coach_id)), booked.held,
                                  referral_id)
            return self._answer(item, step, "rebook",
                                Event("appointment_cancelled_rebooking", principal.actor),
                                ReferralChange(appointment=appointment))
        missed = item.missed_in_a_row + 1
        fields = ReferralChange(appointment=appointment, missed_in_a_row=missed)
        if missed >= self.settings.max_missed_appointments:
            return self._answer(item, step, "exit",
                                Event("did_not_attend_exit", principal.actor,
                                      {"missed_in_a_row": missed}), fields,
                                end_as=(Status.EXITED, ExitReason.DISENGAGED))
        # IPS assertive outreach: no discharge for a missed appointment; reach out, rebook.
        return self._answer(item, step, "rebook",
                            Event("did_not_attend_outreach", principal.actor,
                                  {"missed_in_a_row": missed}), fields)

    @staticmethod
    def _appointment_has_come(appointment: Appointment, outcome: str) -> None:
        """Whether someone came can only be known once the appointment has started; a
        cancellation can be recorded at any time."""
        if outcome == "cancelled":
            return
        if datetime.now(UTC) < outcome_opens(appointment):
            raise Conflict("The appointment has not happened yet: it is on "
                           f"{dates.long_when(appointment.start)}. Record whether the "
                           "patient came once it has started (a cancellation can be recorded "
                           "now).")

    @answers(Awaiting.REVIEW)
    def review(self, principal: Principal, referral_id: str, body: Any) -> Item:
        item = self._waiting(principal, referral_id, Awaiting.REVIEW)
        review = parse_body(Review, body)
        step = Awaiting.REVIEW
        fields, note, detail = _review_record(item, review)
        if review.decision == "job_start":
            if item.status == Status.IN_WORK:
                raise Conflict("The patient is already in work: record a job that ended as an "
                               "exit (job ended) before a new job start")
            assert review.job is not None
            fields = fields.merged(ReferralChange(
                status=Status.IN_WORK, job=job_facts(review.job),
                job_started_at=slots.iso(datetime.now(UTC))))
            note.update({k: v for k, v in {"employer": review.job.employer,
                                           "role": review.job.role}.items() if v})
            return self._answer(item, step, "in_work",
                                Event("job_started", principal.actor, detail), fields,
                                note=note)
        if review.decision == "exit":
            assert review.exit_reason is not None
            return self._answer(item, step, "exit", Event("review_exit", principal.actor, detail),
                                fields, end_as=(Status.EXITED, review.exit_reason), note=note)
        event = "review_continue"
        if _support_year_reached(item):
            # Support is time-unlimited (IPS): a year in, coach and patient agree to go on,
            # and the next prompt comes a year later.
            ends = slots.parse_iso(str(item.support_ends_at)) + timedelta(
                seconds=self.settings.seconds(self.settings.support_period_days))
            fields = fields.merged(ReferralChange(support_ends_at=slots.iso(ends)))
            event = "support_goes_on_past_a_year"
        return self._answer(item, step, "renew" if self._run_nearly_over(item) else "review",
                            Event(event, principal.actor, detail), fields, note=note)

    def _run_nearly_over(self, item: Referral) -> bool:
        """Whether the next review, chased to the last, could outlive this run's year: then
        support goes on in a new run."""
        run = self.workflow.describe(runs_of(item)[-1])
        if run is None:
            return False
        s = self.settings
        wait = s.seconds(s.review_interval_days) + \
            (1 + s.max_chases) * s.seconds(s.review_response_days)
        ends = run["started"] + timedelta(seconds=s.run_lifetime_seconds)
        return bool(datetime.now(UTC) + timedelta(seconds=wait) >= ends)

    @answers(Awaiting.SUSTAINMENT_CHECK)
    def sustainment(self, principal: Principal, referral_id: str, body: Any) -> Item:
        item = self._waiting(principal, referral_id, Awaiting.SUSTAINMENT_CHECK)
        check = parse_body(Sustainment, body)
        week = item.sustainment_week
        assert week is not None, "a run awaits a sustainment check at a week"
        step = Awaiting.SUSTAINMENT_CHECK
        if not check.still_in_work:
            return self._answer(item, step, "exit",
                                Event(f"job_ended_before_week_{week}", principal.actor),
                                end_as=(Status.EXITED, ExitReason.JOB_ENDED))
        reached = Event(f"in_work_{week}_weeks", principal.actor)
        if check.end_support:
            reason = SUSTAINED.get(week, ExitReason.IN_WORK_SUPPORT_ENDED)
            return self._answer(item, step, "exit", reached, end_as=(Status.EXITED, reason))
        return self._answer(item, step, "sustain", reached)


def outcome_opens(appointment: Appointment) -> datetime:
    """From when whether someone came can be recorded: the appointment's start (on the real
    clock: `due_at`, where the service clock is compressed). The pages offer the outcome's
    form from then, and the step refuses it before."""
    return slots.parse_iso(appointment.due_at or appointment.start)


def _review_record(item: Referral, review: Review) -> tuple[ReferralChange, dict[str, Any],
                                                         dict[str, Any]]:
    """What a review adds to the referral (counts and dates), to the coach's notes (free
    text, personal-data store) and to the timeline (a count)."""
    contacts = item.employer_contacts + review.employer_contacts
    fields = ReferralChange(employer_contacts=contacts,
                            reviews_done=item.reviews_done + 1)
    if item.first_employer_contact_at is None and review.employer_contacts:
        fields = fields.merged(ReferralChange(
            first_employer_contact_at=slots.iso(datetime.now(UTC))))
    note: dict[str, Any] = {k: v for k, v in {"goals": review.goals,
                                              "confidence": review.confidence}.items()
                            if v is not None}
    return fields, note, {"employer_contacts": review.employer_contacts}


def _support_year_reached(item: Referral) -> bool:
    ends = item.support_ends_at
    return item.status == Status.IN_SUPPORT and bool(ends) and \
        slots.parse_iso(str(ends)) <= datetime.now(UTC)
