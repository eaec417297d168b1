"""The times a coach's diary holds: first appointments and follow-ups."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Slot:
    """A time held in a coach's diary (a first appointment or a follow-up)."""

    start: str
    referral_id: str


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up appointment in a coach's diary."""

    coach_id: str
    start: str
    referral_id: str
    mode: str = ""
    due_at: str | None = None
    booked_at: str | None = None
    booked_by: str | None = None
    outcome: str | None = None
    outcome_at: str | None = None
    outcome_by: str | None = None

