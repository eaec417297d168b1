"""DynamoDB's answers are byte for byte what moto's own serializer makes, with far less work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.serialize import BaseJSONSerializer

from infra import dynamodb_serializer
from tests.unit.moto_internals import changed

ITEM = {"pk": {"S": "REFERRAL#1"}, "sk": {"S": "REFERRAL"}, "n": {"N": "12.5"},
        "ok": {"BOOL": False}, "none": {"NULL": True}, "tags": {"SS": ["a", "b"]},
        "nums": {"NS": ["1", "2"]}, "blob": {"B": b"\x00\xff"}, "blobs": {"BS": [b"\x01"]},
        "appointment": {"M": {"start": {"S": "2027-01-04T09:00"}, "n": {"N": "3"}}},
        "timeline": {"L": [{"M": {"event": {"S": f"e{i}"}, "at": {"S": "2027"}}}
                           for i in range(40)]}}


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        dynamodb: Any = boto3.client("dynamodb", region_name="eu-west-2")
        dynamodb.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                  for a in ("pk", "sk")])
        for n in range(8):
            dynamodb.put_item(TableName="t", Item={**ITEM, "sk": {"S": f"R{n:02}"}})
        yield dynamodb


def answers(client: Any) -> list[Any]:
    def body(response: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in response.items() if k != "ResponseMetadata"}

    return [body(client.query(TableName="t", KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": "REFERRAL#1"}})),
            body(client.get_item(TableName="t", Key={"pk": ITEM["pk"], "sk": {"S": "R03"}})),
            body(client.scan(TableName="t", Limit=3)),
            body(client.update_item(TableName="t", Key={"pk": ITEM["pk"], "sk": {"S": "R04"}},
                                    UpdateExpression="SET n = :n", ReturnValues="ALL_NEW",
                                    ExpressionAttributeValues={":n": {"N": "13.5"}})),
            body(client.batch_get_item(RequestItems={"t": {"Keys": [
                {"pk": ITEM["pk"], "sk": {"S": "R05"}}]}}))]


def test_the_answers_are_motos_own(client: Any) -> None:
    answers(client)  # its update lands first
    expected = answers(client)
    dynamodb_serializer.install()
    try:
        patched = answers(client)
    finally:
        dynamodb_serializer.uninstall()
    assert patched == expected
    assert patched[1]["Item"]["blob"] == {"B": b"\x00\xff"}  # bytes went through moto's code


def test_a_query_of_big_items_walks_a_fraction_of_the_values(
        client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed itself is `make bench`'s to measure: a timed test would race the machine. What
    makes it quicker is that an item's values are no longer walked member by member, so count
    the structures the serializer walks."""
    def walks() -> int:
        walked = 0
        installed = BaseJSONSerializer._serialize_type_structure

        def counting(self: Any, *args: Any) -> None:
            nonlocal walked
            walked += 1
            installed(self, *args)

        monkeypatch.setattr(BaseJSONSerializer, "_serialize_type_structure", counting)
        client.query(TableName="t", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "REFERRAL#1"}})
        monkeypatch.setattr(BaseJSONSerializer, "_serialize_type_structure", installed)
        return walked

    moto = walks()
    dynamodb_serializer.install()
    try:
        patched = walks()
    finally:
        dynamodb_serializer.uninstall()
    assert patched * 10 < moto


def test_uninstall_puts_motos_own_back() -> None:
    dynamodb_serializer.install()
    dynamodb_serializer.uninstall()
    assert BaseJSONSerializer._serialize_type_structure is \
        dynamodb_serializer.MOTO_SERIALIZE_STRUCTURE


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "BaseJSONSerializer._serialize_type_structure": (
            dynamodb_serializer.MOTO_SERIALIZE_STRUCTURE, "36873909cd0aeb4d"),
    }) == {}
