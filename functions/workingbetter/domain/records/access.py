"""A patient's request for a copy of what is held about them."""

from __future__ import annotations

from dataclasses import dataclass

from workingbetter.domain.access_requests import SendBy, Via


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A patient's request for a copy of what is held about them (domain/access_requests.py):
    ids, dates and enums only, so ops may list it. Open until someone produces the copy."""

    referral_id: str
    request_id: str
    received_on: str  # YYYY-MM-DD, UK day
    due_on: str  # one calendar month on
    via: Via
    send_by: SendBy
    recorded_at: str
    recorded_by: str  # the actor, as the timeline and the audit name them
    fulfilled_at: str | None = None
    fulfilled_by: str | None = None

    @property
    def open(self) -> bool:
        return self.fulfilled_at is None
