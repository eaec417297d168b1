"""The coach's case record beside the patient's details: notes (an item each, so no item
outgrows DynamoDB's 400 KB) and case items, written only while the details exist. Read, each
item's kind comes from its key, and what the service reads of it is decoded to its record
(domain/records/case.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    Item,
    Tables,
    conditional,
    is_condition_failure,
    now_iso,
)
from workingbetter.adapters.item_codec import decode, plain
from workingbetter.adapters.read_audit import ReadAudit
from workingbetter.domain.records.case import (
    CaseFile,
    CaseItem,
    CaseKey,
    CaseKind,
    CaseNote,
    Confidence,
    ProfileGoal,
    ReviewDraft,
    StepNote,
)
from workingbetter.domain.records.patient import PersonalData

# What an item holds that is not what its request wrote: its keys and the request's fingerprint.
_NOT_WRITTEN = {"referral_id", "sk", "expires_at", "request_hash"}


def case_file(items: list[Item]) -> CaseFile:
    """A referral's personal-data items, sorted by kind and typed."""
    patient = next((decode(PersonalData, i) for i in items if i["sk"] == keys.PATIENT), None)
    case = [(keys.case_key_of(str(i["referral_id"]), str(i["sk"])), i) for i in items
            if i["sk"] != keys.PATIENT]

    def of(kind: CaseKind) -> list[tuple[CaseKey, Item]]:
        return [(key, item) for key, item in case if key.kind is kind]

    profile = next((item for _, item in of(CaseKind.PROFILE)), {})
    draft = next((item for _, item in of(CaseKind.REVIEW_DRAFT)), None)
    return CaseFile(
        patient,
        tuple(CaseItem(key, str(i.get("at") or ""), {k: plain(v) for k, v in i.items()
                                                     if k not in _NOT_WRITTEN})
              for key, i in case),
        tuple(decode(ProfileGoal, g) for g in profile.get("goals") or []),
        tuple(decode(Confidence, i) for _, i in of(CaseKind.CONFIDENCE)),
        tuple(decode(StepNote, i) for _, i in of(CaseKind.STEP_NOTE)),
        tuple(decode(CaseNote, {**i, "note_id": key.item_id}) for key, i in of(CaseKind.CASE_NOTE)),
        None if draft is None else decode(ReviewDraft, draft))


class CaseItems:
    """The case record's items."""

    def __init__(self, tables: Tables, audit: ReadAudit) -> None:
        self.tables = tables
        self.audit = audit

    def read(self, referral_id: str, actor: str, purpose: str) -> CaseFile:
        """Every personal-data item of the referral (the patient's details, the coach's case
        record and notes) in one Query, after one audit entry."""
        self.audit.record(referral_id, actor, purpose)
        return case_file(self.tables.personal_items(referral_id))

    def add_note(self, referral_id: str, note: Mapping[str, Any]) -> CaseKey | None:
        """A coach's free text (goals, reasons, employer) lives with the personal data, each
        note an item of its own so that no item outgrows DynamoDB's 400 KB as notes build up.
        Returns the note's key, so that a caller whose next write fails can take it back;
        None when the personal data was erased (a note must never follow an erasure)."""
        key = CaseKey(referral_id, CaseKind.STEP_NOTE,
                      f"{note.get('at') or now_iso()}#{uuid.uuid4().hex[:8]}")
        landed = conditional(lambda: self.tables.client.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": self.tables.personal_data_table_name,
                                "Key": keys.personal(referral_id),
                                "ConditionExpression": "attribute_exists(referral_id)"}},
            {"Put": {"TableName": self.tables.personal_data_table_name,
                     "Item": {**note, **keys.case_item(key)}}},
        ]))
        return key if landed else None

    def put(self, key: CaseKey, fields: Mapping[str, Any], replace: bool = False) -> str:
        """A case-record item beside the patient's details, only while they exist (never after
        an erasure). Unless `replace`, only if no item has that key, so a repeated request
        writes once. Answers "written", "erased" or "exists"."""
        put: Item = {"TableName": self.tables.personal_data_table_name,
                     "Item": {**fields, **keys.case_item(key)}}
        if not replace:
            put["ConditionExpression"] = "attribute_not_exists(sk)"
        try:
            self.tables.client.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": self.tables.personal_data_table_name,
                                    "Key": keys.personal(key.referral_id),
                                    "ConditionExpression": "attribute_exists(referral_id)"}},
                {"Put": put}])
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            reasons = error.response.get("CancellationReasons", [])
            first = reasons[0].get("Code") if reasons else "ConditionalCheckFailed"
            return "erased" if first == "ConditionalCheckFailed" else "exists"
        return "written"

    def request_hash(self, key: CaseKey) -> str | None:
        """The fingerprint of the request that wrote a case item (its words are not read)."""
        found = self.tables.personal.get_item(
            Key=keys.case_item(key), ConsistentRead=True,
            ProjectionExpression="request_hash").get("Item")
        return None if not found else found.get("request_hash")

    def edit(self, key: CaseKey, fields: Mapping[str, Any], must_have: str, version: int) -> str:
        """Change an item that has `must_have` (a note's text), only if it is still at
        `version` (one written before versions counts as 1), moving it to the next: "edited",
        "stale" (someone saved first) or "missing"."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values: Item = {f":f{i}": value for i, value in enumerate(fields.values())}
        names.update({"#must": must_have, "#v": "version"})
        values.update({":v": version, ":next": version + 1})
        same = "(#v = :v OR attribute_not_exists(#v))" if version == 1 else "#v = :v"
        if conditional(lambda: self.tables.personal.update_item(
                Key=keys.case_item(key), UpdateExpression="SET " + ", ".join(
                    [*(f"#f{i} = :f{i}" for i in range(len(fields))), "#v = :next"]),
                ConditionExpression=f"attribute_exists(#must) AND {same}",
                ExpressionAttributeNames=names, ExpressionAttributeValues=values)):
            return "edited"
        found = self.tables.personal.get_item(Key=keys.case_item(key), ConsistentRead=True,
                                       ProjectionExpression="#must",
                                       ExpressionAttributeNames={"#must": must_have})
        return "stale" if found.get("Item") else "missing"

    def remove(self, key: CaseKey) -> None:
        """Compensation: the request that wrote this item (or note) did not complete."""
        self.tables.personal.delete_item(Key=keys.case_item(key))
