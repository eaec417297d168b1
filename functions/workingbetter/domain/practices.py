"""The practices that take part (staff records, never a patient's): what a service manager
did to one (the audit on its page), and whether it takes new referrals, in the words the
referral form, the JSON API and FHIR intake all give. Pure: values in, values out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from workingbetter.domain.records.directory import Practice, PracticeStatus

ROOMS_MAX = 20  # rooms a practice lends: a surgery's handful, with room to spare
LEFT_WORDS = "has left the Working Better pilot"
CARRY_ON, END = "carry_on", "end"  # what happens to a leaving practice's open referrals


class PracticeChange(StrEnum):
    """What a manager did to a practice (an audit entry names one)."""

    ADDED = "added"
    EDITED = "edited"
    PAUSED = "paused"
    RESUMED = "resumed"
    LEFT = "left"
    REFERRALS_ENDED = "referrals_ended"  # as it left: its open referrals, each patient told


@dataclass(frozen=True)
class PracticeAuditEntry:
    practice_ods: str
    at: datetime
    change: PracticeChange
    by: str  # the manager's person id


def not_taking(practice: Practice) -> str | None:
    """Why the practice takes no new referrals now, in plain words; None while it does. Its
    open referrals carry on with their coaches either way."""
    if practice.status is PracticeStatus.PAUSED:
        return (f"{practice.name} is not taking new referrals for now: "
                f"{practice.paused_reason}")
    if practice.status is PracticeStatus.LEFT:
        return f"{practice.name} {LEFT_WORDS}: it takes no new referrals"
    return None


def practice_json(practice: Practice) -> dict[str, object]:
    """A practice as the manager's JSON API answers (staff records: no patient)."""
    return {"practice_ods": practice.practice_ods, "name": practice.name,
            "email": practice.email, "address": practice.address, "phone": practice.phone,
            "rooms": list(practice.rooms), "status": str(practice.status),
            "paused_reason": practice.paused_reason or None}


class ManagerChange(Protocol):
    """An audit entry of what a manager did to a record (a practice's, a coach's)."""

    @property
    def at(self) -> datetime: ...
    @property
    def change(self) -> StrEnum: ...
    @property
    def by(self) -> str: ...


def entry_json(entry: ManagerChange) -> dict[str, object]:
    return {"at": entry.at.isoformat(), "change": str(entry.change), "by": entry.by}
