"""What every repository shares: the two tables (one for the workflow side, ids and enums; one
for personal data, one item per referral and its case record, so that erasure is a few
deletes and nothing else reads it), conditions, and how a conditional write reports losing.

boto3 is imported on first use: importing it is the costliest part of a cold start, so it
waits for the first request that reaches DynamoDB."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import Attr as AttrCondition
    from boto3.dynamodb.conditions import ConditionBase
    from boto3.dynamodb.conditions import Key as KeyCondition

    from workingbetter.adapters.update_expression import Update

Item = dict[str, Any]
BATCH = 100  # BatchGetItem's most keys a call


def Key(name: str) -> KeyCondition:
    from boto3.dynamodb.conditions import Key as key

    return key(name)


def Attr(name: str) -> AttrCondition:
    from boto3.dynamodb.conditions import Attr as attr

    return attr(name)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ConditionFailed(Exception):
    """A conditional write lost: the item was not in the state the writer expected."""


class ReferenceTaken(Exception):
    """The short reference drawn for a new referral already belongs to another."""


def is_condition_failure(error: ClientError) -> bool:
    """True only when a condition lost; throttling and conflicts still raise (and are retried)."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


def cancel_codes(error: ClientError, first: bool = False) -> set[str]:
    """Why a transaction was cancelled (with `first`, why its first item was)."""
    reasons = error.response.get("CancellationReasons", [])
    return {str(r.get("Code")) for r in (reasons[:1] if first else reasons)}


def conditional(write: Callable[[], object]) -> bool:
    """Run a conditional write: True if it landed, False if its condition did not hold."""
    try:
        write()
    except ClientError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def transact_update(table_name: str, key: Item, written: Update,
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


def key_of(personal_item: Item) -> Item:
    return {"referral_id": personal_item["referral_id"], "sk": personal_item["sk"]}


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


class Tables:
    """The service's tables, for the repositories built on them (`store.py`)."""

    def __init__(self, table_name: str, personal_data_table_name: str,
                 idempotency_table_name: str) -> None:
        self.table_name = table_name
        self.personal_data_table_name = personal_data_table_name
        self.idempotency_table_name = idempotency_table_name
        # The resource's client takes plain Python values, transactions included.
        # boto3 resources are not thread-safe; the local stack serves many threads at once.
        self._local = threading.local()

    def resource(self) -> Any:
        if not hasattr(self._local, "resource"):
            import boto3  # on first use: see the module's docstring

            self._local.resource = boto3.resource("dynamodb")
        return self._local.resource

    @property
    def table(self) -> Any:
        return self._table("table", self.table_name)

    @property
    def personal(self) -> Any:
        return self._table("personal", self.personal_data_table_name)

    def _table(self, which: str, name: str) -> Any:
        """One Table object per thread, kept: boto3 builds a new class (its whole shape model)
        for every `Table(...)`, which cost a third of the CPU of every call that made one."""
        found = getattr(self._local, which, None)
        if found is None:
            found = self.resource().Table(name)
            setattr(self._local, which, found)
        return found

    @property
    def client(self) -> Any:
        return self.resource().meta.client

    def get(self, key: Item, table: Any = None) -> Item | None:
        item = (table or self.table).get_item(Key=key, ConsistentRead=True).get("Item")
        return cast(Item | None, item)

    def pages(self, table: Any, **query: Any) -> Iterator[Item]:
        """Every item a Query finds, page after page."""
        while True:
            page = table.query(**query)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def personal_items(self, referral_id: str) -> list[Item]:
        """Every personal-data item of the referral: the patient's details, the coach's case
        record and notes (one Query)."""
        return list(self.pages(self.personal, ConsistentRead=True,
                               KeyConditionExpression=Key("referral_id").eq(referral_id)))

    def batch_get(self, table_name: str, keys: list[Item], projection: str = "",
                  names: dict[str, str] | None = None) -> list[Item]:
        items: list[Item] = []
        request: dict[str, Any] = {table_name: {
            "Keys": keys, "ConsistentRead": True,
            **({"ProjectionExpression": projection} if projection else {}),
            **({"ExpressionAttributeNames": names} if names else {})}}
        for attempt in range(8):
            reply = self.resource().batch_get_item(RequestItems=request)
            items += reply["Responses"].get(table_name, [])
            request = reply.get("UnprocessedKeys") or {}
            if not request:
                return items
            time.sleep(0.05 * 2 ** attempt)  # DynamoDB asks to back off before the rest
        raise RuntimeError("BatchGetItem left keys unprocessed after retries")

