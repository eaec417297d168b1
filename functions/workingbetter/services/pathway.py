"""What the workflow's task functions do: triage, allocate, book, wait for people, chase.

Each step re-reads the referral first and refuses to act on one that has ended, which closes
the race with a withdrawal. Each step is safe to retry: a repeat finds its own earlier work.
Inputs and outputs are ids, enums and numbers only.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import ConditionFailed, Event
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import WITHDRAWN_ERROR, Workflow
from workingbetter.domain import slots
from workingbetter.domain.communication_needs import Need
from workingbetter.domain.errors import ReferralWithdrawn, TaskRefused
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.referral import Appointment, Referral, ReferralChange
from workingbetter.domain.referral import ExitReason, Status
from workingbetter.domain.triage import AgeBand, TriageFacts, TriageRoute, decide
from workingbetter.observability import count
from workingbetter.services import diary_slots, resume

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.lifecycle import Lifecycle
    from workingbetter.settings import Settings  # pydantic-settings: only when read

SYSTEM = "system"


def next_phase(item: Referral) -> str:
    """Where support goes on: the in-work checks after a job start, the 52-week check after
    26 weeks in work, and otherwise reviews (in support, or in work after 52 weeks)."""
    if item.status == Status.IN_WORK:
        week = item.sustainment_week
        if week is None:
            return "in_work"
        if int(week) == 26:
            return "in_work_52"
    return "support"


def _end_of_day(start_iso: str) -> datetime:
    local = slots.parse_iso(start_iso).astimezone(slots.UK)
    return datetime.combine(local.date(), time(23, 59), tzinfo=slots.UK).astimezone(UTC)


class Pathway:
    """The workflow's task functions (handlers/tasks.py calls each). Built once, by wiring."""

    def __init__(self, store: Store, workflow: Workflow, settings: Settings, notices: Notices,
                 lifecycle: Lifecycle) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings
        self.notices = notices
        self.lifecycle = lifecycle

    def _read(self, referral_id: str) -> Referral:
        item = self.store.referrals.get(referral_id)
        if item is None:
            raise TaskRefused("referral not found")
        return item

    def _live(self, referral_id: str) -> Referral:
        item = self._read(referral_id)
        if item.status.terminal:
            raise ReferralWithdrawn("referral has ended")
        return item

    def triage(self, referral_id: str) -> dict[str, Any]:
        item = self._live(referral_id)
        if item.triage_facts is None:
            raise TaskRefused("referral has no triage facts")
        facts = TriageFacts(age_band=AgeBand(item.triage_facts.age_band),
                            only_other_condition=item.triage_facts.only_other_condition)
        route = decide(facts)
        status = item.status
        if status is Status.RECEIVED:
            try:
                self.store.referrals.update(referral_id, Event("triage_started", SYSTEM),
                                            ReferralChange(status=Status.TRIAGE),
                                            only_if_status=[Status.RECEIVED])
            except ConditionFailed:
                self._live(referral_id)  # a withdrawal won; otherwise a retry already moved it
        if route is TriageRoute.REJECT and status in {Status.RECEIVED, Status.TRIAGE}:
            try:
                self.lifecycle.finish(referral_id, Status.REJECTED,
                                      Event("triage_rejected", SYSTEM, {"rule": "age_16_to_66"}),
                                      exit_reason=ExitReason.INELIGIBLE,
                                      offer_places=False)
            except ConditionFailed as error:
                raise ReferralWithdrawn("referral has ended") from error
        if route is TriageRoute.ACCEPT and status in {Status.RECEIVED, Status.TRIAGE}:
            self.notices.accepted(item)
        count("TriageRoute", route=str(route))
        return {"route": str(route), "timers": self.settings.timers()}

    def allocate(self, referral_id: str) -> dict[str, Any]:
        """Give the referral a place with the least-loaded coach at its practice, if any is free."""
        item = self._live(referral_id)
        if item.coach_id:
            return {"allocated": True}  # a retry after the write landed
        practice = self.store.directory.practice(item.practice_ods)
        if practice is None:
            raise TaskRefused("practice not found")
        # consistent reads
        coaches = [self.store.directory.coach(coach_id) for coach_id in practice.coach_ids]
        for coach in sorted((c for c in coaches if c and not c.left), key=lambda c: c.active):
            cap = coach.cap(self.settings.caseload_cap)  # their own: scaled by the days they work
            if coach.active >= cap:
                continue
            try:
                self.store.capacity.allocate(
                    item, coach.coach_id, cap,
                    Event("coach_allocated", SYSTEM, {"coach_id": coach.coach_id}))
                return {"allocated": True}
            except ConditionFailed:
                again = self._live(referral_id)
                if again.coach_id:
                    return {"allocated": True}
                # That coach filled up meanwhile (or the referral is not allocatable): try the next.
        return {"allocated": False}

    def book(self, referral_id: str) -> dict[str, Any]:
        """Book the next free slot in the coach's sessions at the referral's practice; returns the
        outcome time limit."""
        item = self._live(referral_id)
        coach_id = item.coach_id
        if not coach_id:
            raise TaskRefused("no coach allocated")
        now = datetime.now(UTC)
        current = item.appointment
        if current and not current.outcome:
            start_iso = current.start  # a retry after the booking landed
        else:
            coach = self.store.directory.coach(coach_id)
            assert coach is not None
            # A rebooking after a missed or cancelled appointment goes to a later session.
            after = now if not current else max(now, _end_of_day(current.start))
            # A longer appointment (a communication need) holds two slots of the session.
            longer = Need.LONGER_APPOINTMENT in item.need_kinds
            held = diary_slots.hold_next_run(self.store, coach, item.practice_ods, referral_id,
                                             after, 2 if longer else 1)
            start_iso = held[0]
            # When the appointment comes round on the real clock (the same instant in production,
            # sooner on a compressed clock): no attendance can be recorded before it.
            due_at = slots.iso(self.settings.on_real_clock(slots.parse_iso(start_iso), now))
            appointment = Appointment(start_iso, item.practice_ods,
                                      item.appointments_booked + 1, due_at,
                                      also=held[1] if len(held) > 1 else None)
            try:
                self.store.referrals.update(
                    referral_id,
                    Event("appointment_booked", SYSTEM, {"start": start_iso}),
                    ReferralChange(appointment=appointment, status=Status.APPOINTMENT_BOOKED,
                                   appointments_booked=appointment.number),
                )
            except ConditionFailed as error:
                self.store.diary.free_slots(coach_id, held, referral_id)
                raise ReferralWithdrawn("referral has ended") from error
            if longer:
                self.store.referrals.needs_met(referral_id, [str(Need.LONGER_APPOINTMENT)])
            self.notices.booked(item, start_iso)
        return {"outcome_timeout": resume.outcome_timeout(self.settings, start_iso)}

    def continue_in_new_run(self, referral_id: str, parent: str,
                            plan: dict[str, Any]) -> dict[str, Any]:
        """Support goes on in a new run, as one Standard execution may last a year at most. Safe
        to retry: the new run's name follows from the run handing over.

        A withdrawal may land while the run starts: it stops every run it can see, and this
        looks again once the run exists, so that no run outlasts its referral either way."""
        item = self._live(referral_id)
        name = self.workflow.continue_in_new_run(referral_id, parent, next_phase(item), plan)
        self.store.referrals.add_run(referral_id, name)
        if self._read(referral_id).status.terminal:
            self.workflow.stop(name, WITHDRAWN_ERROR)
            raise ReferralWithdrawn("referral has ended")
        return {"run": name}

    def await_step(self, referral_id: str, awaiting: Awaiting, token: str,
                   check: int | None = None) -> dict[str, Any]:
        """Park the run on a human step: store its task token with the referral. The timeline
        says so once per step: parking on the same step again (a retry whose answer was lost,
        after a chase, on a resume) only refreshes the token."""
        item = self._live(referral_id)
        if item.task_token == token:
            return {}
        again = item.awaiting == str(awaiting)
        since = None if again else slots.iso(datetime.now(UTC))
        change = ReferralChange(awaiting=awaiting, task_token=token)
        if since is not None:
            change = change.merged(ReferralChange(chases=0, awaiting_since=since))
        if check is not None:
            change = change.merged(ReferralChange(sustainment_week=check))
        if awaiting is Awaiting.TRIAGE_DECISION:
            change = change.merged(ReferralChange(status=Status.AWAITING_TRIAGE_DECISION))
        if awaiting is Awaiting.CAPACITY:
            change = change.merged(ReferralChange(status=Status.WAITLISTED,
                                                  waitlist=item.practice_ods))
        event = None if again else Event(f"awaiting_{awaiting}", SYSTEM)
        try:
            self.store.referrals.update(referral_id, event, change)
        except ConditionFailed as error:
            raise ReferralWithdrawn("referral has ended") from error
        if since is not None:  # a new step, not the same one again after a chase
            self.notices.step_due(item, str(awaiting), since)
        if awaiting is Awaiting.CAPACITY:
            # A place freed after the allocation found none, and before this referral was on the
            # waitlist, found nobody to go to: it goes to the longest waiter now (maybe this one).
            self.lifecycle.pass_on_free_place(item.practice_ods)
        return {}

    def chase(self, referral_id: str) -> dict[str, Any]:
        """A human step ran past its time limit: flag it for ops, chase, and say where to go back.
        The chase is written only while the step still waits on the token it read: an answer that
        lands between the read and the write is carried on, not waited for again."""
        for _ in range(5):
            item = self._live(referral_id)
            awaiting = item.awaiting
            answered = item.last_answer
            if awaiting is None and answered:
                # Answered at the moment the time limit fired: carry on from the recorded answer.
                return {"back_to": resume.wait_of(answered.awaiting, item).answered,
                        "exhausted": False,
                        "next": answered.output.get("next")}
            chases = item.chases + 1
            try:
                self.store.referrals.update(
                    referral_id,
                    Event("overdue_chased", SYSTEM, {"awaiting": awaiting, "chase": chases}),
                    ReferralChange(chases=chases, attention=f"overdue_{awaiting}", task_token=None),
                    only_if=ReferralChange(awaiting=awaiting, task_token=item.task_token),
                )
            except ConditionFailed:
                continue  # answered or withdrawn since it was read: read it again
            self.notices.overdue(item, str(awaiting), chases)
            return {"back_to": resume.step_name(str(awaiting), item),
                    "exhausted": chases > self.settings.max_chases, "next": None}
        raise TaskRefused("the referral kept changing while its step was chased")

    def needs_ops(self, referral_id: str, reason: str,
                  failed_at: str | None = None) -> dict[str, Any]:
        """The run cannot go on by itself: mark the referral so ops see it (status unchanged),
        with the task it failed at, so that a resume starts there. A place it was offered but
        could not take passes to the next in line."""
        change = ReferralChange(attention=reason, task_token=None)
        if failed_at:
            change = change.merged(ReferralChange(failed_at=failed_at))
        try:
            item = self.store.referrals.update(
                referral_id, Event("needs_ops_attention", SYSTEM, {"reason": reason}), change)
        except ConditionFailed:
            return {"failed_at": failed_at}  # ended meanwhile: nothing left to flag
        self.notices.run_failed(referral_id, reason)
        if not item.coach_id:
            self.lifecycle.pass_on_free_place(item.practice_ods)
        return {"failed_at": failed_at}  # the run routes its ops retry by it
