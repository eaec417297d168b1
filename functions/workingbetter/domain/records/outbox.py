"""The outbox's rows: a message to send, beside its referral."""

from __future__ import annotations

from dataclasses import dataclass

from workingbetter.domain.channels import Channel, FailureReason, State
from workingbetter.domain.notification_kinds import Kind


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

