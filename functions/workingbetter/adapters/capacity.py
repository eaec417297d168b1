"""Coaches' caseload places: a counter per coach kept at or below their cap by the write's own
condition, whatever runs at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    Attr,
    ConditionFailed,
    Event,
    Tables,
    conditional,
    is_condition_failure,
    now_iso,
)
from workingbetter.adapters.referral_codec import (
    as_referral,
)
from workingbetter.adapters.referrals import Referrals
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import (
    Status,
)

if TYPE_CHECKING:
    pass


class Capacity:
    """Places taken, given back and repaired."""

    def __init__(self, tables: Tables, referrals: Referrals) -> None:
        self.tables = tables
        self.referrals = referrals

    def allocate(self, referral: Referral, coach_id: str, cap: int, event: Event) -> Referral:
        """Take one place in a coach's caseload and give it to the referral, atomically.

        The counter's condition keeps a caseload at or below `cap` whatever runs concurrently;
        the referral's condition makes a retried allocation a no-op instead of a second place.
        The coach's list keys need the referral's created_at, which never changes, so the
        caller's read of it serves.
        """
        at = now_iso()
        referral_id = referral.referral_id
        listed = keys.allocated(coach_id, referral.created_at)
        try:
            self.tables.client.transact_write_items(
                TransactItems=[
                    {"Update": {
                        "TableName": self.tables.table_name,
                        "Key": keys.coach(coach_id),
                        "UpdateExpression": "SET active = active + :one",
                        "ConditionExpression": "active < :cap",
                        "ExpressionAttributeValues": {":one": 1, ":cap": cap},
                    }},
                    {"Update": {
                        "TableName": self.tables.table_name,
                        "Key": keys.referral(referral_id),
                        "UpdateExpression": "SET coach_id = :c, coach_pk = :cpk, #st = :st, "
                        "coach_live_pk = :live, coach_created = :cc, "
                        "updated_at = :at, timeline = list_append(timeline, :ev) "
                        "REMOVE waitlist_pk, awaiting",
                        "ConditionExpression": "attribute_not_exists(coach_id) AND "
                        "#st IN (:triage, :waitlisted)",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": ({
                            ":c": coach_id, ":cpk": listed["coach_pk"],
                            ":live": listed["coach_live_pk"], ":cc": listed["coach_created"],
                            ":st": str(Status.ALLOCATED), ":at": at,
                            ":ev": [event.as_item(at)],
                            ":triage": str(Status.TRIAGE), ":waitlisted": str(Status.WAITLISTED),
                        }),
                    }},
                ]
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise ConditionFailed from error
            raise
        item = self.tables.get(keys.referral(referral_id))
        assert item is not None
        self.referrals.settle_count(item)
        return as_referral(item)

    def set_caseload(self, coach_id: str, counted: int, holding: int) -> bool:
        """Repair a coach's counter to the places really held, if it still reads `counted`."""
        return conditional(lambda: self.tables.table.update_item(
            Key=keys.coach(coach_id), UpdateExpression="SET active = :h",
            ConditionExpression=Attr("active").eq(counted),
            ExpressionAttributeValues={":h": holding}))

    def release(self, referral_id: str, coach_id: str) -> bool:
        """Give the coach's place back exactly once; False if it was already given back."""
        return conditional(lambda: self.tables.client.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": self.tables.table_name,
                "Key": keys.coach(coach_id),
                "UpdateExpression": "SET active = active - :one",
                "ConditionExpression": "active > :zero",
                "ExpressionAttributeValues": {":one": 1, ":zero": 0},
            }},
            {"Update": {
                "TableName": self.tables.table_name,
                "Key": keys.referral(referral_id),
                "UpdateExpression": "SET capacity_released = :t",
                "ConditionExpression": "coach_id = :c AND attribute_not_exists(capacity_released)",
                "ExpressionAttributeValues": {":t": True, ":c": coach_id},
            }},
        ]))
