"""The scheduled sender: every few minutes, send what has fallen due.

Exactly once: each row is claimed by a conditional write with a lease before anything goes
out, so overlapping triggers skip it. Nothing goes to a patient or coach once the referral has
ended. SMS is never sent between 21:00 and 08:00 UK time (held until 08:00). A failed send is
retried with backoff; after the last attempt the row is marked failed and ops are alerted. A
message Notify refuses for good (not a mobile number, an address it cannot post to) is marked
undelivered at once and the patient's coach gets a task to reach them another way, as when a
delivery receipt says so later (`receipts`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from workingbetter.adapters.store import Store
from workingbetter.domain import diary, slots
from workingbetter.domain.notification_kinds import (
    AFTER_THE_END,
    BY_NOTIFY,
    FOLLOW_UP_KINDS,
    Channel,
    Kind,
    patient_channel,
)
from workingbetter.domain.records import OutboxRow, Referral
from workingbetter.notifications.messages import OUTCOME_WORDS, fields_of, render
from workingbetter.notifications.notices import Notices
from workingbetter.notifications.outbox import Outbox, reference
from workingbetter.notifications.senders import Alerts, Message, Sender, SendFailed, SendRefused
from workingbetter.observability import count, logger

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
READER = "system:notifications"


class Stale(Exception):
    """The row no longer applies (rebooked appointment, erased contact details)."""


def in_quiet_hours(instant: datetime) -> bool:
    local = instant.astimezone(slots.UK).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def end_of_quiet_hours(instant: datetime) -> datetime:
    local = instant.astimezone(slots.UK)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=slots.UK).astimezone(UTC)


def goes_at(row: OutboxRow) -> datetime:
    """When a message waiting in the outbox goes, on the service clock: when it is due, or for
    a text due at night, 08:00 after (the sender holds it until then)."""
    service_due = slots.parse_iso(row.service_due or row.due_at)
    if row.channel is Channel.SMS and in_quiet_hours(service_due):
        return end_of_quiet_hours(service_due)
    return service_due


def withdraw_token(referral_id: str) -> tuple[str, str]:
    """A one-time link's token (sent, never stored) and its hash (stored)."""
    token = f"{referral_id}.{secrets.token_urlsafe(24)}"
    return token, hashlib.sha256(token.encode()).hexdigest()


class Sending:
    def __init__(self, store: Store, sender: Sender, alerts: Alerts, settings: Settings) -> None:
        self.store = store
        self.outbox = Outbox(store)
        self.notices = Notices(self.outbox, settings)
        self.sender = sender
        self.alerts = alerts
        self.settings = settings

    def run(self, now: datetime | None = None) -> dict[str, int]:
        now = now or datetime.now(UTC)
        tally: Counter[str] = Counter()
        for row in self.outbox.due(slots.iso(now)):
            if not self.outbox.claim(row, slots.iso(now), slots.iso(now + LEASE)):
                tally["skipped"] += 1  # another trigger has it
                continue
            outcome = self._one(row, now)
            tally[outcome] += 1
            count("NotificationProcessed", kind=str(row.kind), outcome=outcome)
        logger.info("notifications processed", extra={"outcomes": dict(tally)})
        return dict(tally)

    def _one(self, row: OutboxRow, now: datetime) -> str:
        kind, channel = row.kind, row.channel
        referral = self.store.referral(row.referral_id)
        if referral is None or (referral.status.terminal
                                and kind not in AFTER_THE_END):
            self.outbox.cancel_row(row)
            return "cancelled"
        service_due = slots.parse_iso(row.service_due)
        held = goes_at(row)
        if held > service_due:
            self.outbox.retry_at(row, slots.iso(now + self.settings.scaled(held - service_due)),
                                 slots.iso(held), row.attempts)
            return "held"
        try:
            provider_id = self._deliver(row, referral, kind, channel)
        except Stale:
            self.outbox.cancel_row(row)
            return "cancelled"
        except SendRefused:
            self.outbox.refused(row, slots.iso(now))
            if kind.audience == "patient":
                self.notices.undelivered(row.referral_id, row.notification_id)
            return "refused"
        except SendFailed:
            return self._failed(row, now, service_due)
        coach = referral.coach_id if channel is Channel.COACH_TASK else None
        self.outbox.sent(row, slots.iso(now), task_for=coach, provider_id=provider_id)
        return "sent"

    def _failed(self, row: OutboxRow, now: datetime, service_due: datetime) -> str:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self.outbox.give_up(row, attempts)
            self.notices.sending_failed(row.referral_id, row.notification_id)
            return "failed"
        backoff = timedelta(minutes=2 ** attempts)
        self.outbox.retry_at(row, slots.iso(now + self.settings.scaled(backoff)),
                             slots.iso(service_due + backoff), attempts)
        return "retried"

    # -- putting a message together (never stored, never logged) ---------------------------

    def _deliver(self, row: OutboxRow, referral: Referral, kind: Kind,
                 channel: Channel) -> str | None:
        """Send the row's message; Notify's id for it (None for a coach's task or an alert)."""
        fields = self._fields(row, referral, kind)
        if channel is Channel.COACH_TASK:
            return None  # the row itself is the coach's task: it shows in their workspace
        if channel is Channel.OPS_ALERT:
            self.alerts.ops_alert(*render(kind, fields))
            return None
        if channel is Channel.PRACTICE_EMAIL:
            practice = self.store.practice(referral.practice_ods)
            if practice is None or not practice.email:
                raise Stale
            return self.sender.email(self._message(row, kind, practice.email, fields))
        return self._to_patient(row, referral, kind, channel, fields)

    def _to_patient(self, row: OutboxRow, referral: Referral, kind: Kind, channel: Channel,
                    fields: dict[str, str]) -> str:
        personal = self.store.read_personal_data(referral.referral_id, READER,
                                                 f"notification {kind}")
        if personal is None:
            raise Stale  # erased
        patient = personal.patient
        chosen = patient_channel(str(patient.contact_preference))
        if chosen is not channel and chosen.value in BY_NOTIFY.get(kind, ()):
            # The patient may have changed channel (on their page) since this was scheduled.
            channel = chosen
        fields["given_name"] = patient.given_name
        if kind is Kind.APPOINTMENT_CONFIRMATION:
            token, token_hash = withdraw_token(referral.referral_id)
            self.store.set_withdraw_link(referral.referral_id, token_hash)
            fields["withdraw_link"] = f"{self.settings.public_url}/patient/{token}"
        if channel is Channel.SMS:
            return self.sender.sms(self._message(row, kind, str(patient.phone), fields))
        if channel is Channel.EMAIL:
            return self.sender.email(self._message(row, kind, str(patient.email), fields))
        address = patient.address
        if not address:  # referred before intake asked for one: the coach writes instead
            raise SendRefused("no postal address")
        lines = (*address.lines, address.postcode)
        return self.sender.letter(self._message(row, kind, "", fields, lines))

    @staticmethod
    def _message(row: OutboxRow, kind: Kind, to: str, fields: dict[str, str],
                 address: tuple[str, ...] = ()) -> Message:
        """Only the fields the template names go to Notify."""
        wanted = fields_of(kind)
        return Message(kind, to, {k: v for k, v in fields.items() if k in wanted},
                       reference(row), address)

    def _fields(self, row: OutboxRow, referral: Referral, kind: Kind) -> dict[str, str]:
        fields = {"referral_id": referral.referral_id,
                  # What practice staff search their list by (older referrals have none).
                  "reference": referral.reference or referral.referral_id,
                  "detail": row.about,
                  "outcome": OUTCOME_WORDS.get(str(referral.exit_reason),
                                               referral.status.lower())}
        appointment = referral.appointment
        if kind.audience in {"patient", "coach"} and appointment:
            key = row.about
            if kind in {Kind.APPOINTMENT_REMINDER, Kind.COACH_OUTCOME_NOT_RECORDED} and \
                    key != appointment.start:
                raise Stale  # that appointment was rebooked
            start = slots.parse_iso(appointment.start).astimezone(slots.UK)
            fields["when"] = f"{start:%A} {start.day} {start:%B} at {start:%H:%M}"
            practice = self.store.practice(appointment.practice_ods)
            fields["practice"] = practice.name if practice else "your GP surgery"
        if kind in FOLLOW_UP_KINDS:
            fields.update(self._follow_up(row, referral, kind))
        return fields

    def _follow_up(self, row: OutboxRow, referral: Referral, kind: Kind) -> dict[str, str]:
        """A follow-up's time and place, from its diary row (keyed by the notice)."""
        start_iso = diary.start_of(row.about)
        booked = self.store.follow_up(str(referral.coach_id), start_iso,
                                      referral.referral_id) if start_iso else None
        if booked is None or (kind is Kind.APPOINTMENT_FOLLOW_UP_REMINDER
                              and booked.outcome):
            raise Stale  # called off, or over
        start = slots.parse_iso(booked.start).astimezone(slots.UK)
        practice = self.store.practice(referral.practice_ods)
        where = {"phone": "by phone", "video": "by video"}.get(
            booked.mode, f"at {practice.name if practice else 'your GP surgery'}")
        return {"when": f"{start:%A} {start.day} {start:%B} at {start:%H:%M}", "where": where}
