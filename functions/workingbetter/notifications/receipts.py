"""GOV.UK Notify's delivery receipts (`POST /notify/callbacks`): find the outbox row by the
reference sent with the message (ids only), move it on once, and when a message to a patient
cannot be delivered, ask their coach to reach them another way.

Notify signs nothing: it sends the bearer token it was given, compared here in constant time.
A receipt also names the recipient (`to`): it is never read, kept, logged or answered back.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from workingbetter.adapters.dynamo import Item
from workingbetter.adapters.outbox import parse_reference
from workingbetter.adapters.store import Store
from workingbetter.domain import slots
from workingbetter.domain.channels import NOTIFY_TYPE, Channel, State
from workingbetter.domain.errors import FieldError, InvalidInput, NotFound, Unauthenticated
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.parsing import field_errors
from workingbetter.notifications.notices import Notices
from workingbetter.observability import count

# Notify's statuses (emails, texts and letters) as the outbox records them; None: still on
# its way, nothing to record.
STATUSES: dict[str, State | None] = {
    "delivered": State.DELIVERED,
    "received": State.DELIVERED,  # a letter: printed and posted
    "temporary-failure": State.TEMPORARY_FAILURE,
    "technical-failure": State.TEMPORARY_FAILURE,  # Notify: "try sending it again"
    "permanent-failure": State.PERMANENT_FAILURE,
    "validation-failed": State.PERMANENT_FAILURE,  # a letter Notify could not print
    "virus-scan-failed": State.PERMANENT_FAILURE,
    "cancelled": State.PERMANENT_FAILURE,  # a letter stopped before posting
    "created": None, "sending": None, "pending": None, "sent": None, "accepted": None,
    "pending-virus-check": None,
}
NotifyStatus = Literal[
    "delivered", "received", "temporary-failure", "technical-failure", "permanent-failure",
    "validation-failed", "virus-scan-failed", "cancelled", "created", "sending", "pending",
    "sent", "accepted", "pending-virus-check"]
# A message that did not arrive, as the MessageNotDelivered metric counts it: for good (the
# ops alarm fires at once: infra/monitoring.py), or this once (a phone off for Notify's 72
# hours, or Notify's own fault; alarmed on only in a burst).
FAILURES: dict[State, str] = {State.PERMANENT_FAILURE: "permanent",
                              State.TEMPORARY_FAILURE: "temporary"}
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600,
                                         pattern=r"^[\x21-\x7e]+$")]


class Receipt(BaseModel):
    """What this service reads of a receipt; the rest (the recipient, times, template) is
    ignored."""

    model_config = ConfigDict(extra="ignore")

    id: Token
    reference: Token
    status: NotifyStatus


def check_bearer(header: str | None, expected: str) -> None:
    """The token Notify was configured with, or 401. Constant time: no timing oracle."""
    given = (header or "").removeprefix("Bearer ").strip()
    if not (header or "").startswith("Bearer ") or not hmac.compare_digest(
            given.encode(), expected.encode()):
        raise Unauthenticated("Send the callback bearer token configured in GOV.UK Notify")


def parse(body: Any) -> Receipt:
    if not isinstance(body, dict):
        raise InvalidInput("Send a GOV.UK Notify delivery receipt as a JSON object",
                           [FieldError("body", "Send a JSON object")])
    try:
        return Receipt.model_validate(body)
    except ValidationError as error:
        raise InvalidInput("The delivery receipt has errors", field_errors(error)) from None


class Receipts:
    def __init__(self, store: Store, notices: Notices) -> None:
        self.outbox = store.outbox
        self.notices = notices

    def record(self, body: Any, now: datetime | None = None) -> Item:
        receipt = parse(body)
        ids = parse_reference(receipt.reference)
        if ids is None:
            raise InvalidInput("The reference is not one this service sends", [
                FieldError("reference", "Not a reference this service sends")])
        row = self.outbox.row(*ids)
        if row is None or Channel(row.channel) not in NOTIFY_TYPE:
            raise NotFound("No message sent through GOV.UK Notify has that reference")
        state = STATUSES[receipt.status]
        if state is not None:
            if self.outbox.receipt(row, state, slots.iso(now or datetime.now(UTC))) \
                    and state in FAILURES:  # counted when it moved: a repeat is not counted
                count("MessageNotDelivered", channel=str(row.channel), kind=str(row.kind),
                      failure=FAILURES[state])
            row = self.outbox.row(*ids) or row
        if row.state == State.PERMANENT_FAILURE and Kind(row.kind).audience == "patient":
            # Also when the row was marked before: a retried callback finishes the job.
            self.notices.undelivered(row.referral_id, row.notification_id)
        return {"referral_id": row.referral_id, "notification_id": row.notification_id,
                "status": row.state}
