"""What to send, decided as the pathway moves: each function schedules (or cancels) rows in the
outbox for one event in a referral's life. Times are worked out on the service clock (a UK
calendar) and mapped onto the real clock by the settings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from workingbetter.adapters.store import Store
from workingbetter.domain import human_steps, slots, working_days
from workingbetter.domain.communication_needs import needs_interpreter
from workingbetter.domain.notification_kinds import (
    AFTER_THE_END,
    ARRANGING_INTERPRETER,
    Channel,
    Kind,
    patient_channel,
)
from workingbetter.domain.records import Referral
from workingbetter.notifications.outbox import Notice, Outbox

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read

REMINDER_LEAD = timedelta(days=1)
CHASE_AFTER = timedelta(days=3)
ACKNOWLEDGE_WITHIN_WORKING_DAYS = 2
END_OF_SESSION_DAY = time(17, 30)


class Notices:
    def __init__(self, outbox: Outbox, settings: Settings) -> None:
        self.outbox = outbox
        self.settings = settings

    @classmethod
    def of(cls, store: Store, settings: Settings) -> Notices:
        return cls(Outbox(store), settings)

    def _at(self, referral_id: str, kind: Kind, channel: Channel, service_due: datetime,
            key: str = "", now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        real = self.settings.on_real_clock(max(service_due, now), now)
        self.outbox.schedule(Notice(referral_id, kind, channel, slots.iso(real),
                                    slots.iso(service_due), key))

    def _now(self, referral_id: str, kind: Kind, channel: Channel, key: str = "") -> None:
        self._at(referral_id, kind, channel, datetime.now(UTC), key)

    @staticmethod
    def _patients(item: Referral, kind: Kind) -> Channel:
        """The patient's channel for this kind: one with a template that suits their needs, or
        their coach's task."""
        return patient_channel(kind, item.contact_preference, item.need_kinds)

    def _practice(self, item: Referral, kind: Kind) -> None:
        if item.share_outcome_with_gp:  # only if the patient agreed
            self._now(item.referral_id, kind, Channel.PRACTICE_EMAIL)

    # -- intake and triage -----------------------------------------------------------------

    def received(self, item: Referral) -> None:
        created = slots.parse_iso(item.created_at[:19] + "Z")
        limit = working_days.add_working_days(created.astimezone(slots.UK),
                                              ACKNOWLEDGE_WITHIN_WORKING_DAYS)
        self._at(item.referral_id, Kind.OPS_NOT_ACKNOWLEDGED, Channel.OPS_ALERT,
                 limit.astimezone(UTC))

    def accepted(self, item: Referral) -> None:
        """Triage accepted it (by the rules or a coach): acknowledged, and the GP told."""
        self.outbox.cancel(item.referral_id, [Kind.OPS_NOT_ACKNOWLEDGED])
        self._practice(item, Kind.PRACTICE_ACCEPTED)

    # -- appointments ----------------------------------------------------------------------

    def booked(self, item: Referral, start_iso: str) -> None:
        """The patient is told of their appointment at once; or, when they need an
        interpreter, once their coach has arranged one (`interpreter_arranged`): the coach's
        task now, and a chase a few working days before the day if it is still not done."""
        if needs_interpreter(item.need_kinds) and item.interpreter_arranged != start_iso:
            self._arrange_interpreter(item, start_iso)
        else:
            self._now(item.referral_id, Kind.APPOINTMENT_CONFIRMATION,
                      self._patients(item, Kind.APPOINTMENT_CONFIRMATION), start_iso)
        self._first_appointment_due(item, start_iso)

    def interpreter_needed(self, item: Referral, start_iso: str) -> None:
        """An interpreter need recorded after the appointment was booked (and the patient
        told): the coach's task to arrange one, and its chase."""
        self._arrange_interpreter(item, start_iso)

    def _arrange_interpreter(self, item: Referral, start_iso: str) -> None:
        self._now(item.referral_id, Kind.COACH_ARRANGE_INTERPRETER, Channel.COACH_TASK,
                  start_iso)
        day = slots.parse_iso(start_iso).astimezone(slots.UK)
        chase = working_days.working_days_before(
            day, self.settings.interpreter_chase_working_days)
        self._at(item.referral_id, Kind.COACH_INTERPRETER_NOT_ARRANGED, Channel.COACH_TASK,
                 chase.astimezone(UTC), start_iso)

    def interpreter_arranged(self, item: Referral, start_iso: str) -> None:
        """The coach arranged the interpreter: their task done, no chase, and the patient told
        of the appointment (once: the confirmation's key is the appointment's start)."""
        self.outbox.cancel(item.referral_id, ARRANGING_INTERPRETER)
        self.outbox.clear_tasks(item.referral_id, ARRANGING_INTERPRETER)
        self._now(item.referral_id, Kind.APPOINTMENT_CONFIRMATION,
                  self._patients(item, Kind.APPOINTMENT_CONFIRMATION), start_iso)

    def _first_appointment_due(self, item: Referral, start_iso: str) -> None:
        """The day before, a reminder; at the session's end, the coach's outcome task."""
        start = slots.parse_iso(start_iso)
        self._at(item.referral_id, Kind.APPOINTMENT_REMINDER,
                 self._patients(item, Kind.APPOINTMENT_REMINDER), start - REMINDER_LEAD,
                 start_iso)
        session_end = datetime.combine(start.astimezone(slots.UK).date(), END_OF_SESSION_DAY,
                                       tzinfo=slots.UK).astimezone(UTC)
        self._at(item.referral_id, Kind.COACH_OUTCOME_NOT_RECORDED, Channel.COACH_TASK,
                 session_end, start_iso)

    def moved(self, item: Referral, start_iso: str, first: bool) -> None:
        """An appointment moved off the days its coach is away: the patient told at once (by
        their channel, keyed by the new time), and reminded as for any appointment. A first
        appointment's reminder and outcome task follow it; a follow-up's come with its
        booking (`follow_up_booked`)."""
        moved = Kind.APPOINTMENT_MOVED
        self._now(item.referral_id, moved, self._patients(item, moved), start_iso)
        if first:
            self._first_appointment_due(item, start_iso)
            if needs_interpreter(item.need_kinds):  # arranged for the old time: again
                self.outbox.clear_tasks(item.referral_id, [Kind.COACH_ARRANGE_INTERPRETER])
                self._arrange_interpreter(item, start_iso)

    def new_coach(self, item: Referral, moved_at: datetime) -> None:
        """A manager moved the referral to another coach: the patient told who (keyed by the
        coach and the moment, so that a later move tells them again)."""
        kind = Kind.APPOINTMENT_NEW_COACH
        self._now(item.referral_id, kind, self._patients(item, kind),
                  f"{item.coach_id}.{int(moved_at.timestamp())}")

    def waitlisted_again(self, item: Referral) -> None:
        """Their coach left and no other had a place: they wait for one, and are told."""
        kind = Kind.APPOINTMENT_COACH_LEFT
        self._now(item.referral_id, kind, self._patients(item, kind),
                  str(int(datetime.now(UTC).timestamp())))

    def practice_left(self, item: Referral) -> None:
        """Their surgery left the pilot and the manager ended its referrals: the patient told
        that support has ended (sent after the ending, which cancels everything else)."""
        kind = Kind.APPOINTMENT_PRACTICE_LEFT
        self._now(item.referral_id, kind, self._patients(item, kind))

    def appointment_over(self, item: Referral, outcome: str) -> None:
        """The outcome is in: no more reminders or chasers for that appointment."""
        over = [Kind.APPOINTMENT_CONFIRMATION, Kind.APPOINTMENT_REMINDER,
                Kind.COACH_OUTCOME_NOT_RECORDED, *ARRANGING_INTERPRETER]
        self.outbox.cancel(item.referral_id, over[1:])
        self.outbox.clear_tasks(item.referral_id, over)  # told, reminded, recorded: done
        if outcome == "attended":
            self._practice(item, Kind.PRACTICE_FIRST_ATTENDED)

    # -- follow-up appointments (booked by the coach, beside the run) ----------------------

    def follow_up_booked(self, item: Referral, start_iso: str, follow_up_id: str) -> None:
        reminder = Kind.APPOINTMENT_FOLLOW_UP_REMINDER
        self._at(item.referral_id, reminder, self._patients(item, reminder),
                 slots.parse_iso(start_iso) - REMINDER_LEAD, follow_up_id)

    def follow_up_over(self, item: Referral, follow_up_id: str, outcome: str) -> None:
        """No reminder for a follow-up that is over; a missed one is followed up twice: a
        message to the patient and a call or letter from the coach (assertive outreach)."""
        reminder = Kind.APPOINTMENT_FOLLOW_UP_REMINDER
        self.outbox.cancel_one(item.referral_id, f"{reminder}:{follow_up_id}")
        self.outbox.clear_tasks(item.referral_id, [reminder], follow_up_id)
        if outcome == "did_not_attend":
            missed = Kind.APPOINTMENT_FOLLOW_UP_MISSED
            self._now(item.referral_id, missed, self._patients(item, missed), follow_up_id)
            self._now(item.referral_id, Kind.COACH_FOLLOW_UP_OUTREACH, Channel.COACH_TASK,
                      follow_up_id)
    def patient_asks(self, item: Referral, kind: Kind, asked_at: str) -> None:
        """The patient asked, from their page, to change or cancel: a task for their coach."""
        self._now(item.referral_id, kind, Channel.COACH_TASK, asked_at)

    # -- reviews and in-work checks --------------------------------------------------------

    def step_due(self, item: Referral, awaiting: str, since_iso: str) -> None:
        kind = human_steps.chase_of(awaiting).coach_task
        if kind is None:
            return
        # The step has just fallen due: chase the coach three service days on, or if that is
        # a weekend or a bank holiday, at the same time on the next working day (the coach is
        # not at work to act on it). Messages tied to an appointment's time are not moved.
        chase = slots.parse_iso(since_iso).astimezone(slots.UK) + CHASE_AFTER
        self._at(item.referral_id, kind, Channel.COACH_TASK,
                 working_days.on_a_working_day(chase).astimezone(UTC), key=since_iso)

    def step_answered(self, item: Referral, awaiting: str) -> None:
        chasers = human_steps.coach_chasers()
        self.outbox.cancel(item.referral_id, chasers)
        # A chaser already on the coach's list is done with too: the step is answered.
        self.outbox.clear_tasks(item.referral_id, chasers)
        alert = human_steps.chase_of(awaiting).ops_alert
        if alert is not None:
            self.outbox.cancel(item.referral_id, [alert])

    def undelivered(self, referral_id: str, notification_id: str) -> None:
        """Notify could not deliver a message to the patient: their coach reaches them another
        way (a task on their list). Safe to repeat: one task per message."""
        self._now(referral_id, Kind.COACH_MESSAGE_UNDELIVERED, Channel.COACH_TASK,
                  notification_id)

    # -- ops -------------------------------------------------------------------------------

    def overdue(self, item: Referral, awaiting: str, chase: int) -> None:
        kind = human_steps.chase_of(awaiting).ops_alert
        if kind is not None:
            self._now(item.referral_id, kind, Channel.OPS_ALERT, f"chase-{chase}")

    def run_failed(self, referral_id: str, attention: str) -> None:
        self._now(referral_id, Kind.OPS_RUN_FAILED, Channel.OPS_ALERT, attention)

    def capacity_repaired(self, referral_id: str, coach_id: str) -> None:
        self._now(referral_id, Kind.OPS_CAPACITY_REPAIRED, Channel.OPS_ALERT,
                  f"{coach_id}-{slots.iso(datetime.now(UTC))[:10]}")

    def sending_failed(self, referral_id: str, notification_id: str) -> None:
        self._now(referral_id, Kind.OPS_NOTIFICATION_FAILED, Channel.OPS_ALERT,
                  notification_id)

    # -- the end ---------------------------------------------------------------------------

    def ended(self, item: Referral) -> None:
        """Nothing more goes to the patient or coach; the GP hears how it ended (if agreed)."""
        self.outbox.cancel(item.referral_id, keep=AFTER_THE_END)
        self._practice(item, Kind.PRACTICE_ENDED)
