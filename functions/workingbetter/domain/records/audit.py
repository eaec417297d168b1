"""The read audit: who read a referral's personal data, when and why (a route, never data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuditRead:
    """One read of a referral's personal data: on its own, or a page view naming it."""

    at: str
    actor: str  # as the timeline names them ("coach:c-1", "ops:…")
    purpose: str  # the route that read it ("GET /referrals/{referral_id}")
