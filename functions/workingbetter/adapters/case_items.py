"""The coach's case record beside the patient's details: notes (an item each, so no item
outgrows DynamoDB's 400 KB) and case items, written only while the details exist."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    Item,
    Tables,
    conditional,
    is_condition_failure,
    now_iso,
)
from workingbetter.adapters.read_audit import ReadAudit

if TYPE_CHECKING:
    pass


class CaseItems:
    """The case record's items."""

    def __init__(self, tables: Tables, audit: ReadAudit) -> None:
        self.tables = tables
        self.audit = audit

    def read(self, referral_id: str, actor: str, purpose: str) -> list[Item]:
        """Every personal-data item of the referral (the patient's details, the coach's case
        record and notes) in one Query, after one audit entry."""
        self.audit.record(referral_id, actor, purpose)
        return self.tables.personal_items(referral_id)

    def notes(self, referral_id: str) -> list[Item]:
        """The coach's notes on a referral, oldest first (each an item of its own)."""
        return [i for i in self.tables.personal_items(referral_id) if i["sk"].startswith(keys.NOTE)]

    def add_note(self, referral_id: str, note: Item) -> Item | None:
        """A coach's free text (goals, reasons, employer) lives with the personal data, each
        note an item of its own so that no item outgrows DynamoDB's 400 KB as notes build up.
        Returns the note's key, so that a caller whose next write fails can take it back;
        None when the personal data was erased (a note must never follow an erasure)."""
        key = {"referral_id": referral_id,
               "sk": f"{keys.NOTE}{note.get('at') or now_iso()}#{uuid.uuid4().hex[:8]}"}
        landed = conditional(lambda: self.tables.client.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": self.tables.personal_data_table_name,
                                "Key": keys.personal(referral_id),
                                "ConditionExpression": "attribute_exists(referral_id)"}},
            {"Put": {"TableName": self.tables.personal_data_table_name, "Item": {**note, **key}}},
        ]))
        return key if landed else None

    def put(self, referral_id: str, sk: str, fields: Item,
            replace: bool = False) -> str:
        """A case-record item beside the patient's details, only while they exist (never after
        an erasure). Unless `replace`, only if no item has that key, so a repeated request
        writes once. Answers "written", "erased" or "exists"."""
        put: Item = {"TableName": self.tables.personal_data_table_name,
                     "Item": {**fields, "referral_id": referral_id, "sk": sk}}
        if not replace:
            put["ConditionExpression"] = "attribute_not_exists(sk)"
        try:
            self.tables.client.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": self.tables.personal_data_table_name,
                                    "Key": keys.personal(referral_id),
                                    "ConditionExpression": "attribute_exists(referral_id)"}},
                {"Put": put}])
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            reasons = error.response.get("CancellationReasons", [])
            first = reasons[0].get("Code") if reasons else "ConditionalCheckFailed"
            return "erased" if first == "ConditionalCheckFailed" else "exists"
        return "written"

    def request_hash(self, referral_id: str, sk: str) -> str | None:
        """The fingerprint of the request that wrote a case item (its words are not read)."""
        found = self.tables.personal.get_item(
            Key=keys.case_item(referral_id, sk), ConsistentRead=True,
            ProjectionExpression="request_hash").get("Item")
        return None if not found else found.get("request_hash")

    def edit(self, referral_id: str, sk: str, fields: Item, must_have: str,
             version: int) -> str:
        """Change an item that has `must_have` (a note's text), only if it is still at
        `version` (one written before versions counts as 1), moving it to the next: "edited",
        "stale" (someone saved first) or "missing"."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values: Item = {f":f{i}": value for i, value in enumerate(fields.values())}
        names.update({"#must": must_have, "#v": "version"})
        values.update({":v": version, ":next": version + 1})
        same = "(#v = :v OR attribute_not_exists(#v))" if version == 1 else "#v = :v"
        key = keys.case_item(referral_id, sk)
        if conditional(lambda: self.tables.personal.update_item(
                Key=key, UpdateExpression="SET " + ", ".join(
                    [*(f"#f{i} = :f{i}" for i in range(len(fields))), "#v = :next"]),
                ConditionExpression=f"attribute_exists(#must) AND {same}",
                ExpressionAttributeNames=names, ExpressionAttributeValues=values)):
            return "edited"
        found = self.tables.personal.get_item(Key=key, ConsistentRead=True,
                                       ProjectionExpression="#must",
                                       ExpressionAttributeNames={"#must": must_have})
        return "stale" if found.get("Item") else "missing"

    def remove(self, referral_id: str, sk: str) -> None:
        """Compensation: the request that wrote this item did not complete."""
        self.tables.personal.delete_item(Key={"referral_id": referral_id, "sk": sk})

    def remove_note(self, key: Item) -> None:
        """Compensation: the request that wrote this note did not complete."""
        self.tables.personal.delete_item(Key=key)
