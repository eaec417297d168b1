"""Coaches' caseloads changing hands, each change one transaction with the counters, so the
daily reconcile finds nothing to repair: a referral's place moving from one coach to another
(the old coach's count down, the new coach's up only while under the cap, the referral's coach
and list keys changed only while it still holds its place with the old coach: two moves at once
cannot both win, and a full coach refuses); a place given back when a leaving coach's referral
goes on the waiting list; and a coach marked as left."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import ConditionFailed, Event, conditional, now_iso
from workingbetter.adapters.item_codec import encode
from workingbetter.adapters.store import Store
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import HOLDS_CAPACITY, Status


def move_place(store: Store, referral_id: str, created_at: str, from_coach: str,
               to_coach: str, cap: int, event: Event) -> None:
    """Raises ConditionFailed if the new coach is full, or the referral is no longer holding
    a place with `from_coach` (moved, ended or given back meanwhile)."""
    at = now_iso()
    listed = keys.allocated(to_coach, created_at)
    holding = {f":s{n}": str(s) for n, s in enumerate(sorted(HOLDS_CAPACITY))}
    table = store.tables.table_name
    if not conditional(lambda: store.tables.client.transact_write_items(TransactItems=[
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


def hand_back(store: Store, item: Referral, from_coach: str, event: Event) -> None:
    """The referral gives its place back and goes on its practice's waiting list, in one
    transaction: the coach's count down; the referral WAITLISTED with no coach, no step
    waited on, and a first appointment not yet held called off (so that the next allocation
    books one). Raises ConditionFailed if it no longer holds a place with `from_coach`."""
    at = now_iso()
    holding = {f":s{n}": str(s) for n, s in enumerate(sorted(HOLDS_CAPACITY))}
    sets = "SET #st = :waitlisted, waitlist_pk = :wl, updated_at = :at, " \
        "timeline = list_append(timeline, :ev)"
    values: dict[str, Any] = {":waitlisted": str(Status.WAITLISTED), ":from": from_coach,
                              ":wl": keys.waitlist(item.practice_ods), ":at": at,
                              ":ev": [event.as_item(at)], **holding}
    booked = item.appointment
    if booked is not None and not booked.outcome:
        sets += ", appointment = :called_off"
        values[":called_off"] = encode(replace(booked, outcome="cancelled"))
    if not conditional(lambda: store.tables.client.transact_write_items(TransactItems=[
        {"Update": {"TableName": store.tables.table_name, "Key": keys.coach(from_coach),
                    "UpdateExpression": "SET active = active - :one",
                    "ConditionExpression": "active > :zero",
                    "ExpressionAttributeValues": {":one": 1, ":zero": 0}}},
        {"Update": {
            "TableName": store.tables.table_name, "Key": keys.referral(item.referral_id),
            "UpdateExpression": sets + " REMOVE coach_id, coach_pk, coach_live_pk, "
            "coach_created, awaiting, task_token, last_answer, awaiting_since",
            "ConditionExpression": "coach_id = :from AND attribute_not_exists("
            "capacity_released) AND #st IN (" + ", ".join(holding) + ")",
            "ExpressionAttributeNames": {"#st": "status"},
            "ExpressionAttributeValues": values}},
    ])):
        raise ConditionFailed(item.referral_id)
    # The status counters follow the item (`Store.update` settles them): a bookkeeping write.
    store.referrals.update(item.referral_id, None)


def mark_left(store: Store, coach_id: str) -> None:
    """The coach has left: no new allocation, and offered to nobody."""
    store.tables.table.update_item(Key=keys.coach(coach_id), UpdateExpression="SET #l = :t",
                            ConditionExpression="attribute_exists(pk)",
                            ExpressionAttributeNames={"#l": "left"},
                            ExpressionAttributeValues={":t": True})
