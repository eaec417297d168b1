"""Coaches' absences and what managers did about them, in the referrals table (staff records:
ids, dates and counts only, never a patient's details nor why a coach is away).

- An absence (`ABSENCE#<coach>`, by its id): written once (conditional), and
  deleted when a manager cancels it before it starts.
- The audit (`COVER_AUDIT#<coach>`), one entry per change, sorted by time, as
  `people_audit.py` keeps a practice's.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from workingbetter.adapters.dynamo import Key, conditional
from workingbetter.adapters.people_audit import _latest_first, _record_once
from workingbetter.domain.absence import Absence, CoverAuditEntry, CoverChange


def _absences(coach_id: str) -> str:
    return f"ABSENCE#{coach_id}"


def _audit(coach_id: str) -> str:
    return f"COVER_AUDIT#{coach_id}"


def new_absence_id(key: str | None = None) -> str:
    """From the request's key when there is one (a repeat of the request makes the same id,
    so it records nothing more), else fresh."""
    return (hashlib.sha256(key.encode()).hexdigest() if key else uuid.uuid4().hex)[:16]


class Absences:
    def __init__(self, table: Any) -> None:
        self.table = table

    def add(self, absence: Absence) -> bool:
        """Record it once; False if one with its id is there already."""
        return conditional(lambda: self.table.put_item(
            Item={"pk": _absences(absence.coach_id), "sk": absence.absence_id,
                  "first": absence.first.isoformat(), "last": absence.last.isoformat(),
                  "recorded_by": absence.recorded_by},
            ConditionExpression="attribute_not_exists(pk)"))

    def remove(self, coach_id: str, absence_id: str) -> bool:
        """Take it away; False if it was not there (cancelled already)."""
        return conditional(lambda: self.table.delete_item(
            Key={"pk": _absences(coach_id), "sk": absence_id},
            ConditionExpression="attribute_exists(pk)"))

    def of(self, coach_id: str) -> list[Absence]:
        """The coach's absences, earliest first (a handful a coach: one Query page)."""
        items = self.table.query(KeyConditionExpression=Key("pk").eq(_absences(coach_id)),
                                 ConsistentRead=True)["Items"]
        return [Absence(coach_id, str(i["sk"]), date.fromisoformat(str(i["first"])),
                        date.fromisoformat(str(i["last"])), str(i.get("recorded_by", "")))
                for i in sorted(items, key=lambda i: str(i["first"]))]


class CoverAudit:
    def __init__(self, table: Any) -> None:
        self.table = table

    def record(self, entry: CoverAuditEntry) -> str:
        fields: dict[str, Any] = {"change": str(entry.change), "by": entry.by,
                                  "moved": entry.moved}
        if entry.first:
            fields["first"] = entry.first.isoformat()
        if entry.last:
            fields["last"] = entry.last.isoformat()
        if entry.reference:
            fields["reference"] = entry.reference
        if entry.other_coach:
            fields["other_coach"] = entry.other_coach
        return _record_once(self.table, _audit(entry.coach_id), entry.at, fields)

    def moved(self, coach_id: str, sort_key: str, moved: int) -> None:
        """How many appointments the change rebooked, once they are."""
        self.table.update_item(Key={"pk": _audit(coach_id), "sk": sort_key},
                               UpdateExpression="SET moved = :m",
                               ExpressionAttributeValues={":m": moved})

    def take_back(self, coach_id: str, sort_key: str) -> None:
        self.table.delete_item(Key={"pk": _audit(coach_id), "sk": sort_key})

    def entries(self, coach_id: str) -> list[CoverAuditEntry]:
        return [CoverAuditEntry(coach_id, at, CoverChange(str(i["change"])), str(i["by"]),
                                _day(i.get("first")), _day(i.get("last")), int(i["moved"]),
                                _text(i.get("reference")), _text(i.get("other_coach")))
                for at, i in _latest_first(self.table, _audit(coach_id))]


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _text(value: object) -> str | None:
    return str(value) if value else None
