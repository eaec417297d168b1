"""A Query on a table's own key reads only its partition, and answers exactly as moto did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from moto import mock_aws
from moto.dynamodb.models.table import Table

from infra import dynamodb_queries
from tests.unit.moto_internals import changed

OTHER_PARTITIONS = 300


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="eu-west-2")
        created = resource.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                  for a in ("pk", "sk", "status")],
            GlobalSecondaryIndexes=[{
                "IndexName": "ByStatus", "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}]}])
        with created.batch_writer() as batch:
            for n in range(OTHER_PARTITIONS):
                batch.put_item(Item={"pk": f"OTHER#{n}", "sk": "x", "status": "open"})
            for n in (3, 1, 4, 5, 9, 2, 6):
                batch.put_item(Item={"pk": "SLOT#a", "sk": f"2027-01-0{n}", "n": n,
                                     "status": "open" if n % 2 else "held"})
        yield created


def queries(table: Any) -> list[Any]:
    """Answers to base-table and index queries of every shape the service uses."""
    own = Key("pk").eq("SLOT#a")
    first = table.query(KeyConditionExpression=own, Limit=3)
    return [
        table.query(KeyConditionExpression=own)["Items"],
        table.query(KeyConditionExpression=own & Key("sk").gte("2027-01-04"),
                    ScanIndexForward=False)["Items"],
        table.query(KeyConditionExpression=own, FilterExpression=Attr("n").gt(3))["Items"],
        first["Items"],
        table.query(KeyConditionExpression=own, ExclusiveStartKey=first["LastEvaluatedKey"])[
            "Items"],
        table.query(KeyConditionExpression=Key("pk").eq("NOBODY"))["Items"],
        len(table.query(IndexName="ByStatus",
                        KeyConditionExpression=Key("status").eq("open"))["Items"]),
    ]


def test_a_query_on_the_tables_key_lists_only_its_partition(
    table: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed: list[int] = []
    original = dynamodb_queries._original_all_items

    def counting(self: Table) -> Any:
        items = original(self)
        listed.append(len(items))
        return items

    monkeypatch.setattr(dynamodb_queries, "_original_all_items", counting)
    dynamodb_queries.install()
    try:
        table.query(KeyConditionExpression=Key("pk").eq("SLOT#a"))
        assert listed == []  # the whole table was not listed
        table.query(IndexName="ByStatus", KeyConditionExpression=Key("status").eq("held"))
        assert listed == [OTHER_PARTITIONS + 7]  # an index query still reads every item
    finally:
        dynamodb_queries.uninstall()


def test_the_answers_are_motos_own(table: Any) -> None:
    expected = queries(table)
    dynamodb_queries.install()
    try:
        assert queries(table) == expected
    finally:
        dynamodb_queries.uninstall()
    assert [i["n"] for i in expected[0]] == [1, 2, 3, 4, 5, 6, 9]


def test_uninstall_puts_motos_own_query_back() -> None:
    dynamodb_queries.install()
    dynamodb_queries.uninstall()
    assert Table.query is dynamodb_queries._original_query
    assert Table.all_items is dynamodb_queries._original_all_items


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "Table.query": (dynamodb_queries._original_query, "002b4d00be6df07c"),
        "Table.all_items": (dynamodb_queries._original_all_items, "c80d2ee3c896acd0"),
    }) == {}
