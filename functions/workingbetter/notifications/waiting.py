"""What has not been sent yet, and when it goes: the practice's page says whether the patient
has been told of their appointment (a text booked at night waits for 08:00; the sender runs
every few minutes), and the local messages page lists what is waiting.

Read from the outbox rows alone (ids, enums and times): nothing here reads personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workingbetter.adapters.store import Store
from workingbetter.domain import slots
from workingbetter.domain.channels import Channel, State
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.referral import Status
from workingbetter.notifications.sending import goes_at

# The patient's own messages (the practice's, the coach's and ops' are not listed).
TO_THE_PATIENT = frozenset({Channel.SMS, Channel.EMAIL, Channel.LETTER})
WAITING = frozenset({State.SCHEDULED, State.SENDING})
GONE = frozenset({State.SENT, State.DELIVERED, State.TEMPORARY_FAILURE})


class Told(StrEnum):
    """Where the patient's appointment confirmation is."""

    WAITING = "waiting"  # in the outbox: it goes at `goes_at`
    SENT = "sent"  # handed to GOV.UK Notify (a letter: posted)
    BY_COACH = "by_coach"  # the patient asked to be phoned: their coach rings them
    NOT_SENT = "not_sent"  # it could not be sent: their coach reaches them another way


@dataclass(frozen=True)
class Waiting:
    """A message to a patient not sent yet."""

    referral_id: str
    kind: Kind
    channel: Channel
    goes_at: str  # on the service clock, as appointment times are


@dataclass(frozen=True)
class Confirmation:
    told: Told
    channel: Channel
    goes_at: str | None = None  # when it is waiting


class Messages:
    """What the pages show of the outbox: a referral's confirmation, a coach's tasks, the
    patients' messages waiting to go. Built once, by wiring."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.outbox = store.outbox

    def told_of_appointment(self, referral_id: str) -> Confirmation | None:
        """How the patient is told of their booked appointment (None unless one is booked)."""
        referral = self.store.referrals.get(referral_id)
        appointment = referral.appointment if referral else None
        if referral is None or referral.status is not Status.APPOINTMENT_BOOKED \
                or appointment is None:
            return None
        row = self.outbox.row(referral_id,
                              f"{Kind.APPOINTMENT_CONFIRMATION}:{appointment.start}")
        return None if row is None else _told(row)

    def tasks_for(self, coach_id: str, limit: int) -> list[OutboxRow]:
        """A coach's tasks (messages they give by hand, chasers), the latest first."""
        return self.outbox.tasks_for(coach_id, limit)

    def waiting_to_go(self, limit: int = 50) -> list[Waiting]:
        """The patients' messages waiting in the outbox, the soonest first."""
        found = [Waiting(r.referral_id, r.kind, r.channel, slots.iso(goes_at(r)))
                 for r in self.outbox.scheduled(limit) if r.channel in TO_THE_PATIENT]
        return sorted(found, key=lambda w: w.goes_at)


def _told(row: OutboxRow) -> Confirmation | None:
    if row.state in WAITING:
        return Confirmation(Told.WAITING, row.channel, slots.iso(goes_at(row)))
    if row.channel is Channel.COACH_TASK:
        return Confirmation(Told.BY_COACH, row.channel)
    if row.state in GONE:
        return Confirmation(Told.SENT, row.channel)
    if row.state is State.CANCELLED:
        return None  # the appointment was rebooked: its own confirmation says
    return Confirmation(Told.NOT_SENT, row.channel)
