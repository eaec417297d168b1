"""A Query on a global secondary index reads only the index's partition, and answers exactly
as moto does after every kind of write: put, update (which moves an item between
partitions), delete, batch, transaction and a cancelled transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import Table

from infra import (
    dynamodb_atomicity,
    dynamodb_index_queries,
    dynamodb_queries,
    dynamodb_transactions,
)
from tests.unit.moto_internals import changed

OTHERS = 50
PATCHES = (dynamodb_atomicity, dynamodb_transactions, dynamodb_queries, dynamodb_index_queries)


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="eu-west-2")
        created = resource.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                  for a in ("pk", "sk", "status", "made", "coach")],
            GlobalSecondaryIndexes=[
                {"IndexName": "ByStatus", "Projection": {"ProjectionType": "ALL"},
                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                               {"AttributeName": "made", "KeyType": "RANGE"}]},
                {"IndexName": "ByCoach", "Projection": {"ProjectionType": "KEYS_ONLY"},
                 "KeySchema": [{"AttributeName": "coach", "KeyType": "HASH"}]}])
        with created.batch_writer() as batch:
            for n in range(OTHERS):
                batch.put_item(Item={"pk": f"OTHER#{n}", "sk": "x", "status": "ended",
                                     "made": f"2026-{n:04}"})
            for n in (3, 1, 4, 5, 9, 2, 6):
                batch.put_item(Item={"pk": f"REF#{n}", "sk": "REF", "n": n, "made": f"2027-0{n}",
                                     "status": "open" if n % 2 else "held", "coach": "amara"})
        for patch in PATCHES:
            patch.install()
        try:
            yield created
        finally:
            for patch in reversed(PATCHES):
                patch.uninstall()


def answers(table: Any) -> list[Any]:
    """Index queries of every shape the service uses: whole partition, either order, a range,
    begins_with, a filter, a projection, pages, a partition nobody is in, a sparse index."""
    open_ = Key("status").eq("open")
    first = table.query(IndexName="ByStatus", KeyConditionExpression=open_, Limit=2)
    newest = table.query(IndexName="ByStatus", KeyConditionExpression=open_, Limit=2,
                         ScanIndexForward=False)
    return [
        newest["Items"], newest.get("LastEvaluatedKey"),
        table.query(IndexName="ByStatus", KeyConditionExpression=open_, Limit=2,
                    ScanIndexForward=False, ExclusiveStartKey=newest["LastEvaluatedKey"])["Items"],
        table.query(IndexName="ByStatus", Limit=1,
                    KeyConditionExpression=open_ & Key("made").lt("2027-05"))["Items"],
        table.query(IndexName="ByStatus", ScanIndexForward=False, Limit=1,
                    KeyConditionExpression=open_ & Key("made").lte("2027-05"))["Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=open_ & Key("made").gt(
            "2027-03"))["Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=open_ & Key("made").eq(
            "2027-05"))["Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=open_ & Key("made").between(
            "2027-02", "2027-06"))["Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=open_)["Items"],
        table.query(IndexName="ByStatus", ScanIndexForward=False,
                    KeyConditionExpression=open_ & Key("made").gte("2027-03"))["Items"],
        table.query(IndexName="ByStatus",
                    KeyConditionExpression=open_ & Key("made").begins_with("2027-0"))["Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=Key("status").eq("held"))[
            "Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=Key("status").eq("held"),
                    FilterExpression=Attr("n").gt(3), ProjectionExpression="pk, n")["Items"],
        first["Items"], first.get("LastEvaluatedKey"),
        table.query(IndexName="ByStatus", KeyConditionExpression=open_,
                    ExclusiveStartKey=first["LastEvaluatedKey"])["Items"],
        table.query(IndexName="ByStatus", KeyConditionExpression=Key("status").eq("none"))[
            "Items"],
        len(table.query(IndexName="ByStatus",
                        KeyConditionExpression=Key("status").eq("ended"))["Items"]),
        table.query(IndexName="ByCoach", KeyConditionExpression=Key("coach").eq("amara"))[
            "Items"],
    ]


def motos_answers(table: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as moto_only:
        moto_only.setattr(Table, "query", dynamodb_index_queries.MOTO_QUERY)
        return answers(table)


def writes(table: Any) -> Iterator[str]:
    """Each kind of write the service makes, one at a time."""
    table.put_item(Item={"pk": "REF#7", "sk": "REF", "n": 7, "made": "2027-07",
                         "status": "open", "coach": "amara"})
    yield "put"
    table.update_item(Key={"pk": "REF#3", "sk": "REF"}, UpdateExpression="SET #s = :s",
                      ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":s": "held"})
    yield "update moving an item to another partition"
    table.update_item(Key={"pk": "REF#5", "sk": "REF"}, UpdateExpression="REMOVE coach")
    yield "update leaving a sparse index"
    table.update_item(Key={"pk": "REF#8", "sk": "REF"},
                      UpdateExpression="SET #s = :s, made = :m, n = :n",
                      ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":s": "open", ":m": "2027-08", ":n": 8})
    yield "update making an item"
    table.delete_item(Key={"pk": "REF#1", "sk": "REF"})
    yield "delete"
    with table.batch_writer() as batch:
        batch.put_item(Item={"pk": "REF#0", "sk": "REF", "n": 0, "made": "2027-00",
                             "status": "open", "coach": "amara"})
        batch.delete_item(Key={"pk": "REF#9", "sk": "REF"})
    yield "batch"
    client = table.meta.client
    client.transact_write_items(TransactItems=[
        {"Update": {"TableName": "t", "Key": {"pk": "REF#4", "sk": "REF"},
                    "UpdateExpression": "SET #s = :s", "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": "open"}}},
        {"Delete": {"TableName": "t", "Key": {"pk": "REF#6", "sk": "REF"}}}])
    yield "transaction"
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(TransactItems=[
            {"Update": {"TableName": "t", "Key": {"pk": "REF#2", "sk": "REF"},
                        "UpdateExpression": "SET #s = :s",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":s": "open"}}},
            {"Put": {"TableName": "t", "Item": {"pk": "REF#4", "sk": "REF", "status": "x",
                                                "made": "2027-04"},
                     "ConditionExpression": "attribute_not_exists(pk)"}}])
    yield "cancelled transaction (rolled back)"


def test_an_index_query_lists_only_its_partition(
    table: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed: list[int] = []
    original = dynamodb_queries._original_all_items

    def counting(self: Table) -> Any:
        items = original(self)
        listed.append(len(items))
        return items

    monkeypatch.setattr(dynamodb_queries, "_original_all_items", counting)
    table.query(IndexName="ByStatus", KeyConditionExpression=Key("status").eq("held"))
    table.query(IndexName="ByCoach", KeyConditionExpression=Key("coach").eq("amara"))
    assert listed == []  # the whole table was not listed
    table.scan(Limit=1)
    assert listed == [OTHERS + 7]  # a scan still reads every item, as on moto


def test_every_answer_is_motos_own_after_every_kind_of_write(
    table: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert answers(table) == motos_answers(table, monkeypatch)
    for write in writes(table):
        assert answers(table) == motos_answers(table, monkeypatch), write
    final = {i["pk"] for i in table.query(
        IndexName="ByStatus", KeyConditionExpression=Key("status").eq("open"))["Items"]}
    assert final == {"REF#0", "REF#4", "REF#5", "REF#7", "REF#8"}  # the writes above did move items


def test_uninstall_puts_back_what_was_there() -> None:
    before = {name: getattr(owner, name)
              for name, (owner, _) in dynamodb_index_queries._PATCHED.items()}
    dynamodb_index_queries.install()
    dynamodb_index_queries.uninstall()
    assert {name: getattr(owner, name)
            for name, (owner, _) in dynamodb_index_queries._PATCHED.items()} == before


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "Table.query": (dynamodb_index_queries.MOTO_QUERY, "002b4d00be6df07c"),
        "Table.all_items": (dynamodb_index_queries.MOTO_ALL_ITEMS, "c80d2ee3c896acd0"),
        "Table.put_item": (dynamodb_index_queries.MOTO_PUT_ITEM, "de23933013ef8426"),
        "Table.delete_item": (dynamodb_index_queries.MOTO_DELETE_ITEM, "1594f7b07616c8cb"),
        "DynamoDBBackend.update_item": (dynamodb_index_queries.MOTO_UPDATE_ITEM,
                                        "218984588dd689a5"),
        "DynamoDBBackend.transact_write_items": (dynamodb_index_queries.MOTO_TRANSACT,
                                                 "81db2cb7d94e39c9"),
    }) == {}
