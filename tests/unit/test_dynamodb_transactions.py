"""TransactWriteItems sets aside only the items it writes, and still answers as DynamoDB does:
all or nothing, one reason per item, never two winners of a conditional counter."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from infra import dynamodb_atomicity, dynamodb_transactions
from tests.unit.moto_internals import changed

ROWS = 500


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        dynamodb_atomicity.install()
        dynamodb_transactions.install()
        try:
            dynamodb: Any = boto3.client("dynamodb", region_name="eu-west-2")
            for name, keys in (("main", ("pk", "sk")), ("personal", ("referral_id",))):
                dynamodb.create_table(
                    TableName=name, BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": keys[0], "KeyType": "HASH"}]
                    + [{"AttributeName": k, "KeyType": "RANGE"} for k in keys[1:]],
                    AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"}
                                          for k in keys])
            dynamodb.put_item(TableName="main", Item={"pk": {"S": "COACH#a"}, "sk": {"S": "COACH"},
                                                      "active": {"N": "0"}})
            yield dynamodb
        finally:
            dynamodb_transactions.uninstall()
            dynamodb_atomicity.uninstall()


def put(table: str, condition: bool = True, **item: str) -> dict[str, Any]:
    key = "pk" if table == "main" else "referral_id"
    op: dict[str, Any] = {"TableName": table, "Item": {k: {"S": v} for k, v in item.items()}}
    if condition:
        op["ConditionExpression"] = f"attribute_not_exists({key})"
    return {"Put": op}


def take_place(cap: int) -> dict[str, Any]:
    return {"Update": {"TableName": "main", "Key": {"pk": {"S": "COACH#a"}, "sk": {"S": "COACH"}},
                       "UpdateExpression": "SET active = active + :one",
                       "ConditionExpression": "active < :cap",
                       "ExpressionAttributeValues": {":one": {"N": "1"},
                                                     ":cap": {"N": str(cap)}}}}


def get(client: Any, table: str, **key: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = client.get_item(
        TableName=table, Key={k: {"S": v} for k, v in key.items()}).get("Item")
    return item


def active(client: Any) -> int:
    item = get(client, "main", pk="COACH#a", sk="COACH")
    assert item is not None
    return int(item["active"]["N"])


def test_a_transaction_copies_no_table(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(ROWS):
        client.put_item(TableName="main", Item={"pk": {"S": f"R#{n}"}, "sk": {"S": "R"}})

    def refuse(table: Table, memo: Any) -> Table:
        raise AssertionError("the transaction deep-copied a whole table")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    client.transact_write_items(TransactItems=[
        put("main", pk="R#new", sk="R"), put("personal", referral_id="new"), take_place(5)])
    assert active(client) == 1
    assert get(client, "personal", referral_id="new") is not None


def test_a_cancelled_transaction_leaves_every_item_as_it_was(client: Any) -> None:
    client.put_item(TableName="main", Item={"pk": {"S": "R#1"}, "sk": {"S": "R"},
                                            "status": {"S": "received"}})
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(TransactItems=[
            take_place(5),
            put("personal", referral_id="1"),
            {"Update": {"TableName": "main", "Key": {"pk": {"S": "R#1"}, "sk": {"S": "R"}},
                        "UpdateExpression": "SET #s = :s",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":s": {"S": "allocated"}}}},
            {"Delete": {"TableName": "main", "Key": {"pk": {"S": "R#1"}, "sk": {"S": "R"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    # Two operations on one item cancel it all: the three writes before are undone.
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert active(client) == 0
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=[
            take_place(5),
            put("personal", referral_id="1"),
            {"ConditionCheck": {"TableName": "main", "Key": {"pk": {"S": "R#1"}, "sk": {"S": "R"}},
                                "ConditionExpression": "#s = :other",
                                "ExpressionAttributeNames": {"#s": "status"},
                                "ExpressionAttributeValues": {":other": {"S": "allocated"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    error: Any = cancelled.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    reasons = error["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert reasons[2]["Item"]["status"] == {"S": "received"}
    assert active(client) == 0
    assert get(client, "personal", referral_id="1") is None
    item = get(client, "main", pk="R#1", sk="R")
    assert item is not None
    assert item["status"] == {"S": "received"}


def test_a_deleted_item_comes_back_when_the_transaction_fails(client: Any) -> None:
    client.put_item(TableName="personal", Item={"referral_id": {"S": "9"}, "n": {"S": "x"}})
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "personal", "Key": {"referral_id": {"S": "9"}}}},
            take_place(0),
        ])
    assert get(client, "personal", referral_id="9") == {"referral_id": {"S": "9"}, "n": {"S": "x"}}


def test_concurrent_transactions_never_take_more_places_than_the_cap(client: Any) -> None:
    cap, threads, attempts = 30, 8, 10
    outcomes: list[str] = []

    def allocate(worker: int) -> None:
        own: Any = boto3.client("dynamodb", region_name="eu-west-2")
        for n in range(attempts):
            try:
                own.transact_write_items(TransactItems=[
                    take_place(cap),
                    put("main", pk=f"R#{worker}-{n}", sk="R")])
                outcomes.append("won")
            except ClientError as error:
                outcomes.append(error.response["Error"]["Code"])

    running = [threading.Thread(target=allocate, args=(w,)) for w in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert outcomes.count("won") == cap
    assert set(outcomes) == {"won", "TransactionCanceledException"}
    assert active(client) == cap
    rows = client.scan(TableName="main")["Items"]
    assert sum(1 for r in rows if r["pk"]["S"].startswith("R#")) == cap


def test_each_items_condition_is_judged_once_in_the_engine(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The item's condition is checked against the item under the lock, then written: moto's
    own write need not parse and judge it a second time (the handler's check of the
    request's placeholders is moto's, and stays)."""
    judged: list[str | None] = []
    moto_parse = ConditionExpressionParser.parse

    def parse(self: ConditionExpressionParser) -> Any:
        judged.append(self.condition_expression)
        return moto_parse(self)

    monkeypatch.setattr(ConditionExpressionParser, "parse", parse)
    client.transact_write_items(TransactItems=[
        take_place(cap=5), put("personal", referral_id="r-1"),
        {"Delete": {"TableName": "main", "Key": {"pk": {"S": "GONE"}, "sk": {"S": "X"}},
                    "ConditionExpression": "attribute_not_exists(pk)"}}])

    # Once by moto's handler (the placeholders used), once against the item.
    assert judged.count("active < :cap") == 2
    assert judged.count("attribute_not_exists(referral_id)") == 2
    assert judged.count("attribute_not_exists(pk)") == 2


def test_uninstall_puts_motos_own_transaction_back() -> None:
    dynamodb_transactions.install()
    dynamodb_transactions.uninstall()
    assert DynamoDBBackend.transact_write_items is dynamodb_transactions._original


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "DynamoDBBackend.transact_write_items": (dynamodb_transactions._original,
                                                 "81db2cb7d94e39c9"),
        "DynamoDBBackend.get_keys_value": (DynamoDBBackend.get_keys_value, "1f948797496ddc2c"),
        "Table.get_item": (Table.get_item, "b08e98fe37b7e583"),
        "Table.put_item": (Table.put_item, "de23933013ef8426"),
        "Table.delete_item": (Table.delete_item, "1594f7b07616c8cb"),
    }) == {}
