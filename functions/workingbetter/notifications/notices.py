"""What to send, decided as the pathway moves: each function schedules (or cancels) rows in the
outbox for one event in a referral's life. Times are worked out on the service clock (a UK
calendar) and mapped onto the real clock by the settings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from workingbetter.adapters.outbox import Notice, Outbox
from workingbetter.domain import human_steps, slots, working_days
from workingbetter.domain.channels import Channel
from workingbetter.domain.communication_needs import needs_interpreter
from workingbetter.domain.notification_kinds import (
    AFTER_THE_END,
    ARRANGING_INTERPRETER,
    Audience,
    Due,
    Kind,
)
from workingbetter.domain.patient_channel import patient_channel
from workingbetter.domain.records.referral import Referral

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

    def _send(self, kind: Kind, about: Referral | str, key: str = "",
              at: datetime | None = None) -> None:
        """Schedule a message of this kind as its declaration says: by its audience's channel
        (the patient's own, read from their referral), due when its `Due` falls from `at`
        (the event's moment: an appointment's start, a step's due time; now if not given)."""
        referral_id = about if isinstance(about, str) else about.referral_id
        now = datetime.now(UTC)
        service_due = self._due(kind, at, now)
        real = self.settings.on_real_clock(max(service_due, now), now)
        self.outbox.schedule(Notice(referral_id, kind, self._channel(kind, about),
                                    slots.iso(real), slots.iso(service_due), key))

    def _channel(self, kind: Kind, about: Referral | str) -> Channel:
        audience = kind.audience
        if audience is Audience.PATIENT:
            assert not isinstance(about, str), "a patient's channel is read off their referral"
            return patient_channel(kind, about.contact_preference, about.need_kinds)
        return _CHANNEL[audience]

    def _due(self, kind: Kind, at: datetime | None, now: datetime) -> datetime:
        moment = at or now
        match kind.declared.due:
            case Due.DAY_BEFORE:
                return moment - REMINDER_LEAD
            case Due.END_OF_SESSION_DAY:
                return datetime.combine(moment.astimezone(slots.UK).date(), END_OF_SESSION_DAY,
                                        tzinfo=slots.UK).astimezone(UTC)
            case Due.AFTER_CHASE_DAYS:
                # Three service days on, or if that is a weekend or a bank holiday, at the same
                # time on the next working day (the coach is not at work to act on it).
                chase = moment.astimezone(slots.UK) + CHASE_AFTER
                return working_days.on_a_working_day(chase).astimezone(UTC)
            case Due.INTERPRETER_CHASE:
                return working_days.working_days_before(
                    moment.astimezone(slots.UK),
                    self.settings.interpreter_chase_working_days).astimezone(UTC)
            case Due.ACKNOWLEDGE_BY:
                return working_days.add_working_days(
                    moment.astimezone(slots.UK), ACKNOWLEDGE_WITHIN_WORKING_DAYS).astimezone(UTC)
        return now

    def _practice(self, item: Referral, kind: Kind) -> None:
        if item.share_outcome_with_gp:  # only if the patient agreed
            self._send(kind, item)

    # -- intake and triage -----------------------------------------------------------------

    def received(self, item: Referral) -> None:
        self._send(Kind.OPS_NOT_ACKNOWLEDGED, item.referral_id,
                   at=slots.parse_iso(item.created_at[:19] + "Z"))

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
            self._send(Kind.APPOINTMENT_CONFIRMATION, item, start_iso)
        self._first_appointment_due(item, start_iso)

    def interpreter_needed(self, item: Referral, start_iso: str) -> None:
        """An interpreter need recorded after the appointment was booked (and the patient
        told): the coach's task to arrange one, and its chase."""
        self._arrange_interpreter(item, start_iso)

    def _arrange_interpreter(self, item: Referral, start_iso: str) -> None:
        self._send(Kind.COACH_ARRANGE_INTERPRETER, item, start_iso)
        self._send(Kind.COACH_INTERPRETER_NOT_ARRANGED, item, start_iso,
                   slots.parse_iso(start_iso))

    def interpreter_arranged(self, item: Referral, start_iso: str) -> None:
        """The coach arranged the interpreter: their task done, no chase, and the patient told
        of the appointment (once: the confirmation's key is the appointment's start)."""
        self.outbox.cancel(item.referral_id, ARRANGING_INTERPRETER)
        self.outbox.clear_tasks(item.referral_id, ARRANGING_INTERPRETER)
        self._send(Kind.APPOINTMENT_CONFIRMATION, item, start_iso)

    def _first_appointment_due(self, item: Referral, start_iso: str) -> None:
        """The day before, a reminder; at the session's end, the coach's outcome task."""
        start = slots.parse_iso(start_iso)
        self._send(Kind.APPOINTMENT_REMINDER, item, start_iso, start)
        self._send(Kind.COACH_OUTCOME_NOT_RECORDED, item, start_iso, start)

    def moved(self, item: Referral, start_iso: str, first: bool) -> None:
        """An appointment moved off the days its coach is away: the patient told at once (by
        their channel, keyed by the new time), and reminded as for any appointment. A first
        appointment's reminder and outcome task follow it; a follow-up's come with its
        booking (`follow_up_booked`)."""
        self._send(Kind.APPOINTMENT_MOVED, item, start_iso)
        if first:
            self._first_appointment_due(item, start_iso)
            if needs_interpreter(item.need_kinds):  # arranged for the old time: again
                self.outbox.clear_tasks(item.referral_id, [Kind.COACH_ARRANGE_INTERPRETER])
                self._arrange_interpreter(item, start_iso)

    def new_coach(self, item: Referral, moved_at: datetime) -> None:
        """A manager moved the referral to another coach: the patient told who (keyed by the
        coach and the moment, so that a later move tells them again)."""
        self._send(Kind.APPOINTMENT_NEW_COACH, item,
                   f"{item.coach_id}.{int(moved_at.timestamp())}")

    def waitlisted_again(self, item: Referral) -> None:
        """Their coach left and no other had a place: they wait for one, and are told."""
        self._send(Kind.APPOINTMENT_COACH_LEFT, item, str(int(datetime.now(UTC).timestamp())))

    def practice_left(self, item: Referral) -> None:
        """Their surgery left the pilot and the manager ended its referrals: the patient told
        that support has ended (sent after the ending, which cancels everything else)."""
        self._send(Kind.APPOINTMENT_PRACTICE_LEFT, item)

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
        self._send(Kind.APPOINTMENT_FOLLOW_UP_REMINDER, item, follow_up_id,
                   slots.parse_iso(start_iso))

    def follow_up_over(self, item: Referral, follow_up_id: str, outcome: str) -> None:
        """No reminder for a follow-up that is over; a missed one is followed up twice: a
        message to the patient and a call or letter from the coach (assertive outreach)."""
        reminder = Kind.APPOINTMENT_FOLLOW_UP_REMINDER
        self.outbox.cancel_one(item.referral_id, f"{reminder}:{follow_up_id}")
        self.outbox.clear_tasks(item.referral_id, [reminder], follow_up_id)
        if outcome == "did_not_attend":
            self._send(Kind.APPOINTMENT_FOLLOW_UP_MISSED, item, follow_up_id)
            self._send(Kind.COACH_FOLLOW_UP_OUTREACH, item, follow_up_id)

    def patient_asks(self, item: Referral, kind: Kind, asked_at: str) -> None:
        """The patient asked, from their page, to change or cancel: a task for their coach."""
        self._send(kind, item, asked_at)

    # -- reviews and in-work checks --------------------------------------------------------

    def step_due(self, item: Referral, awaiting: str, since_iso: str) -> None:
        """The step has just fallen due: its coach's chaser, when it has one. Messages tied to
        an appointment's time are not moved."""
        kind = human_steps.chase_of(awaiting).coach_task
        if kind is not None:
            self._send(kind, item, since_iso, slots.parse_iso(since_iso))

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
        self._send(Kind.COACH_MESSAGE_UNDELIVERED, referral_id, notification_id)

    # -- ops -------------------------------------------------------------------------------

    def overdue(self, item: Referral, awaiting: str, chase: int) -> None:
        kind = human_steps.chase_of(awaiting).ops_alert
        if kind is not None:
            self._send(kind, item.referral_id, f"chase-{chase}")

    def run_failed(self, referral_id: str, attention: str) -> None:
        self._send(Kind.OPS_RUN_FAILED, referral_id, attention)

    def capacity_repaired(self, referral_id: str, coach_id: str) -> None:
        self._send(Kind.OPS_CAPACITY_REPAIRED, referral_id,
                   f"{coach_id}-{slots.iso(datetime.now(UTC))[:10]}")

    def sending_failed(self, referral_id: str, notification_id: str) -> None:
        self._send(Kind.OPS_NOTIFICATION_FAILED, referral_id, notification_id)

    # -- the end ---------------------------------------------------------------------------

    def ended(self, item: Referral) -> None:
        """Nothing more goes to the patient or coach; the GP hears how it ended (if agreed)."""
        self.outbox.cancel(item.referral_id, keep=AFTER_THE_END)
        self._practice(item, Kind.PRACTICE_ENDED)


_CHANNEL = {Audience.COACH: Channel.COACH_TASK, Audience.OPS: Channel.OPS_ALERT,
            Audience.PRACTICE: Channel.PRACTICE_EMAIL}
