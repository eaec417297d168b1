"""A referral's place moving from one coach's caseload to another's, in one transaction: the
old coach's count down, the new coach's up (only while under the cap), the referral's coach and
its list keys changed (only while it still holds its place with the old coach). Two moves at
once cannot both win, and a full coach refuses."""

from __future__ import annotations

from workingbetter.adapters import keys
from workingbetter.adapters.store import ConditionFailed, Event, Store, conditional, now_iso
from workingbetter.domain.referral import HOLDS_CAPACITY


def move_place(store: Store, referral_id: str, created_at: str, from_coach: str,
               to_coach: str, cap: int, event: Event) -> None:
    """Raises ConditionFailed if the new coach is full, or the referral is no longer holding
    a place with `from_coach` (moved, ended or given back meanwhile)."""
    at = now_iso()
    listed = keys.allocated(to_coach, created_at)
    holding = {f":s{n}": str(s) for n, s in enumerate(sorted(HOLDS_CAPACITY))}
    table = store.table_name
    if not conditional(lambda: store.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": keys.coach(from_coach),
                        "UpdateExpression": "SET active = active - :one",
                        "ConditionExpression": "active > :zero",
                        "ExpressionAttributeValues": {":one": 1, ":zero": 0}}},
            {"Update": {"TableName": table, "Key": keys.coach(to_coach),
                        "UpdateExpression": "SET active = active + :one",
                        "ConditionExpression": "active < :cap",
                        "ExpressionAttributeValues": {":one": 1, ":cap": cap}}},
            {"Update": {
                "TableName": table, "Key": keys.referral(referral_id),
                "UpdateExpression": "SET coach_id = :to, coach_pk = :cpk, "
                "coach_live_pk = :live, coach_created = :cc, updated_at = :at, "
                "timeline = list_append(timeline, :ev)",
                "ConditionExpression": "coach_id = :from AND attribute_not_exists("
                "capacity_released) AND #st IN (" + ", ".join(holding) + ")",
                "ExpressionAttributeNames": {"#st": "status"},
                "ExpressionAttributeValues": {
                    ":to": to_coach, ":from": from_coach, ":cpk": listed["coach_pk"],
                    ":live": listed["coach_live_pk"], ":cc": listed["coach_created"],
                    ":at": at, ":ev": [event.as_item(at)], **holding}}},
    ])):
        raise ConditionFailed(referral_id)
