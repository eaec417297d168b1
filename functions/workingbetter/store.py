"""DynamoDB adapter: the referral, its timeline, coach capacity, slots and personal data.

One table holds the workflow side (ids and enums); a second holds one personal-data item per
referral so that erasure is one delete and nothing else ever needs to read it.
Every change of status is a conditional write, so two writers can never both win.
"""

from __future__ import annotations

import hmac
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from workingbetter.domain.referral import TERMINAL, Status

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import Attr as AttrCondition
    from boto3.dynamodb.conditions import ConditionBase
    from boto3.dynamodb.conditions import Key as KeyCondition

Item = dict[str, Any]


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


def _ref_key(referral_id: str) -> Item:
    return {"pk": f"REFERRAL#{referral_id}", "sk": "REFERRAL"}


def _personal_key(referral_id: str) -> Item:
    """The patient's details: the first of a referral's personal-data items (notes follow)."""
    return {"referral_id": referral_id, "sk": "PATIENT"}


def _key_of(personal_item: Item) -> Item:
    return {"referral_id": personal_item["referral_id"], "sk": personal_item["sk"]}


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


def _is_condition_failure(error: ClientError) -> bool:
    """True only when a condition lost; throttling and conflicts still raise (and are retried)."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


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

    def referral(self, referral_id: str) -> Item | None:
        return self._get(_ref_key(referral_id))

    def read_personal_data(self, referral_id: str, actor: str, purpose: str) -> Item | None:
        """Every read of personal data leaves an audit entry first: who, when, why."""
        at = now_iso()
        self.table.put_item(Item={
            "pk": f"AUDIT#{referral_id}", "sk": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at, "actor": actor, "purpose": purpose,
        })
        return self._get(_personal_key(referral_id), self.personal)

    def notes(self, referral_id: str) -> list[Item]:
        """The coach's notes on a referral, oldest first (each an item of its own)."""
        return [i for i in self._personal_items(referral_id) if i["sk"].startswith("NOTE#")]

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

    def audit_trail(self, referral_id: str) -> list[Item]:
        page = self.table.query(KeyConditionExpression=Key("pk").eq(f"AUDIT#{referral_id}"))
        return [{"at": i["at"], "actor": i["actor"], "purpose": i["purpose"]}
                for i in page["Items"]]

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
        self.table.put_item(Item={"pk": f"REFERRAL#{referral_id}", "sk": "WITHDRAW_LINK",
                                  "token_hash": token_hash})

    def use_withdraw_link(self, referral_id: str, token_hash: str) -> bool:
        """Single use: the link is deleted as it is used; False if unknown, used or expired."""
        return conditional(lambda: self.table.delete_item(
            Key={"pk": f"REFERRAL#{referral_id}", "sk": "WITHDRAW_LINK"},
            ConditionExpression=Attr("token_hash").eq(token_hash)))

    def withdraw_link_is_live(self, referral_id: str, token_hash: str) -> bool:
        """Read only: showing the patient's page must not use the link up."""
        link = self._get({"pk": f"REFERRAL#{referral_id}", "sk": "WITHDRAW_LINK"})
        return link is not None and hmac.compare_digest(str(link["token_hash"]), token_hash)

    def drop_withdraw_link(self, referral_id: str) -> None:
        self.table.delete_item(Key={"pk": f"REFERRAL#{referral_id}", "sk": "WITHDRAW_LINK"})

    def note_on_referral(self, referral_id: str, name: str, value: Any) -> None:
        """Bookkeeping that is not a change of state (no timeline entry)."""
        self.table.update_item(Key=_ref_key(referral_id), UpdateExpression="SET #n = :v",
                               ExpressionAttributeNames={"#n": name},
                               ExpressionAttributeValues={":v": value})

    def add_run(self, referral_id: str, run_name: str) -> None:
        """List a run the referral now has (once, however often a task is retried)."""
        conditional(lambda: self.table.update_item(
            Key=_ref_key(referral_id),
            UpdateExpression="SET #runs = list_append(if_not_exists(#runs, :none), :run), "
            "run_name = :name",
            ConditionExpression="attribute_exists(pk) AND NOT contains(#runs, :name)",
            ExpressionAttributeNames={"#runs": "runs"},
            ExpressionAttributeValues={":none": [], ":run": [run_name], ":name": run_name}))

    def _query_all(self, index: str, key: str, value: str) -> list[Item]:
        items: list[Item] = []
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": Key(key).eq(value),
            "ScanIndexForward": False,
        }
        while True:
            page = self.table.query(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def referrals_for_practice(self, practice_ods: str) -> list[Item]:
        return self._query_all("ByPractice", "practice_pk", f"PRACTICE#{practice_ods}")

    def referrals_for_coach(self, coach_id: str) -> list[Item]:
        return self._query_all("ByCoach", "coach_pk", f"COACH#{coach_id}")

    def referrals_with_status(self, status: Status) -> list[Item]:
        return self._query_all("ByStatus", "status", str(status))

    def waitlist(self, practice_ods: str) -> list[str]:
        """Waitlisted referral ids at a practice, longest-waiting first."""
        page = self.table.query(IndexName="ByWaitlist", ScanIndexForward=True,
                                KeyConditionExpression=Key("waitlist_pk").eq(
                                    f"WAITLIST#{practice_ods}"))
        return [str(i["pk"]).removeprefix("REFERRAL#") for i in page["Items"]]

    def practices(self) -> list[Item]:
        return cast(list[Item],
                    self.table.query(KeyConditionExpression=Key("pk").eq("PRACTICE"))["Items"])

    def practice(self, practice_ods: str) -> Item | None:
        return self._get({"pk": "PRACTICE", "sk": practice_ods})

    def coach(self, coach_id: str) -> Item | None:
        return self._get({"pk": f"COACH#{coach_id}", "sk": "COACH"})

    def booked_slots(self, coach_id: str, from_iso: str) -> list[str]:
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"SLOT#{coach_id}") & Key("sk").gte(from_iso),
            ConsistentRead=True,
        )
        return [item["sk"] for item in page["Items"]]

    # -- seeding (local stack and deploy script) -------------------------------------------

    def put_practice(self, practice_ods: str, name: str, sessions: list[Item],
                     email: str) -> None:
        """A participating practice; `email` is its generic mailbox for feedback."""
        self.table.put_item(
            Item={"pk": "PRACTICE", "sk": practice_ods, "practice_ods": practice_ods,
                  "name": name, "sessions": sessions, "email": email}
        )

    def put_coach(self, coach_id: str, practice_ods: str, weekday: int) -> None:
        """Create a coach with an empty caseload; an existing coach keeps its count."""
        self.table.update_item(
            Key={"pk": f"COACH#{coach_id}", "sk": "COACH"},
            UpdateExpression="SET coach_id = :c, practice_ods = :p, weekday = :w, "
            "active = if_not_exists(active, :zero)",
            ExpressionAttributeValues={":c": coach_id, ":p": practice_ods, ":w": weekday,
                                       ":zero": 0},
        )

    # -- intake ----------------------------------------------------------------------------

    def create_referral(self, referral: Item, personal: Item, patient_key: str) -> None:
        """Workflow item, personal-data item and the one-active-referral marker, all or none."""
        referral_id = referral["referral_id"]
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table_name,
                             "Item": ({**_ref_key(referral_id), **referral}),
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Put": {"TableName": self.personal_data_table_name,
                             "Item": ({**personal, **_personal_key(referral_id)}),
                             "ConditionExpression": "attribute_not_exists(referral_id)"}},
                    {"Put": {"TableName": self.table_name,
                             "Item": ({"pk": f"PATIENT#{patient_key}", "sk": "ACTIVE",
                                             "referral_id": referral_id}),
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ]
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            # The id is new, so only our own earlier attempt can have written it: a retry
            # whose first response was lost (a timeout) finds its own write and goes on.
            if self.referral(referral_id) is None:
                raise ConditionFailed from error

    def remove_unstarted_referral(self, referral_id: str, patient_key: str) -> None:
        """Undo create_referral when its run could not be started (all three items, at once)."""
        self.client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self.table_name, "Key": _ref_key(referral_id),
                            "ConditionExpression": "#st = :received",
                            "ExpressionAttributeNames": {"#st": "status"},
                            "ExpressionAttributeValues": {":received": str(Status.RECEIVED)}}},
                {"Delete": {"TableName": self.personal_data_table_name,
                            "Key": _personal_key(referral_id)}},
                {"Delete": {"TableName": self.table_name,
                            "Key": {"pk": f"PATIENT#{patient_key}", "sk": "ACTIVE"},
                            "ConditionExpression": "referral_id = :r",
                            "ExpressionAttributeValues": {":r": referral_id}}},
            ]
        )

    def active_referral_for_patient(self, patient_key: str) -> str | None:
        item = self._get({"pk": f"PATIENT#{patient_key}", "sk": "ACTIVE"})
        return None if item is None else str(item["referral_id"])

    # -- changes ---------------------------------------------------------------------------

    def update(
        self,
        referral_id: str,
        event: Event | None,
        *,
        set_fields: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        only_if_status: Iterable[Status] | None = None,
        only_if: Mapping[str, Any] | None = None,
        require_live: bool = True,
    ) -> Item:
        """Change the referral and append to its timeline in one conditional write.

        Returns the item as it is after the write; raises ConditionFailed when it was not in
        the expected status, had different values for `only_if`, or (by default) had ended.
        With no event (bookkeeping, such as a retried task's fresh token) the timeline stays.
        """
        at = now_iso()
        fields = {**(set_fields or {}), "updated_at": at}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets: list[str] = []
        if event is not None:
            names["#timeline"] = "timeline"
            values.update({":event": [event.as_item(at)], ":empty": []})
            sets.append("#timeline = list_append(if_not_exists(#timeline, :empty), :event)")
        for i, (name, value) in enumerate(fields.items()):
            names[f"#s{i}"] = name
            values[f":s{i}"] = value
            sets.append(f"#s{i} = :s{i}")
        expression = "SET " + ", ".join(sets)
        removes = list(remove)
        for i, name in enumerate(removes):
            names[f"#r{i}"] = name
        if removes:
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
        condition: ConditionBase = Attr("pk").exists()
        if only_if_status is not None:
            condition = condition & Attr("status").is_in([str(s) for s in only_if_status])
        elif require_live:
            condition = condition & ~Attr("status").is_in([str(s) for s in TERMINAL])
        for name, value in (only_if or {}).items():
            condition = condition & (
                Attr(name).not_exists() if value is None else Attr(name).eq(value)
            )
        try:
            result = self.table.update_item(
                Key=_ref_key(referral_id),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _is_condition_failure(error):
                raise ConditionFailed from error
            raise
        return cast(Item, result["Attributes"])

    def allocate(self, referral_id: str, coach_id: str, cap: int, event: Event) -> Item:
        """Take one place in a coach's caseload and give it to the referral, atomically.

        The counter's condition keeps a caseload at or below `cap` whatever runs concurrently;
        the referral's condition makes a retried allocation a no-op instead of a second place.
        """
        at = now_iso()
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Update": {
                        "TableName": self.table_name,
                        "Key": {"pk": f"COACH#{coach_id}", "sk": "COACH"},
                        "UpdateExpression": "SET active = active + :one",
                        "ConditionExpression": "active < :cap",
                        "ExpressionAttributeValues": {":one": 1, ":cap": cap},
                    }},
                    {"Update": {
                        "TableName": self.table_name,
                        "Key": _ref_key(referral_id),
                        "UpdateExpression": "SET coach_id = :c, coach_pk = :cpk, #st = :st, "
                        "updated_at = :at, timeline = list_append(timeline, :ev) "
                        "REMOVE waitlist_pk, awaiting",
                        "ConditionExpression": "attribute_not_exists(coach_id) AND "
                        "#st IN (:triage, :waitlisted)",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": ({
                            ":c": coach_id, ":cpk": f"COACH#{coach_id}",
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
        item = self.referral(referral_id)
        assert item is not None
        return item

    def set_caseload(self, coach_id: str, counted: int, holding: int) -> bool:
        """Repair a coach's counter to the places really held, if it still reads `counted`."""
        return conditional(lambda: self.table.update_item(
            Key={"pk": f"COACH#{coach_id}", "sk": "COACH"}, UpdateExpression="SET active = :h",
            ConditionExpression=Attr("active").eq(counted),
            ExpressionAttributeValues={":h": holding}))

    def release_capacity(self, referral_id: str, coach_id: str) -> bool:
        """Give the coach's place back exactly once; False if it was already given back."""
        return conditional(lambda: self.client.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": self.table_name,
                "Key": {"pk": f"COACH#{coach_id}", "sk": "COACH"},
                "UpdateExpression": "SET active = active - :one",
                "ConditionExpression": "active > :zero",
                "ExpressionAttributeValues": {":one": 1, ":zero": 0},
            }},
            {"Update": {
                "TableName": self.table_name,
                "Key": _ref_key(referral_id),
                "UpdateExpression": "SET capacity_released = :t",
                "ConditionExpression": "coach_id = :c AND attribute_not_exists(capacity_released)",
                "ExpressionAttributeValues": {":t": True, ":c": coach_id},
            }},
        ]))

    def hold_slot(self, coach_id: str, start_iso: str, referral_id: str) -> bool:
        """Claim a diary slot; False if someone else holds it (never double-booked)."""
        return conditional(lambda: self.table.put_item(
            Item={"pk": f"SLOT#{coach_id}", "sk": start_iso, "referral_id": referral_id},
            ConditionExpression=Attr("pk").not_exists() | Attr("referral_id").eq(referral_id)))

    def free_slot(self, coach_id: str, start_iso: str, referral_id: str) -> None:
        conditional(lambda: self.table.delete_item(
            Key={"pk": f"SLOT#{coach_id}", "sk": start_iso},
            ConditionExpression=Attr("referral_id").eq(referral_id)))

    def end_patient_marker(self, patient_key: str, referral_id: str) -> None:
        """Let the patient be referred again once this referral has ended."""
        conditional(lambda: self.table.delete_item(
            Key={"pk": f"PATIENT#{patient_key}", "sk": "ACTIVE"},
            ConditionExpression=Attr("referral_id").eq(referral_id)))

    def add_note(self, referral_id: str, note: Item) -> Item | None:
        """A coach's free text (goals, reasons, employer) lives with the personal data, each
        note an item of its own so that no item outgrows DynamoDB's 400 KB as notes build up.
        Returns the note's key, so that a caller whose next write fails can take it back;
        None when the personal data was erased (a note must never follow an erasure)."""
        key = {"referral_id": referral_id,
               "sk": f"NOTE#{note.get('at') or now_iso()}#{uuid.uuid4().hex[:8]}"}
        landed = conditional(lambda: self.client.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": self.personal_data_table_name,
                                "Key": _personal_key(referral_id),
                                "ConditionExpression": "attribute_exists(referral_id)"}},
            {"Put": {"TableName": self.personal_data_table_name, "Item": {**note, **key}}},
        ]))
        return key if landed else None

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
        return self._get({"pk": f"ERASED#{request_hash}", "sk": "ERASED"}) is not None
