"""DynamoDB adapter: the referral, its timeline, coach capacity, slots and personal data.

One table holds the workflow side (ids and enums); a second holds one personal-data item per
referral so that erasure is one delete and nothing else ever needs to read it.
Every change of status is a conditional write, so two writers can never both win.

The lists page through indexes built for them (see `Listing` and template.yaml), and ops's
counts by status are kept in counter items (see `_settle_count`), so that no page reads every
referral.
"""

from __future__ import annotations

import hmac
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from workingbetter.adapters import keys
from workingbetter.adapters.item_codec import decode, encode, encode_set
from workingbetter.adapters.update_expression import Update
from workingbetter.adapters.update_expression import update as update_expression
from workingbetter.domain.communication_needs import CommunicationNeed, kinds_of
from workingbetter.domain.records import (
    Coach,
    FollowUp,
    PersonalData,
    Practice,
    Referral,
    ReferralChange,
    Slot,
    field_names,
)
from workingbetter.domain.referral import (
    COACH_FACTS_LISTED_UNTIL,
    COUNTED_STALLED,
    STALLED,
    TASK_FAILED,
    TERMINAL,
    ContactPreference,
    Status,
)

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import Attr as AttrCondition
    from boto3.dynamodb.conditions import ConditionBase
    from boto3.dynamodb.conditions import Key as KeyCondition

Item = dict[str, Any]

BUCKETS = (*(str(s) for s in Status), COUNTED_STALLED)
_AFTER_EVERY = "\uffff"  # sorts after any created_at under a range-key prefix
_BATCH = 100  # BatchGetItem's most keys a call
NO_CHANGE = ReferralChange()


# Importing boto3 (which `boto3.dynamodb.conditions` does) is the costliest part of a cold
# start: it waits for the first request that reaches DynamoDB, as the resource does.
def Key(name: str) -> KeyCondition:
    from boto3.dynamodb.conditions import Key as key

    return key(name)


def Attr(name: str) -> AttrCondition:
    from boto3.dynamodb.conditions import Attr as attr

    return attr(name)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _key_of(personal_item: Item) -> Item:
    return {"referral_id": personal_item["referral_id"], "sk": personal_item["sk"]}


def _cancel_codes(error: ClientError, first: bool = False) -> set[str]:
    """Why a transaction was cancelled (with `first`, why its first item was)."""
    reasons = error.response.get("CancellationReasons", [])
    return {str(r.get("Code")) for r in (reasons[:1] if first else reasons)}


def conditional(write: Callable[[], object]) -> bool:
    """Run a conditional write: True if it landed, False if its condition did not hold."""
    try:
        write()
    except ClientError as error:
        if _is_condition_failure(error):
            return False
        raise
    return True


class ConditionFailed(Exception):
    """A conditional write lost: the item was not in the state the writer expected."""


class ReferenceTaken(Exception):
    """The short reference drawn for a new referral already belongs to another."""


def _is_condition_failure(error: ClientError) -> bool:
    """True only when a condition lost; throttling and conflicts still raise (and are retried)."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


def _as_read(was: Practice | Mapping[str, Any] | None) -> ConditionBase:
    """The item is absent (`was` None), or still holds these fields as they were read (a field
    read as empty may be absent: an item written before the field was)."""
    if was is None:
        return Attr("pk").not_exists()
    read = encode(was) if isinstance(was, Practice) else dict(was)
    condition: ConditionBase = Attr("pk").exists()
    for name, value in read.items():
        same = Attr(name).eq(value)
        unset = value in ("", []) or _PRACTICE_DEFAULTS.get(name) == value
        condition &= (same | Attr(name).not_exists()) if unset else same
    return condition


# A practice's fields as an item written before they were has them (absent): its status.
_PRACTICE_DEFAULTS = encode(Practice("", ""))
# What a seed file or the service manager sets of a coach (their caseload count and calendar
# link are the service's), and the record's defaults, which an older item may lack.
_COACH_OWNED = ("practice_ods", "weekday", "name", "sessions", "days_a_week")
_COACH_DEFAULTS = Coach("", "", 0)


def _transact_update(table_name: str, key: Item, written: Update,
                     condition: ConditionBase) -> Item:
    """An Update of a transaction: there boto3 does not render a condition object, so it is
    rendered here, its placeholders beside the update's (#n/:v beside #s/:s)."""
    from boto3.dynamodb.conditions import ConditionExpressionBuilder

    built = ConditionExpressionBuilder().build_expression(condition)
    arguments = written.arguments()
    return {"Update": {
        "TableName": table_name, "Key": key, "UpdateExpression": arguments["UpdateExpression"],
        "ConditionExpression": built.condition_expression,
        "ExpressionAttributeNames": {**arguments["ExpressionAttributeNames"],
                                     **built.attribute_name_placeholders},
        "ExpressionAttributeValues": {**arguments.get("ExpressionAttributeValues", {}),
                                      **built.attribute_value_placeholders}}}


def _coach_as_read(was: Coach | None) -> ConditionBase:
    """The coach is absent (`was` None), or still holds what was read of the fields a
    manager sets (a field read as its default may be absent: an item from before it was)."""
    if was is None:
        return Attr("pk").not_exists()
    condition: ConditionBase = Attr("pk").exists()
    for name in _COACH_OWNED:
        value = getattr(was, name)
        if value is None:
            condition &= Attr(name).not_exists()
            continue
        same = Attr(name).eq(encode(value))
        unset = value == getattr(_COACH_DEFAULTS, name) or value in ("", ())
        condition &= (same | Attr(name).not_exists()) if unset else same
    return condition


@dataclass(frozen=True)
class Listing:
    """One index partition of referrals, ordered by when they were made.

    The range key is `prefix` + created_at: the prefix (a practice or a coach, and "#") keeps a
    status partition's referrals of one practice or coach together.
    """

    index: str
    key: str
    value: str
    range: str = "created_at"
    prefix: str = ""

    @classmethod
    def everyone(cls, status: Status | None = None) -> Listing:
        return cls("ByStatus", "status", str(status)) if status else \
            cls("Latest", "ops_pk", keys.LATEST)

    @classmethod
    def practice(cls, practice_ods: str, status: Status | None = None) -> Listing:
        if status:
            return cls("ByPracticeStatus", "status", str(status), "practice_created",
                       f"{practice_ods}#")
        return cls("ByPractice", "practice_pk", keys.practice_partition(practice_ods))

    @classmethod
    def coach(cls, coach_id: str, status: Status | None = None) -> Listing:
        if status:
            return cls("ByCoachStatus", "status", str(status), "coach_created", f"{coach_id}#")
        return cls("ByCoach", "coach_pk", keys.coach_partition(coach_id))

    @classmethod
    def attention(cls) -> Listing:
        """Referrals flagged for ops (a sparse index: only while flagged)."""
        return cls("ByAttention", "attention_pk", keys.ATTENTION)

    @classmethod
    def caseload(cls, coach_id: str) -> Listing:
        """The coach's referrals while they are live."""
        return cls("ByCoachLive", "coach_live_pk", keys.coach_partition(coach_id))

    def condition(self, boundary: str | None, newer: bool) -> ConditionBase:
        """The partition, from `boundary` (a created_at, included) on, in the reading order."""
        condition: ConditionBase = Key(self.key).eq(self.value)
        if boundary is None:
            return condition & Key(self.range).begins_with(self.prefix) if self.prefix \
                else condition
        edge = Key(self.range)
        if not self.prefix:  # (a key may not be empty, so no open-ended BETWEEN)
            return condition & (edge.gte(boundary) if newer else edge.lte(boundary))
        return condition & (edge.between(self.prefix + boundary, self.prefix + _AFTER_EVERY)
                            if newer else edge.between(self.prefix, self.prefix + boundary))


@dataclass(frozen=True)
class Event:
    """One line of a referral's timeline: who did what, when. Enums only."""

    event: str
    by: str
    detail: Mapping[str, Any] | None = None

    def as_item(self, at: str) -> Item:
        item: Item = {"at": at, "event": self.event, "by": self.by}
        if self.detail:
            item["detail"] = dict(self.detail)
        return item


class Store:
    def __init__(self, table_name: str, personal_data_table_name: str,
                 idempotency_table_name: str) -> None:
        self.table_name = table_name
        self.personal_data_table_name = personal_data_table_name
        self.idempotency_table_name = idempotency_table_name
        # The resource's client takes plain Python values, transactions included.
        # boto3 resources are not thread-safe; the local stack serves many threads at once.
        self._local = threading.local()

    def _resource(self) -> Any:
        if not hasattr(self._local, "resource"):
            import boto3  # on first use: see Key above

            self._local.resource = boto3.resource("dynamodb")
        return self._local.resource

    @property
    def table(self) -> Any:
        return self._resource().Table(self.table_name)

    @property
    def personal(self) -> Any:
        return self._resource().Table(self.personal_data_table_name)

    @property
    def client(self) -> Any:
        return self._resource().meta.client

    # -- reading ---------------------------------------------------------------------------

    def _get(self, key: Item, table: Any = None) -> Item | None:
        item = (table or self.table).get_item(Key=key, ConsistentRead=True).get("Item")
        return cast(Item | None, item)

    def referral(self, referral_id: str) -> Referral | None:
        return _referral(self._get(keys.referral(referral_id)))

    def referral_id_for(self, reference: str) -> str | None:
        """The referral a short reference (as stored: WB-XXXX-XXXX) belongs to."""
        claim = self._get(keys.reference(reference))
        return None if claim is None else str(claim["referral_id"])

    def read_personal_data(self, referral_id: str, actor: str,
                           purpose: str) -> PersonalData | None:
        """Every read of personal data leaves an audit entry first: who, when, why."""
        at = now_iso()
        self.table.put_item(Item={
            "pk": keys.audit(referral_id), "sk": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at, "actor": actor, "purpose": purpose,
        })
        found = self._get(keys.personal(referral_id), self.personal)
        return None if found is None else decode(PersonalData, found)

    def read_case_items(self, referral_id: str, actor: str, purpose: str) -> list[Item]:
        """Every personal-data item of the referral (the patient's details, the coach's case
        record and notes) in one Query, after one audit entry."""
        at = now_iso()
        self.table.put_item(Item={
            "pk": keys.audit(referral_id), "sk": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at, "actor": actor, "purpose": purpose,
        })
        return self._personal_items(referral_id)

    def notes(self, referral_id: str) -> list[Item]:
        """The coach's notes on a referral, oldest first (each an item of its own)."""
        return [i for i in self._personal_items(referral_id) if i["sk"].startswith(keys.NOTE)]

    def _personal_items(self, referral_id: str) -> list[Item]:
        items: list[Item] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("referral_id").eq(referral_id),
                                  "ConsistentRead": True}
        while True:
            page = self.personal.query(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def personal_data_for_page(self, referral_ids: list[str], practice_ods: str, actor: str,
                               purpose: str) -> dict[str, PersonalData]:
        """The patients' details for the referrals a page shows (all at one practice): one
        audit record naming them all, then one BatchGetItem (per 100). Erased ones are absent.
        """
        if not referral_ids:
            return {}
        self.audit_page(referral_ids, practice_ods, actor, purpose)
        found: dict[str, PersonalData] = {}
        for start in range(0, len(referral_ids), _BATCH):
            wanted = [keys.personal(r) for r in referral_ids[start:start + _BATCH]]
            for item in self._batch_get(self.personal_data_table_name, wanted):
                found[str(item["referral_id"])] = decode(PersonalData, item)
        return found

    def audit_page(self, referral_ids: list[str], practice_ods: str, actor: str,
                   purpose: str) -> None:
        """One audit record naming the referrals a view showed (kept by practice, so a
        referral's trail finds it: see audit_trail)."""
        at = now_iso()
        self.table.put_item(Item={
            "pk": keys.practice_audit(practice_ods), "sk": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at, "actor": actor, "purpose": purpose, "referral_ids": referral_ids})

    def _batch_get(self, table_name: str, keys: list[Item], projection: str = "",
                   names: dict[str, str] | None = None) -> list[Item]:
        items: list[Item] = []
        request: dict[str, Any] = {table_name: {
            "Keys": keys, "ConsistentRead": True,
            **({"ProjectionExpression": projection} if projection else {}),
            **({"ExpressionAttributeNames": names} if names else {})}}
        for attempt in range(8):
            reply = self._resource().batch_get_item(RequestItems=request)
            items += reply["Responses"].get(table_name, [])
            request = reply.get("UnprocessedKeys") or {}
            if not request:
                return items
            time.sleep(0.05 * 2 ** attempt)  # DynamoDB asks to back off before the rest
        raise RuntimeError("BatchGetItem left keys unprocessed after retries")

    def audit_trail(self, referral_id: str, practice_ods: str | None = None,
                    since: str = "") -> list[Item]:
        """Who read the referral's personal data: its own reads, and the page views at its
        practice since it was made that named it (one record per page view, many ids)."""
        page = self.table.query(KeyConditionExpression=Key("pk").eq(keys.audit(referral_id)))
        reads = list(page["Items"])
        if practice_ods:
            kwargs: dict[str, Any] = {
                "KeyConditionExpression": Key("pk").eq(keys.practice_audit(practice_ods))
                & Key("sk").gte(since),
                "FilterExpression": Attr("referral_ids").contains(referral_id)}
            while True:
                views = self.table.query(**kwargs)
                reads += views["Items"]
                if "LastEvaluatedKey" not in views:
                    break
                kwargs["ExclusiveStartKey"] = views["LastEvaluatedKey"]
        return [{"at": i["at"], "actor": i["actor"], "purpose": i["purpose"]}
                for i in sorted(reads, key=lambda i: str(i["at"]))]

    def personal_data_expires(self, referral_id: str, epoch_seconds: int) -> None:
        """Retention: DynamoDB's TTL deletes the personal data after this time."""
        for item in self._personal_items(referral_id):  # already erased: nothing to expire
            self._expire(_key_of(item), epoch_seconds)

    def _expire(self, key: Item, epoch_seconds: int) -> None:
        conditional(lambda: self.personal.update_item(  # erased meanwhile: nothing to do
            Key=key, UpdateExpression="SET expires_at = :t",
            ConditionExpression=Attr("referral_id").exists(),
            ExpressionAttributeValues={":t": epoch_seconds}))

    # -- the patient's one-time withdrawal link ---------------------------------------------

    def set_withdraw_link(self, referral_id: str, token_hash: str) -> None:
        """One live link per referral: a newer message's link replaces the older one."""
        self.table.put_item(Item={**keys.withdraw_link(referral_id), "token_hash": token_hash})

    def use_withdraw_link(self, referral_id: str, token_hash: str) -> bool:
        """Single use: the link is deleted as it is used; False if unknown, used or expired."""
        return conditional(lambda: self.table.delete_item(
            Key=keys.withdraw_link(referral_id),
            ConditionExpression=Attr("token_hash").eq(token_hash)))

    def withdraw_link_is_live(self, referral_id: str, token_hash: str) -> bool:
        """Read only: showing the patient's page must not use the link up."""
        link = self._get(keys.withdraw_link(referral_id))
        return link is not None and hmac.compare_digest(str(link["token_hash"]), token_hash)

    def drop_withdraw_link(self, referral_id: str) -> None:
        self.table.delete_item(Key=keys.withdraw_link(referral_id))

    def change_contact(self, referral_id: str, contact: Item, event: Event,
                       listed_until: int) -> bool:
        """The patient's new channel and details: the details with the personal data, the
        channel (an enum, which picks how messages go) on the referral, while it is live (a
        fact, see add_fact). False when the referral has ended or its data was erased."""
        landed = conditional(lambda: self.personal.update_item(
            Key=keys.personal(referral_id),
            UpdateExpression="SET patient.phone = :p, patient.email = :e, "
                             "patient.contact_preference = :c",
            ConditionExpression=Attr("referral_id").exists(),
            ExpressionAttributeValues={":p": contact["phone"], ":e": contact["email"],
                                       ":c": contact["contact_preference"]}))
        if not landed:
            return False
        try:
            self.add_fact(referral_id, event, ReferralChange(
                contact_preference=ContactPreference(contact["contact_preference"])),
                listed_until=listed_until)
        except ConditionFailed:
            return False
        return True

    def communication_needs(self, referral_id: str, actor: str,
                            purpose: str) -> tuple[CommunicationNeed, ...] | None:
        """A patient's communication needs (personal data: the read is audited like every
        other); None once their details were erased. The one reader for whoever meets or
        copies them."""
        found = self.read_personal_data(referral_id, actor, purpose)
        return None if found is None else found.patient.communication_needs

    def set_communication_needs(self, referral_id: str,
                                needs: tuple[CommunicationNeed, ...]) -> bool:
        """Replace the patient's needs, and beside them on the referral the kinds the reports
        count, in one transaction; False, writing nothing, once the details were erased."""
        return conditional(lambda: self.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": self.personal_data_table_name,
                        "Key": keys.personal(referral_id),
                        "UpdateExpression": "SET patient.communication_needs = :n",
                        "ConditionExpression": "attribute_exists(referral_id)",
                        "ExpressionAttributeValues": {":n": encode(needs)}}},
            {"Update": {"TableName": self.table_name, "Key": keys.referral(referral_id),
                        "UpdateExpression": "SET need_kinds = :k",
                        "ConditionExpression": "attribute_exists(referral_id)",
                        "ExpressionAttributeValues": {":k": list(kinds_of(needs))}}}]))

    def needs_met(self, referral_id: str, needs: Iterable[str]) -> None:
        """Note that the service met these needs (for the reports): each once, however often a
        letter goes; nothing once the referral's personal data was erased."""
        for need in needs:
            self._need_met(referral_id, need)

    def _need_met(self, referral_id: str, need: str) -> None:
        conditional(lambda: self.table.update_item(
            Key=keys.referral(referral_id),
            UpdateExpression="SET needs_met = list_append(if_not_exists(needs_met, :none), "
                             ":need)",
            ConditionExpression="attribute_exists(referral_id) AND "
                                "attribute_not_exists(personal_data_erased) AND "
                                "NOT contains(needs_met, :one)",
            ExpressionAttributeValues={":none": [], ":need": [need], ":one": need}))

    def note_on_referral(self, referral_id: str, change: ReferralChange) -> None:
        """Bookkeeping that is not a change of state (no timeline entry)."""
        sets, removes = _attributes(change)
        self.table.update_item(Key=keys.referral(referral_id),
                               **update_expression(sets, removes).arguments())

    def add_run(self, referral_id: str, run_name: str) -> None:
        """List a run the referral now has (once, however often a task is retried)."""
        conditional(lambda: self.table.update_item(
            Key=keys.referral(referral_id),
            UpdateExpression="SET #runs = list_append(if_not_exists(#runs, :none), :run), "
            "run_name = :name",
            ConditionExpression="attribute_exists(pk) AND NOT contains(#runs, :name)",
            ExpressionAttributeNames={"#runs": "runs"},
            ExpressionAttributeValues={":none": [], ":run": [run_name], ":name": run_name}))

    def _query_all(self, index: str, key: str, value: str) -> list[Referral]:
        items: list[Referral] = []
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": Key(key).eq(value),
            "ScanIndexForward": False,
        }
        while True:
            page = self.table.query(**kwargs)
            items.extend(_as_referral(i) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def referrals_for_practice(self, practice_ods: str) -> list[Referral]:
        return self._query_all("ByPractice", "practice_pk", keys.practice_partition(practice_ods))

    def practice_referrals_for_patient(self, practice_ods: str, patient_key: str,
                                       fields: Iterable[str] = ()) -> list[Referral]:
        """A practice's referrals for one patient (by the keyed hash of their NHS number),
        newest first: one Query on ByPatient, which holds only that patient's referrals."""
        page = self.table.query(
            IndexName="ByPatient", ScanIndexForward=False,
            KeyConditionExpression=Key("patient_key").eq(patient_key),
            FilterExpression=Attr("practice_ods").eq(practice_ods),
            **_projection(fields))
        return [_as_referral(i) for i in page["Items"]]

    def practice_referrals_born_on(self, birth_key: str,
                                   fields: Iterable[str] = ()) -> list[Referral]:
        """A practice's referrals of patients born on one day (by the keyed hash of the
        practice and the day), newest first: one Query on ByBirthDate, sparse like ByPatient."""
        kwargs: dict[str, Any] = {"IndexName": "ByBirthDate", "ScanIndexForward": False,
                                  "KeyConditionExpression": Key("birth_key").eq(birth_key),
                                  **_projection(fields)}
        items: list[Referral] = []
        while True:
            page = self.table.query(**kwargs)
            items.extend(_as_referral(i) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def referrals_for_coach(self, coach_id: str) -> list[Referral]:
        return self._query_all("ByCoach", "coach_pk", keys.coach_partition(coach_id))

    def referrals_in(self, listing: Listing, boundary: str | None, newer: bool,
                     count: int, fields: Iterable[str] = ()) -> tuple[list[Referral], bool]:
        """Up to `count` referrals of the listing from `boundary` (a created_at, included) on:
        newest first, or oldest first when reading back towards newer ones. Also whether more
        follow. One Query, unless DynamoDB's 1 MB page cuts it short. With `fields`, only
        those attributes come back (a list rarely needs the timeline, the bulk of an item)."""
        items: list[Referral] = []
        kwargs: dict[str, Any] = {"IndexName": listing.index, "ScanIndexForward": newer,
                                  "KeyConditionExpression": listing.condition(boundary, newer),
                                  **_projection(fields)}
        while True:
            page = self.table.query(**kwargs, Limit=count - len(items) + 1)
            items += [_as_referral(i) for i in page["Items"]]
            if len(items) > count:
                return items[:count], True
            if "LastEvaluatedKey" not in page:
                return items, False
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def referrals_made(self, listing: Listing, start: str, end: str,
                       fields: Iterable[str]) -> Iterator[Referral]:
        """Every referral of the listing made from `start` up to `end` (created_at strings,
        end excluded), oldest first: one Query paged by DynamoDB, projected to `fields`."""
        kwargs: dict[str, Any] = {
            "IndexName": listing.index, "ScanIndexForward": True,
            "KeyConditionExpression": Key(listing.key).eq(listing.value)
            & Key(listing.range).between(listing.prefix + start, listing.prefix + end),
            **_projection(fields)}
        while True:
            page = self.table.query(**kwargs)
            for item in page["Items"]:
                if str(item["created_at"]) < end:
                    yield _as_referral(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def flagged(self, count: int, fields: Iterable[str] = ()) -> tuple[list[Referral], bool]:
        """Referrals flagged for ops (newest first), and whether there are more."""
        return self.referrals_in(Listing.attention(), None, False, count, fields)

    def status_counts(self) -> dict[str, int]:
        """Referrals in each row of ops's status table: the counter items, one read."""
        counters = [keys.counter(bucket) for bucket in BUCKETS]
        counted = {str(i["sk"]): int(i.get("n", 0))
                   for i in self._batch_get(self.table_name, counters)}
        return {bucket: counted.get(bucket, 0) for bucket in BUCKETS}

    def waitlist(self, practice_ods: str) -> list[str]:
        """Waitlisted referral ids at a practice, longest-waiting first."""
        page = self.table.query(IndexName="ByWaitlist", ScanIndexForward=True,
                                KeyConditionExpression=Key("waitlist_pk").eq(
                                    keys.waitlist(practice_ods)))
        return [keys.referral_of(str(i["pk"])) for i in page["Items"]]

    def practices(self) -> list[Practice]:
        page = self.table.query(KeyConditionExpression=Key("pk").eq(keys.PRACTICES))
        return [decode(Practice, i) for i in page["Items"]]

    def practice(self, practice_ods: str) -> Practice | None:
        found = self._get(keys.practice(practice_ods))
        return None if found is None else decode(Practice, found)

    def coach(self, coach_id: str) -> Coach | None:
        found = self._get(keys.coach(coach_id))
        return None if found is None else decode(Coach, found)

    def coaches(self, coach_ids: Sequence[str]) -> list[Coach]:
        """These coaches (one BatchGetItem per 100); ids with no coach are left out."""
        wanted = [keys.coach(c) for c in dict.fromkeys(coach_ids)]
        return [decode(Coach, item) for start in range(0, len(wanted), _BATCH)
                for item in self._batch_get(self.table_name, wanted[start:start + _BATCH])]

    def references(self, referral_ids: Sequence[str]) -> dict[str, str]:
        """The short references of these referrals, by id (one BatchGetItem per 100, reading
        the reference alone); a referral with none, or none stored, is left out."""
        wanted = list(dict.fromkeys(referral_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = [keys.referral(r) for r in wanted[start:start + _BATCH]]
            for item in self._batch_get(self.table_name, batch, "pk, #r", {"#r": "reference"}):
                if item.get("reference"):
                    found[keys.referral_of(str(item["pk"]))] = str(item["reference"])
        return found

    def booked_slots(self, coach_id: str, from_iso: str) -> list[str]:
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(keys.slots(coach_id)) & Key("sk").gte(from_iso),
            ConsistentRead=True,
        )
        return [item["sk"] for item in page["Items"]]

    # -- seeding (local stack and deploy script) -------------------------------------------

    # Each is conditional on what the seeding read: `was` None adds (only while there is
    # none), a record changes it (only while it still holds that). ConditionFailed otherwise:
    # someone changed it meanwhile, and their change is not overwritten.

    def put_practice(self, practice: Practice, was: Practice | None = None) -> None:
        """A participating practice (see `Practice`): sets the fields the seed file gives,
        and only those."""
        try:
            self.table.update_item(Key=keys.practice(practice.practice_ods),
                                   ConditionExpression=_as_read(was),
                                   **update_expression(encode(practice)).arguments())
        except ClientError as error:
            if _is_condition_failure(error):
                raise ConditionFailed(practice.practice_ods) from None
            raise

    def put_coach(self, coach: Coach, was: Coach | None = None,
                  practices: Sequence[tuple[Practice, Practice]] = ()) -> None:
        """A coach's name, sessions and days a week (the fields a seed file or the service
        manager gives), with each practice's list of its coaches' sessions (`practices`:
        (as read, as it becomes)), in one transaction, each conditional on what was read.
        A new coach's caseload is empty; an existing coach's count (the service's) and
        calendar link are never touched."""
        owned = {"coach_id": coach.coach_id,
                 **{name: encode(getattr(coach, name)) for name in _COACH_OWNED
                    if getattr(coach, name) is not None}}
        items: list[dict[str, Any]] = [
            _transact_update(self.table_name, keys.coach(coach.coach_id),
                             update_expression(owned, add={"active": 0}), _coach_as_read(was)),
            {"Put": {"TableName": self.table_name, "Item": keys.coach_listed(coach.coach_id)}}]
        items += [_transact_update(self.table_name, keys.practice(read.practice_ods),
                                   update_expression({"sessions": encode(becomes.sessions)}),
                                   _as_read({"sessions": encode(read.sessions)}))
                  for read, becomes in practices]
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if _is_condition_failure(error):
                raise ConditionFailed(coach.coach_id) from None
            raise

    def coach_ids(self) -> list[str]:
        """Every coach in the coaches' list (those added before it was kept are in their
        practices' sessions)."""
        found: list[str] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(keys.COACHES)}
        while True:
            page = self.table.query(**kwargs)
            found += [str(i["sk"]) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def bulk_load(self, referrals: list[tuple[Item, Item]]) -> None:
        """Benchmarks only: put (referral, personal data) pairs as intake and allocation would
        leave them, list keys and counters included, but with no run, no conditions and no
        transactions (plain batch writes), so that ten thousand load in seconds."""
        counted: dict[str, int] = {}
        with self.table.batch_writer() as workflow, self.personal.batch_writer() as personal:
            for referral, details in referrals:
                item = {**keys.referral(referral["referral_id"]), **referral, **_listed(referral)}
                if referral.get("coach_id"):
                    item.update(keys.allocated(str(referral["coach_id"]),
                                           str(referral["created_at"])))
                    if Status(referral["status"]).terminal:
                        del item["coach_live_pk"]
                if referral.get("attention"):
                    item["attention_pk"] = keys.ATTENTION
                item["counted_as"] = _as_referral(item).counted_as
                counted[item["counted_as"]] = counted.get(item["counted_as"], 0) + 1
                workflow.put_item(Item=item)
                personal.put_item(Item={**details, **keys.personal(referral["referral_id"])})
        for bucket, n in counted.items():
            self.table.update_item(Key=keys.counter(bucket), UpdateExpression="ADD n :n",
                                   ExpressionAttributeValues={":n": n})

    # -- intake ----------------------------------------------------------------------------

    def create_referral(self, referral: Referral, personal: Item, patient_key: str) -> None:
        """Workflow item, personal-data item, the one-active-referral marker and the claim on
        the referral's short reference, all or none. ReferenceTaken if the reference is
        another referral's (draw another and try again)."""
        referral_id = referral.referral_id
        item = {**keys.referral(referral_id), **encode_set(referral),
                **keys.listed(referral.practice_ods, referral.created_at, str(referral.status))}
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table_name,
                             "Item": {**keys.reference(str(referral.reference)),
                                      "referral_id": referral_id},
                             "ConditionExpression": "attribute_not_exists(pk) OR "
                                                    "referral_id = :r",
                             "ExpressionAttributeValues": {":r": referral_id}}},
                    {"Put": {"TableName": self.table_name,
                             "Item": item,
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    _count_change(None, str(Status.RECEIVED), self.table_name),
                    {"Put": {"TableName": self.personal_data_table_name,
                             "Item": ({**personal, **keys.personal(referral_id)}),
                             "ConditionExpression": "attribute_not_exists(referral_id)"}},
                    {"Put": {"TableName": self.table_name,
                             "Item": {**keys.patient_marker(patient_key),
                                      "referral_id": referral_id},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ]
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            if _cancel_codes(error, first=True) == {"ConditionalCheckFailed"}:
                raise ReferenceTaken from error
            # The id is new, so only our own earlier attempt can have written it: a retry
            # whose first response was lost (a timeout) finds its own write and goes on.
            if self.referral(referral_id) is None:
                raise ConditionFailed from error

    def remove_unstarted_referral(self, referral_id: str, patient_key: str,
                                  reference: str) -> None:
        """Undo create_referral when its run could not be started (every item, at once)."""
        self.client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self.table_name, "Key": keys.reference(reference),
                            "ConditionExpression": "referral_id = :r",
                            "ExpressionAttributeValues": {":r": referral_id}}},
                {"Delete": {"TableName": self.table_name, "Key": keys.referral(referral_id),
                            "ConditionExpression": "#st = :received AND counted_as = :received",
                            "ExpressionAttributeNames": {"#st": "status"},
                            "ExpressionAttributeValues": {":received": str(Status.RECEIVED)}}},
                _count_change(str(Status.RECEIVED), None, self.table_name),
                {"Delete": {"TableName": self.personal_data_table_name,
                            "Key": keys.personal(referral_id)}},
                {"Delete": {"TableName": self.table_name,
                            "Key": keys.patient_marker(patient_key),
                            "ConditionExpression": "referral_id = :r",
                            "ExpressionAttributeValues": {":r": referral_id}}},
            ]
        )

    def active_referral_for_patient(self, patient_key: str) -> str | None:
        item = self._get(keys.patient_marker(patient_key))
        return None if item is None else str(item["referral_id"])

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
        sets, removes = _attributes(change)
        written = update_expression({**sets, "updated_at": at}, removes,
                         {"timeline": [event.as_item(at)]} if event else None)
        condition = _expected(only_if)
        if only_if_status is not None:
            condition = condition & Attr("status").is_in([str(s) for s in only_if_status])
        elif require_live:
            condition = condition & ~Attr("status").is_in([str(s) for s in TERMINAL])
        try:
            result = self.table.update_item(
                Key=keys.referral(referral_id), ConditionExpression=condition,
                ReturnValues="ALL_NEW", **written.arguments())
        except ClientError as error:
            if _is_condition_failure(error):
                raise ConditionFailed from error
            raise
        item = cast(Item, result["Attributes"])
        self._settle_count(item)
        return _as_referral(item)

    def _settle_count(self, item: Item) -> None:
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
            old, new = item.get("counted_as"), _as_referral(item).counted_as
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
                self.client.transact_write_items(TransactItems=[
                    {"Update": {"TableName": self.table_name,
                                "Key": keys.referral(item["referral_id"]),
                                "UpdateExpression": "SET counted_as = :new",
                                "ConditionExpression": f"attribute_exists(pk) AND {was} "
                                                       f"AND {still}",
                                "ExpressionAttributeNames": names,
                                "ExpressionAttributeValues": values}},
                    *([_count_change(old, None, self.table_name)] if old else []),
                    _count_change(None, new, self.table_name)])
                return
            except ClientError as error:
                if not (_cancel_codes(error) & {"ConditionalCheckFailed", "TransactionConflict"}):
                    raise
            time.sleep(0.01 * 2 ** attempt)
            found = self._get(keys.referral(item["referral_id"]))
            if found is None:
                return
            item = found

    def allocate(self, referral_id: str, coach_id: str, cap: int, event: Event) -> Referral:
        """Take one place in a coach's caseload and give it to the referral, atomically.

        The counter's condition keeps a caseload at or below `cap` whatever runs concurrently;
        the referral's condition makes a retried allocation a no-op instead of a second place.
        """
        at = now_iso()
        # created_at never changes, so reading it first is safe: the coach's list keys need it.
        made = self.table.get_item(Key=keys.referral(referral_id), ProjectionExpression="created_at"
                                   ).get("Item") or {}
        listed = keys.allocated(coach_id, str(made.get("created_at", "")))
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Update": {
                        "TableName": self.table_name,
                        "Key": keys.coach(coach_id),
                        "UpdateExpression": "SET active = active + :one",
                        "ConditionExpression": "active < :cap",
                        "ExpressionAttributeValues": {":one": 1, ":cap": cap},
                    }},
                    {"Update": {
                        "TableName": self.table_name,
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
            if _is_condition_failure(error):
                raise ConditionFailed from error
            raise
        item = self._get(keys.referral(referral_id))
        assert item is not None
        self._settle_count(item)
        return _as_referral(item)

    def set_caseload(self, coach_id: str, counted: int, holding: int) -> bool:
        """Repair a coach's counter to the places really held, if it still reads `counted`."""
        return conditional(lambda: self.table.update_item(
            Key=keys.coach(coach_id), UpdateExpression="SET active = :h",
            ConditionExpression=Attr("active").eq(counted),
            ExpressionAttributeValues={":h": holding}))

    def release_capacity(self, referral_id: str, coach_id: str) -> bool:
        """Give the coach's place back exactly once; False if it was already given back."""
        return conditional(lambda: self.client.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": self.table_name,
                "Key": keys.coach(coach_id),
                "UpdateExpression": "SET active = active - :one",
                "ConditionExpression": "active > :zero",
                "ExpressionAttributeValues": {":one": 1, ":zero": 0},
            }},
            {"Update": {
                "TableName": self.table_name,
                "Key": keys.referral(referral_id),
                "UpdateExpression": "SET capacity_released = :t",
                "ConditionExpression": "coach_id = :c AND attribute_not_exists(capacity_released)",
                "ExpressionAttributeValues": {":t": True, ":c": coach_id},
            }},
        ]))

    def new_calendar_link(self, coach_id: str, key_hash: str, old_hash: str | None) -> bool:
        """Give the coach a new calendar link and end the old one, in one transaction; False
        if another new link was made meanwhile (the coach's link is no longer `old_hash`)."""
        table = self.table_name
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": table,
                     "Item": {**keys.calendar_link(key_hash), "coach_id": coach_id},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": table, "Key": keys.coach(coach_id),
                        "UpdateExpression": "SET calendar_key = :new",
                        "ConditionExpression": "attribute_exists(pk) AND ("
                        + ("calendar_key = :old" if old_hash else
                           "attribute_not_exists(calendar_key)") + ")",
                        "ExpressionAttributeValues": {
                            ":new": key_hash, **({":old": old_hash} if old_hash else {})}}}]
        if old_hash:
            items.append({"Delete": {"TableName": table, "Key": keys.calendar_link(old_hash)}})
        return conditional(lambda: self.client.transact_write_items(TransactItems=items))

    def calendar_owner(self, key_hash: str) -> str | None:
        """The coach whose calendar link has this hash; None for no link (or an ended one)."""
        found = self._get(keys.calendar_link(key_hash))
        return None if found is None else str(found["coach_id"])

    def hold_slot(self, coach_id: str, start_iso: str, referral_id: str) -> bool:
        """Claim a diary slot; False if someone else holds it (never double-booked)."""
        return conditional(lambda: self.table.put_item(
            Item={**keys.slot(coach_id, start_iso), "referral_id": referral_id},
            ConditionExpression=Attr("pk").not_exists() | Attr("referral_id").eq(referral_id)))

    def free_slot(self, coach_id: str, start_iso: str, referral_id: str) -> None:
        conditional(lambda: self.table.delete_item(
            Key=keys.slot(coach_id, start_iso),
            ConditionExpression=Attr("referral_id").eq(referral_id)))

    def free_slots(self, coach_id: str, starts: Iterable[str], referral_id: str) -> None:
        """Free each of an appointment's slots (a longer one holds two)."""
        for start_iso in starts:
            self.free_slot(coach_id, start_iso, referral_id)

    def end_patient_marker(self, patient_key: str, referral_id: str) -> None:
        """Let the patient be referred again once this referral has ended."""
        conditional(lambda: self.table.delete_item(
            Key=keys.patient_marker(patient_key),
            ConditionExpression=Attr("referral_id").eq(referral_id)))

    def add_note(self, referral_id: str, note: Item) -> Item | None:
        """A coach's free text (goals, reasons, employer) lives with the personal data, each
        note an item of its own so that no item outgrows DynamoDB's 400 KB as notes build up.
        Returns the note's key, so that a caller whose next write fails can take it back;
        None when the personal data was erased (a note must never follow an erasure)."""
        key = {"referral_id": referral_id,
               "sk": f"{keys.NOTE}{note.get('at') or now_iso()}#{uuid.uuid4().hex[:8]}"}
        landed = conditional(lambda: self.client.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": self.personal_data_table_name,
                                "Key": keys.personal(referral_id),
                                "ConditionExpression": "attribute_exists(referral_id)"}},
            {"Put": {"TableName": self.personal_data_table_name, "Item": {**note, **key}}},
        ]))
        return key if landed else None

    def put_case_item(self, referral_id: str, sk: str, fields: Item,
                      replace: bool = False) -> str:
        """A case-record item beside the patient's details, only while they exist (never after
        an erasure). Unless `replace`, only if no item has that key, so a repeated request
        writes once. Answers "written", "erased" or "exists"."""
        put: Item = {"TableName": self.personal_data_table_name,
                     "Item": {**fields, "referral_id": referral_id, "sk": sk}}
        if not replace:
            put["ConditionExpression"] = "attribute_not_exists(sk)"
        try:
            self.client.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": self.personal_data_table_name,
                                    "Key": keys.personal(referral_id),
                                    "ConditionExpression": "attribute_exists(referral_id)"}},
                {"Put": put}])
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            reasons = error.response.get("CancellationReasons", [])
            first = reasons[0].get("Code") if reasons else "ConditionalCheckFailed"
            return "erased" if first == "ConditionalCheckFailed" else "exists"
        return "written"

    def request_hash(self, referral_id: str, sk: str) -> str | None:
        """The fingerprint of the request that wrote a case item (its words are not read)."""
        found = self.personal.get_item(Key=keys.case_item(referral_id, sk), ConsistentRead=True,
                                       ProjectionExpression="request_hash").get("Item")
        return None if not found else found.get("request_hash")

    def edit_case_item(self, referral_id: str, sk: str, fields: Item, must_have: str,
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
        if conditional(lambda: self.personal.update_item(
                Key=key, UpdateExpression="SET " + ", ".join(
                    [*(f"#f{i} = :f{i}" for i in range(len(fields))), "#v = :next"]),
                ConditionExpression=f"attribute_exists(#must) AND {same}",
                ExpressionAttributeNames=names, ExpressionAttributeValues=values)):
            return "edited"
        found = self.personal.get_item(Key=key, ConsistentRead=True,
                                       ProjectionExpression="#must",
                                       ExpressionAttributeNames={"#must": must_have})
        return "stale" if found.get("Item") else "missing"

    def remove_case_item(self, referral_id: str, sk: str) -> None:
        """Compensation: the request that wrote this item did not complete."""
        self.personal.delete_item(Key={"referral_id": referral_id, "sk": sk})

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
        sets, removes = _attributes(change)
        added = {name: encode(value) for name, value in append.given().items()}
        fresh = Attr("pk").exists() & ~Attr("status").is_in([str(s) for s in sorted(TERMINAL)])
        for name, value in unless.given().items():
            fresh = fresh & ~Attr(name).eq(encode(value))
        at = now_iso()
        listed = update_expression({**sets, "updated_at": at}, removes,
                                   {"timeline": [event.as_item(at)], **added})
        if self._fact(referral_id, listed, fresh & Attr("timeline").size().lt(listed_until)):
            return True
        item = self.referral(referral_id)
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
        return conditional(lambda: self.table.update_item(
            Key=keys.referral(referral_id), ConditionExpression=condition,
            **written.arguments()))

    # -- follow-up appointments: rows beside the run, in the coach's diary -------------------

    def book_follow_up(self, row: FollowUp) -> bool:
        """A follow-up appointment, keyed by its start and referral in the coach's diary;
        False if that referral already has one then (a repeat, or a clash)."""
        return conditional(lambda: self.table.put_item(
            Item={**encode(row), **keys.follow_up(row.coach_id, row.start, row.referral_id)},
            ConditionExpression=Attr("pk").not_exists()))

    def follow_ups(self, coach_id: str, from_iso: str, to_iso: str) -> list[FollowUp]:
        """The coach's follow-up appointments starting in [from, to), in time order."""
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(keys.follow_ups(coach_id))
            & Key("sk").between(from_iso, to_iso), ConsistentRead=True)
        return [decode(FollowUp, i) for i in page["Items"] if str(i["start"]) < to_iso]

    def follow_up(self, coach_id: str, start_iso: str, referral_id: str) -> FollowUp | None:
        found = self._get(keys.follow_up(coach_id, start_iso, referral_id))
        return None if found is None else decode(FollowUp, found)

    def follow_up_outcome(self, coach_id: str, start_iso: str, referral_id: str,
                          outcome: str, by: str) -> bool:
        """Record what happened, once; False if it was already recorded."""
        return conditional(lambda: self.table.update_item(
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

    def slots_between(self, coach_id: str, from_iso: str, to_iso: str) -> list[Slot]:
        """The coach's held times (first appointments and follow-ups) in [from, to)."""
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(keys.slots(coach_id))
            & Key("sk").between(from_iso, to_iso), ConsistentRead=True)
        return [Slot(str(i["sk"]), str(i["referral_id"])) for i in page["Items"]
                if str(i["sk"]) < to_iso]

    def remove_note(self, key: Item) -> None:
        """Compensation: the request that wrote this note did not complete."""
        self.personal.delete_item(Key=key)

    def erase_personal_data(self, referral_id: str, idempotency_record: str | None,
                            request_hash: str | None) -> None:
        """Erasure: every personal-data item of the referral and the intake's idempotency
        record; a tombstone keeps a hash of the request's practice and key (never the body)
        so that replaying the erased request is refused rather than storing it again."""
        for item in self._personal_items(referral_id):
            self.personal.delete_item(Key=_key_of(item))
        if idempotency_record:
            self._resource().Table(self.idempotency_table_name).delete_item(
                Key={"id": idempotency_record})
        if request_hash:
            self.table.put_item(Item={"pk": f"ERASED#{request_hash}", "sk": "ERASED",
                                      "referral_id": referral_id})

    def erased_request(self, request_hash: str) -> bool:
        """True if the request with this hash belonged to a referral whose data was erased."""
        return self._get(keys.erased(request_hash)) is not None


def _referral(item: Item | None) -> Referral | None:
    return None if item is None else _as_referral(item)


def _as_referral(item: Item) -> Referral:
    """The referral an item holds; the waitlist it is on is its index key."""
    return decode(Referral, {**item, "waitlist": keys.waitlisted_at(item.get("waitlist_pk"))})


# A list's records always have these fields, however few it asks for.
_ALWAYS = tuple(f.name for f in fields(Referral) if f.default is MISSING)


def _projection(fields: Iterable[str]) -> Item:
    """A Query's ProjectionExpression for `fields` of Referral (nothing when none are asked
    for: the whole item)."""
    wanted = list(dict.fromkeys(fields))
    if not wanted:
        return {}
    unknown = set(wanted) - field_names(Referral)
    if unknown:
        raise ValueError(f"not fields of a referral: {sorted(unknown)}")
    names = {f"#p{i}": name for i, name in enumerate(dict.fromkeys([*wanted, *_ALWAYS]))}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def _listed(referral: Item) -> Item:
    return keys.listed(str(referral["practice_ods"]), str(referral["created_at"]),
                       str(referral["status"]))


def _count_change(old: str | None, new: str | None, table_name: str) -> Item:
    """One counter item's part of a transaction: one referral out of `old` or into `new`."""
    bucket, step = (new, 1) if new else (old, -1)
    return {"Update": {"TableName": table_name, "Key": keys.counter(str(bucket)),
                       "UpdateExpression": "ADD n :step",
                       "ExpressionAttributeValues": {":step": step}}}


def _attributes(change: ReferralChange) -> tuple[dict[str, Any], list[str]]:
    """A change as attributes to SET and to REMOVE; the sparse list keys follow what they
    index (the waitlist is its index key)."""
    sets: dict[str, Any] = {}
    removes: list[str] = []
    for name, value in change.given().items():
        if name == "waitlist":
            name, value = "waitlist_pk", None if value is None else keys.waitlist(value)
        if value is None:
            removes.append(name)
        else:
            sets[name] = encode(value)
    if "attention" in sets:
        sets["attention_pk"] = keys.ATTENTION
    if "attention" in removes:
        removes.append("attention_pk")
    if "status" in sets and Status(sets["status"]).terminal:
        removes.append("coach_live_pk")
    return sets, removes


def _expected(only_if: ReferralChange) -> ConditionBase:
    """The condition that the referral holds these values (None: has no such field)."""
    condition: ConditionBase = Attr("pk").exists()
    for name, value in only_if.given().items():
        if name == "waitlist":
            name, value = "waitlist_pk", None if value is None else keys.waitlist(value)
        condition = condition & (
            Attr(name).not_exists() if value is None else Attr(name).eq(encode(value)))
    return condition
