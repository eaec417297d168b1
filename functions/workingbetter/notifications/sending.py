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
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from workingbetter.adapters.outbox import reference
from workingbetter.adapters.store import Store
from workingbetter.domain import diary, slots
from workingbetter.domain.channels import Channel, FailureReason
from workingbetter.domain.communication_needs import LETTER_FORMATS, letter_format
from workingbetter.domain.notification_kinds import (
    AFTER_THE_END,
    ARRANGING_INTERPRETER,
    FOLLOW_UP_KINDS,
    Kind,
)
from workingbetter.domain.patient_channel import needs_met_by, patient_channel
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.records.patient import PatientDetails
from workingbetter.domain.records.referral import Referral
from workingbetter.notifications.messages import OUTCOME_WORDS, fields_of, render
from workingbetter.notifications.notices import Notices
from workingbetter.notifications.senders import (
    Alerts,
    Message,
    NoTemplate,
    Sender,
    SendFailed,
    SendRefused,
)
from workingbetter.observability import count, logger

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
READER = "system:notifications"


# Keyed by the appointment's start: stale once it was rebooked.
ABOUT_THE_APPOINTMENT = ARRANGING_INTERPRETER | {Kind.APPOINTMENT_REMINDER,
                                                 Kind.COACH_OUTCOME_NOT_RECORDED}


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
        self.outbox = store.outbox
        self.notices = Notices(self.outbox, settings)
        self.sender = sender
        self.alerts = alerts
        self.settings = settings
        self._told: set[str] = set()  # letter formats ops were told have no template

    def run(self, now: datetime | None = None) -> dict[str, int]:
        now = now or datetime.now(UTC)
        tally: Counter[str] = Counter()
        for row in self.outbox.due(slots.iso(now)):
            if not self.outbox.claim(row, slots.iso(now), slots.iso(now + LEASE)):
                tally["skipped"] += 1  # another trigger has it
                continue
            try:
                outcome = self._one(row, now)
            except Exception as error:  # one message must never stop the others
                outcome = self._broken(row, error)
            tally[outcome] += 1
            count("NotificationProcessed", kind=str(row.kind), outcome=outcome)
        logger.info("notifications processed", extra={"outcomes": dict(tally)})
        return dict(tally)

    def _one(self, row: OutboxRow, now: datetime) -> str:
        kind, channel = row.kind, row.channel
        referral = self.store.referrals.get(row.referral_id)
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
            provider_id, channel = self._deliver(row, referral, kind, channel)
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
            return self._give_up(row, attempts, FailureReason.PROVIDER_FAILED)
        backoff = timedelta(minutes=2 ** attempts)
        self.outbox.retry_at(row, slots.iso(now + self.settings.scaled(backoff)),
                             slots.iso(service_due + backoff), attempts)
        return "retried"

    def _broken(self, row: OutboxRow, error: Exception) -> str:
        """Anything but the provider's own failures: a missing template, a fault in putting the
        message together. Retrying would only repeat it, so the row is given up on now, with
        a reason (an enum: the error's words may hold personal data, so only its type is
        logged), and ops are told; the other messages go on."""
        reason = FailureReason.NO_TEMPLATE if isinstance(error, NoTemplate) \
            else FailureReason.UNEXPECTED
        logger.error("message given up", extra={
            "referral_id": row.referral_id, "notification_id": row.notification_id,
            "reason": str(reason), "error": type(error).__name__})
        try:
            return self._give_up(row, row.attempts + 1, reason)
        except Exception as again:
            # Left as it is (claimed): the lease runs out and a later run tries again.
            logger.error("could not record a message given up", extra={
                "referral_id": row.referral_id, "notification_id": row.notification_id,
                "error": type(again).__name__})
            return "stuck"

    def _give_up(self, row: OutboxRow, attempts: int, reason: FailureReason) -> str:
        self.outbox.give_up(row, attempts, reason)
        count("NotificationFailed", kind=str(row.kind), reason=str(reason))
        self.notices.sending_failed(row.referral_id, row.notification_id)
        return "failed"

    # -- putting a message together (never stored, never logged) ---------------------------

    def _deliver(self, row: OutboxRow, referral: Referral, kind: Kind,
                 channel: Channel) -> tuple[str | None, Channel]:
        """Send the row's message: Notify's id for it (None for a coach's task or an alert),
        and the channel it went by."""
        fields = self._fields(row, referral, kind)
        if channel is Channel.COACH_TASK:
            return None, channel  # the row itself is the coach's task: in their workspace
        if channel is Channel.OPS_ALERT:
            self.alerts.ops_alert(*render(kind, fields))
            return None, channel
        if channel is Channel.PRACTICE_EMAIL:
            practice = self.store.directory.practice(referral.practice_ods)
            if practice is None or not practice.email:
                raise Stale
            return self.sender.email(self._message(row, kind, practice.email, fields)), channel
        return self._to_patient(row, referral, kind, fields)

    def _to_patient(self, row: OutboxRow, referral: Referral, kind: Kind,
                    fields: dict[str, str]) -> tuple[str | None, Channel]:
        personal = self.store.patients.read(referral.referral_id, READER,
                                                 f"notification {kind}")
        if personal is None:
            raise Stale  # erased
        patient = personal.patient
        # The way they chose now (they may have changed it on their page since this was
        # scheduled), by the same rule the notices used: a channel with a template, or
        # their coach's task.
        held = [c for c, detail in ((Channel.SMS, patient.phone), (Channel.EMAIL, patient.email),
                                    (Channel.LETTER, patient.address)) if detail]
        needs = [str(n.need) for n in patient.communication_needs]
        channel = patient_channel(kind, patient.contact_preference, needs, held)
        if channel is Channel.COACH_TASK:
            return None, channel
        fields["given_name"] = patient.given_name
        if kind is Kind.APPOINTMENT_CONFIRMATION:
            token, token_hash = withdraw_token(referral.referral_id)
            self.store.links.set_withdraw_link(referral.referral_id, token_hash)
            fields["withdraw_link"] = f"{self.settings.public_url}/patient/{token}"
        provider_id, in_format = self._send(row, kind, channel, patient, fields, needs)
        self.store.referrals.needs_met(referral.referral_id, (
            *needs_met_by(channel, needs),
            *(str(n) for n, fmt in LETTER_FORMATS.items() if fmt == in_format)))
        return provider_id, channel

    def _send(self, row: OutboxRow, kind: Kind, channel: Channel, patient: PatientDetails,
              fields: dict[str, str], needs: list[str]) -> tuple[str, str | None]:
        """Notify's id for the message, and the format a letter went in (None: standard)."""
        if channel is Channel.SMS:
            return self.sender.sms(self._message(row, kind, str(patient.phone), fields)), None
        if channel is Channel.EMAIL:
            return self.sender.email(self._message(row, kind, str(patient.email), fields)), \
                None
        address = patient.address
        if not address:  # referred before intake asked for one: the coach writes instead
            raise SendRefused("no postal address")
        lines = (*address.lines, address.postcode)
        message = self._message(row, kind, "", fields, lines)
        in_format = self._format(row, needs)
        return self.sender.letter(replace(message, letter_format=in_format)), in_format

    def _format(self, row: OutboxRow, needs: list[str]) -> str | None:
        """The letter's format, when the deployment has its template; else the standard letter,
        and ops are told (never silently), naming the template and not the referral: which
        patient needs large print is not ops' to know."""
        wanted = letter_format(needs)
        key = f"{row.kind}.letter_{wanted}"
        if not wanted or key in self.settings.notify_templates:
            return wanted
        count("LetterFormatMissing", template=key)
        if key not in self._told:  # once per container and template; the metric every time
            self._told.add(key)
            try:
                self.alerts.ops_alert(*render(Kind.OPS_LETTER_FORMAT_MISSING, {"detail": key}))
            except SendFailed:
                self._told.discard(key)  # told on a later letter
        return None

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
            if kind in ABOUT_THE_APPOINTMENT and key != appointment.start:
                raise Stale  # that appointment was rebooked
            if kind in ARRANGING_INTERPRETER and referral.interpreter_arranged == key:
                raise Stale  # arranged meanwhile
            start = slots.parse_iso(appointment.start).astimezone(slots.UK)
            fields["when"] = f"{start:%A} {start.day} {start:%B} at {start:%H:%M}"
            practice = self.store.directory.practice(appointment.practice_ods)
            fields["practice"] = practice.name if practice else "your GP surgery"
        if kind in FOLLOW_UP_KINDS:
            fields.update(self._follow_up(row, referral, kind))
        if kind is Kind.APPOINTMENT_MOVED:
            fields.update(self._moved(row, referral))
        if kind is Kind.APPOINTMENT_NEW_COACH:
            fields["coach_name"] = self._new_coach(row, referral)
        return fields

    def _new_coach(self, row: OutboxRow, referral: Referral) -> str:
        """The name staff know the coach by; stale once the referral has moved on again."""
        coach_id = row.about.rpartition(".")[0]
        coach = self.store.directory.coach(coach_id)
        if coach_id != referral.coach_id or coach is None:
            raise Stale
        return coach.name or "a new coach"

    def _moved(self, row: OutboxRow, referral: Referral) -> dict[str, str]:
        """The appointment's new time (the notice's key) and place: the first appointment, or
        a follow-up with its own coach; stale once it has moved again or is called off."""
        appointment = referral.appointment
        if appointment is not None and appointment.start == row.about and \
                not appointment.outcome:
            where = self._practice_name(appointment.practice_ods)
            return {"when": _when(appointment.start), "where": f"at {where}"}
        booked = self.store.diary.follow_up(str(referral.coach_id), row.about, referral.referral_id)
        if booked is None or booked.outcome:
            raise Stale
        return {"when": _when(booked.start), "where": {"phone": "by phone", "video": "by video"}
                .get(booked.mode, f"at {self._practice_name(referral.practice_ods)}")}

    def _practice_name(self, practice_ods: str) -> str:
        practice = self.store.directory.practice(practice_ods)
        return practice.name if practice else "your GP surgery"

    def _follow_up(self, row: OutboxRow, referral: Referral, kind: Kind) -> dict[str, str]:
        """A follow-up's time and place, from its diary row (keyed by the notice)."""
        start_iso = diary.start_of(row.about)
        booked = self.store.diary.follow_up(str(referral.coach_id), start_iso,
                                      referral.referral_id) if start_iso else None
        if booked is None or (kind is Kind.APPOINTMENT_FOLLOW_UP_REMINDER
                              and booked.outcome):
            raise Stale  # called off, or over
        start = slots.parse_iso(booked.start).astimezone(slots.UK)
        practice = self.store.directory.practice(referral.practice_ods)
        where = {"phone": "by phone", "video": "by video"}.get(
            booked.mode, f"at {practice.name if practice else 'your GP surgery'}")
        return {"when": f"{start:%A} {start.day} {start:%B} at {start:%H:%M}", "where": where}


def _when(start_iso: str) -> str:
    start = slots.parse_iso(start_iso).astimezone(slots.UK)
    return f"{start:%A} {start.day} {start:%B} at {start:%H:%M}"
