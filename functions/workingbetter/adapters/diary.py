"""The coaches' diaries: held slots (never double-booked) and follow-up appointments, rows
beside the run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    Attr,
    Key,
    Tables,
    conditional,
    now_iso,
)
from workingbetter.adapters.item_codec import decode, encode
from workingbetter.domain.records.diary import FollowUp, Slot

if TYPE_CHECKING:
    pass


class Diary:
    """A coach's held times and follow-up appointments."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def booked_slots(self, coach_id: str, from_iso: str) -> list[str]:
        page = self.tables.table.query(
            KeyConditionExpression=Key("pk").eq(keys.slots(coach_id)) & Key("sk").gte(from_iso),
            ConsistentRead=True,
        )
        return [item["sk"] for item in page["Items"]]

    def slots_between(self, coach_id: str, from_iso: str, to_iso: str) -> list[Slot]:
        """The coach's held times (first appointments and follow-ups) in [from, to)."""
        page = self.tables.table.query(
            KeyConditionExpression=Key("pk").eq(keys.slots(coach_id))
            & Key("sk").between(from_iso, to_iso), ConsistentRead=True)
        return [Slot(str(i["sk"]), str(i["referral_id"])) for i in page["Items"]
                if str(i["sk"]) < to_iso]

    def hold_slot(self, coach_id: str, start_iso: str, referral_id: str) -> bool:
        """Claim a diary slot; False if someone else holds it (never double-booked)."""
        return conditional(lambda: self.tables.table.put_item(
            Item={**keys.slot(coach_id, start_iso), "referral_id": referral_id},
            ConditionExpression=Attr("pk").not_exists() | Attr("referral_id").eq(referral_id)))

    def free_slot(self, coach_id: str, start_iso: str, referral_id: str) -> None:
        conditional(lambda: self.tables.table.delete_item(
            Key=keys.slot(coach_id, start_iso),
            ConditionExpression=Attr("referral_id").eq(referral_id)))

    def free_slots(self, coach_id: str, starts: Iterable[str], referral_id: str) -> None:
        """Free each of an appointment's slots (a longer one holds two)."""
        for start_iso in starts:
            self.free_slot(coach_id, start_iso, referral_id)

    # -- follow-up appointments ------------------------------------------------------------

    def book_follow_up(self, row: FollowUp) -> bool:
        """A follow-up appointment, keyed by its start and referral in the coach's diary;
        False if that referral already has one then (a repeat, or a clash)."""
        return conditional(lambda: self.tables.table.put_item(
            Item={**encode(row), **keys.follow_up(row.coach_id, row.start, row.referral_id)},
            ConditionExpression=Attr("pk").not_exists()))

    def follow_ups(self, coach_id: str, from_iso: str, to_iso: str) -> list[FollowUp]:
        """The coach's follow-up appointments starting in [from, to), in time order."""
        page = self.tables.table.query(
            KeyConditionExpression=Key("pk").eq(keys.follow_ups(coach_id))
            & Key("sk").between(from_iso, to_iso), ConsistentRead=True)
        return [decode(FollowUp, i) for i in page["Items"] if str(i["start"]) < to_iso]

    def follow_up(self, coach_id: str, start_iso: str, referral_id: str) -> FollowUp | None:
        found = self.tables.get(keys.follow_up(coach_id, start_iso, referral_id))
        return None if found is None else decode(FollowUp, found)

    def follow_up_outcome(self, coach_id: str, start_iso: str, referral_id: str,
                          outcome: str, by: str) -> bool:
        """Record what happened, once; False if it was already recorded."""
        return conditional(lambda: self.tables.table.update_item(
            Key=keys.follow_up(coach_id, start_iso, referral_id),
            UpdateExpression="SET outcome = :o, outcome_at = :at, outcome_by = :by",
            ConditionExpression=Attr("pk").exists() & Attr("outcome").not_exists(),
            ExpressionAttributeValues={":o": outcome, ":at": now_iso(), ":by": by}))

    def cancel_follow_ups(self, coach_id: str, referral_id: str, by: str) -> int:
        """An ended referral's follow-ups still to come are called off and their times go back
        to the coach's diary (each once, however often this is repeated)."""
        cancelled = 0
        for row in self.follow_ups(coach_id, now_iso()[:19], "9999"):
            if row.referral_id != referral_id or row.outcome:
                continue
            if self.follow_up_outcome(coach_id, row.start, referral_id, "cancelled", by):
                self.free_slot(coach_id, row.start, referral_id)
                cancelled += 1
        return cancelled
