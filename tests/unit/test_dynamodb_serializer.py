"""DynamoDB's answers are byte for byte what moto's own serializer makes, only quicker."""

from __future__ import annotations

import time
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


def test_a_query_of_big_items_is_quicker(client: Any) -> None:
    def timed() -> float:
        # This thread's CPU only (moto answers in it): another test's threads winding down
        # in the same worker must not count.
        started = time.thread_time()
        for _ in range(3):
            client.query(TableName="t", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "REFERRAL#1"}})
        return time.thread_time() - started

    moto = timed()
    dynamodb_serializer.install()
    try:
        patched = timed()
    finally:
        dynamodb_serializer.uninstall()
    assert patched < moto


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
