"""A coach's absence (leave or sickness): the days they are away, and nothing more. Why they
are away is never asked nor kept: a colleague's sickness is their health data, and the service
needs only the dates. Pure: values in, values out.

Booking, follow-ups and the diary ask one question, `away(absences, day)`, so nothing is booked
into an absence from the moment it is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from workingbetter.domain.errors import FieldError

TO_BEFORE_FROM = "The last day away must be the same as or after the first day away"
FROM_IN_THE_PAST = "The first day away must be today or later"
LONGEST_DAYS = 366  # a year: anything longer is a coach leaving, not an absence


@dataclass(frozen=True, slots=True)
class Absence:
    """A coach is away from `first` to `last`, both days included (UK dates)."""

    coach_id: str
    absence_id: str
    first: date
    last: date
    recorded_by: str = ""  # the manager's person id

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


def away(absences: Iterable[Absence], day: date) -> bool:
    """Whether the coach is away on `day`."""
    return any(a.covers(day) for a in absences)


def dates_problem(first: date, last: date, today: date) -> list[FieldError]:
    """What is wrong with an absence's dates, field by field (none when they will do)."""
    problems = []
    if first < today:
        problems.append(FieldError("from", FROM_IN_THE_PAST))
    if last < first:
        problems.append(FieldError("to", TO_BEFORE_FROM))
    elif (last - first).days >= LONGEST_DAYS:
        problems.append(FieldError("to", "An absence can be at most a year: for a coach "
                                           "who is leaving, hand over their caseload"))
    return problems


class CoverChange(StrEnum):
    """What a manager did about a coach's absence or caseload (an audit entry names one)."""

    ABSENCE_ADDED = "absence_added"
    ABSENCE_CANCELLED = "absence_cancelled"
    REFERRAL_MOVED_IN = "referral_moved_in"  # a manager gave them a referral from a colleague
    REFERRAL_MOVED_OUT = "referral_moved_out"
    LEFT = "left"  # the coach left the service; `moved` counts the referrals handed over


@dataclass(frozen=True)
class CoverAuditEntry:
    """Who did what to a coach's diary, and when: ids, dates and counts, never a patient."""

    coach_id: str
    at: datetime
    change: CoverChange
    by: str  # the manager's person id
    first: date | None = None
    last: date | None = None
    moved: int = 0  # appointments rebooked
    reference: str | None = None  # the referral that moved (its reference: never a patient)
    other_coach: str | None = None  # whom it moved from or to


def absence_json(absence: Absence) -> dict[str, object]:
    return {"absence_id": absence.absence_id, "coach_id": absence.coach_id,
            "from": absence.first.isoformat(), "to": absence.last.isoformat()}


def entry_json(entry: CoverAuditEntry) -> dict[str, object]:
    return {"at": entry.at.isoformat(), "change": str(entry.change), "by": entry.by,
            "from": entry.first.isoformat() if entry.first else None,
            "to": entry.last.isoformat() if entry.last else None, "moved": entry.moved,
            "reference": entry.reference, "other_coach": entry.other_coach}
