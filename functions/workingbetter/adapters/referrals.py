"""A referral's workflow item and its timeline: made at intake (with its personal data, its
short reference and the patient's one-live-referral marker, all or none), changed by
conditional writes only, each change moving ops' status counters (`settle_count`)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    Attr,
    ConditionFailed,
    Event,
    Item,
    ReferenceTaken,
    Tables,
    cancel_codes,
    conditional,
    is_condition_failure,
    now_iso,
)
from workingbetter.adapters.item_codec import encode, encode_set
from workingbetter.adapters.referral_codec import (
    NO_CHANGE,
    as_referral,
    attributes,
    count_change,
    expected,
    listed,
    referral_or_none,
)
from workingbetter.adapters.update_expression import update as update_expression
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.domain.referral import (
    COACH_FACTS_LISTED_UNTIL,
    COUNTED_STALLED,
    STALLED,
    TASK_FAILED,
    TERMINAL,
    Status,
)

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import ConditionBase


class Referrals:
    """The referral record: read, made, changed, and its facts and runs."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, referral_id: str) -> Referral | None:
        return referral_or_none(self.tables.get(keys.referral(referral_id)))

    def id_for(self, reference: str) -> str | None:
        """The referral a short reference (as stored: WB-XXXX-XXXX) belongs to."""
        claim = self.tables.get(keys.reference(reference))
        return None if claim is None else str(claim["referral_id"])

    def create(self, referral: Referral, personal: Item, patient_key: str) -> None:
        """Workflow item, personal-data item, the one-active-referral marker and the claim on
        the referral's short reference, all or none. ReferenceTaken if the reference is
        another referral's (draw another and try again)."""
        referral_id = referral.referral_id
        item = {**keys.referral(referral_id), **encode_set(referral),
                **keys.listed(referral.practice_ods, referral.created_at, str(referral.status))}
        try:
            self.tables.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.tables.table_name,
                             "Item": {**keys.reference(str(referral.reference)),
                                      "referral_id": referral_id},
                             "ConditionExpression": "attribute_not_exists(pk) OR "
                                                    "referral_id = :r",
                             "ExpressionAttributeValues": {":r": referral_id}}},
                    {"Put": {"TableName": self.tables.table_name,
                             "Item": item,
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    count_change(None, str(Status.RECEIVED), self.tables.table_name),
                    {"Put": {"TableName": self.tables.personal_data_table_name,
                             "Item": ({**personal, **keys.personal(referral_id)}),
                             "ConditionExpression": "attribute_not_exists(referral_id)"}},
                    {"Put": {"TableName": self.tables.table_name,
                             "Item": {**keys.patient_marker(patient_key),
                                      "referral_id": referral_id},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ]
            )
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            if cancel_codes(error, first=True) == {"ConditionalCheckFailed"}:
                raise ReferenceTaken from error
            # The id is new, so only our own earlier attempt can have written it: a retry
            # whose first response was lost (a timeout) finds its own write and goes on.
            if self.get(referral_id) is None:
                raise ConditionFailed from error

    def remove_unstarted(self, referral_id: str, patient_key: str,
                         reference: str) -> None:
        """Undo create_referral when its run could not be started (every item, at once)."""
        self.tables.client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self.tables.table_name, "Key": keys.reference(reference),
                            "ConditionExpression": "referral_id = :r",
                            "ExpressionAttributeValues": {":r": referral_id}}},
                {"Delete": {"TableName": self.tables.table_name, "Key": keys.referral(referral_id),
                            "ConditionExpression": "#st = :received AND counted_as = :received",
                            "ExpressionAttributeNames": {"#st": "status"},
                            "ExpressionAttributeValues": {":received": str(Status.RECEIVED)}}},
                count_change(str(Status.RECEIVED), None, self.tables.table_name),
                {"Delete": {"TableName": self.tables.personal_data_table_name,
                            "Key": keys.personal(referral_id)}},
                {"Delete": {"TableName": self.tables.table_name,
                            "Key": keys.patient_marker(patient_key),
                            "ConditionExpression": "referral_id = :r",
                            "ExpressionAttributeValues": {":r": referral_id}}},
            ]
        )

    def active_for_patient(self, patient_key: str) -> str | None:
        item = self.tables.get(keys.patient_marker(patient_key))
        return None if item is None else str(item["referral_id"])

    def end_patient_marker(self, patient_key: str, referral_id: str) -> None:
        """Let the patient be referred again once this referral has ended."""
        conditional(lambda: self.tables.table.delete_item(
            Key=keys.patient_marker(patient_key),
            ConditionExpression=Attr("referral_id").eq(referral_id)))

    # -- changes ---------------------------------------------------------------------------

    def update(
               self,
               referral_id: str,
               event: Event | None,
               change: ReferralChange = NO_CHANGE,
               *,
               only_if_status: Iterable[Status] | None = None,
               only_if: ReferralChange = NO_CHANGE,
               require_live: bool = True,
               ) -> Referral:
        """Change the referral and append to its timeline in one conditional write.

        Returns the item as it is after the write; raises ConditionFailed when it was not in
        the expected status, had different values for `only_if`, or (by default) had ended.
        With no event (bookkeeping, such as a retried task's fresh token) the timeline stays.
        """
        at = now_iso()
        sets, removes = attributes(change)
        written = update_expression({**sets, "updated_at": at}, removes,
                         {"timeline": [event.as_item(at)]} if event else None)
        condition = expected(only_if)
        if only_if_status is not None:
            condition = condition & Attr("status").is_in([str(s) for s in only_if_status])
        elif require_live:
            condition = condition & ~Attr("status").is_in([str(s) for s in TERMINAL])
        try:
            result = self.tables.table.update_item(
                Key=keys.referral(referral_id), ConditionExpression=condition,
                ReturnValues="ALL_NEW", **written.arguments())
        except ClientError as error:
            if is_condition_failure(error):
                raise ConditionFailed from error
            raise
        item = cast(Item, result["Attributes"])
        self.settle_count(item)
        return as_referral(item)

    def settle_count(self, item: Item) -> None:
        """Move the referral from the counter it is counted in to the one it now belongs in.

        Why counters: ops's status table must not read every referral, and a Query with
        Select=COUNT still reads (and pays for) every item it counts, ALL-projected here.
        Why afterwards: `update` stays one conditional UpdateItem, and it cannot know the
        status it replaced. The move is one transaction (the referral's `counted_as` and both
        counters), conditional on `counted_as` and on the referral still being in the new
        row, so concurrent writers move each referral once; a move lost to a crash is made by
        the referral's next change. A move that loses re-reads and tries again.
        """
        for attempt in range(5):
            old, new = item.get("counted_as"), as_referral(item).counted_as
            if old == new:
                return
            names = {"#att": "attention", "#tok": "task_token"}
            values: dict[str, Any] = {":new": new, ":stalled": STALLED,
                                      ":failed": TASK_FAILED}
            stopped = "(#att IN (:stalled, :failed) AND attribute_not_exists(#tok))"
            still = stopped
            if new != COUNTED_STALLED:
                names["#st"] = "status"
                still = f"#st = :new AND NOT {stopped}"
            was = "attribute_not_exists(counted_as)"
            if old is not None:
                was, values[":old"] = "counted_as = :old", old
            try:
                self.tables.client.transact_write_items(TransactItems=[
                    {"Update": {"TableName": self.tables.table_name,
                                "Key": keys.referral(item["referral_id"]),
                                "UpdateExpression": "SET counted_as = :new",
                                "ConditionExpression": f"attribute_exists(pk) AND {was} "
                                                       f"AND {still}",
                                "ExpressionAttributeNames": names,
                                "ExpressionAttributeValues": values}},
                    *([count_change(old, None, self.tables.table_name)] if old else []),
                    count_change(None, new, self.tables.table_name)])
                return
            except ClientError as error:
                if not (cancel_codes(error) & {"ConditionalCheckFailed", "TransactionConflict"}):
                    raise
            time.sleep(0.01 * 2 ** attempt)
            found = self.tables.get(keys.referral(item["referral_id"]))
            if found is None:
                return
            item = found

    def add_fact(self, referral_id: str, event: Event, change: ReferralChange = NO_CHANGE, *,
                 append: ReferralChange = NO_CHANGE, unless: ReferralChange = NO_CHANGE,
                 listed_until: int = COACH_FACTS_LISTED_UNTIL) -> bool:
        """A fact recorded beside the run at someone's request (dates and enums only: the
        outcome reports' facts), with its timeline line, in one conditional write while the
        referral is live: `change` sets fields, `append` adds to list fields. The status stays,
        so no counter moves. False, writing nothing, if the referral already holds `unless`
        (the same request is already open); ConditionFailed once the referral has ended.

        A fact is listed (its line and `append`) only while the timeline is shorter than
        `listed_until`; past it, it lands counted in `facts_unlisted` (domain/referral.py), so
        no request can grow the item without end."""
        sets, removes = attributes(change)
        added = {name: encode(value) for name, value in append.given().items()}
        fresh = Attr("pk").exists() & ~Attr("status").is_in([str(s) for s in sorted(TERMINAL)])
        for name, value in unless.given().items():
            fresh = fresh & ~Attr(name).eq(encode(value))
        at = now_iso()
        listed = update_expression({**sets, "updated_at": at}, removes,
                                   {"timeline": [event.as_item(at)], **added})
        if self._fact(referral_id, listed, fresh & Attr("timeline").size().lt(listed_until)):
            return True
        item = self.get(referral_id)
        if item is None or item.status.terminal:
            raise ConditionFailed
        if unless.given() and all(getattr(item, name) == value
                                  for name, value in unless.given().items()):
            return False
        # Not listed: the timeline is at its bound.
        counted = update_expression({**sets, "updated_at": at}, removes,
                                    add={"facts_unlisted": 1})
        if not self._fact(referral_id, counted, fresh):
            raise ConditionFailed  # ended, or the same request, a moment ago
        return True

    def _fact(self, referral_id: str, written: Any, condition: ConditionBase) -> bool:
        return conditional(lambda: self.tables.table.update_item(
            Key=keys.referral(referral_id), ConditionExpression=condition,
            **written.arguments()))

    def note(self, referral_id: str, change: ReferralChange) -> None:
        """Bookkeeping that is not a change of state (no timeline entry)."""
        sets, removes = attributes(change)
        self.tables.table.update_item(Key=keys.referral(referral_id),
                               **update_expression(sets, removes).arguments())

    def add_run(self, referral_id: str, run_name: str) -> None:
        """List a run the referral now has (once, however often a task is retried)."""
        conditional(lambda: self.tables.table.update_item(
            Key=keys.referral(referral_id),
            UpdateExpression="SET #runs = list_append(if_not_exists(#runs, :none), :run), "
            "run_name = :name",
            ConditionExpression="attribute_exists(pk) AND NOT contains(#runs, :name)",
            ExpressionAttributeNames={"#runs": "runs"},
            ExpressionAttributeValues={":none": [], ":run": [run_name], ":name": run_name}))

    def needs_met(self, referral_id: str, needs: Iterable[str]) -> None:
        """Note that the service met these needs (for the reports): each once, however often a
        letter goes; nothing once the referral's personal data was erased."""
        for need in needs:
            self._need_met(referral_id, need)

    def _need_met(self, referral_id: str, need: str) -> None:
        conditional(lambda: self.tables.table.update_item(
            Key=keys.referral(referral_id),
            UpdateExpression="SET needs_met = list_append(if_not_exists(needs_met, :none), "
                             ":need)",
            ConditionExpression="attribute_exists(referral_id) AND "
                                "attribute_not_exists(personal_data_erased) AND "
                                "NOT contains(needs_met, :one)",
            ExpressionAttributeValues={":none": [], ":need": [need], ":one": need}))

    def bulk_load(self, referrals: list[tuple[Item, Item]]) -> None:
        """Benchmarks only: put (referral, personal data) pairs as intake and allocation would
        leave them, list keys and counters included, but with no run, no conditions and no
        transactions (plain batch writes), so that ten thousand load in seconds."""
        counted: dict[str, int] = {}
        tables = self.tables
        with tables.table.batch_writer() as workflow, tables.personal.batch_writer() as personal:
            for referral, details in referrals:
                item = {**keys.referral(referral["referral_id"]), **referral, **listed(referral)}
                if referral.get("coach_id"):
                    item.update(keys.allocated(str(referral["coach_id"]),
                                           str(referral["created_at"])))
                    if Status(referral["status"]).terminal:
                        del item["coach_live_pk"]
                if referral.get("attention"):
                    item["attention_pk"] = keys.ATTENTION
                item["counted_as"] = as_referral(item).counted_as
                counted[item["counted_as"]] = counted.get(item["counted_as"], 0) + 1
                workflow.put_item(Item=item)
                personal.put_item(Item={**details, **keys.personal(referral["referral_id"])})
        for bucket, n in counted.items():
            self.tables.table.update_item(Key=keys.counter(bucket), UpdateExpression="ADD n :n",
                                   ExpressionAttributeValues={":n": n})
