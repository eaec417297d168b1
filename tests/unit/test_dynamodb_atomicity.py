"""The local engine's DynamoDB keeps DynamoDB's promise: concurrent writes to one item all land."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import dynamodb_atomicity

WRITERS, WRITES_EACH = 8, 25


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb_atomicity.install()
        try:
            resource = boto3.resource("dynamodb", region_name="eu-west-2")
            created = resource.create_table(
                TableName="t", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
            created.put_item(Item={"pk": "one", "events": [], "count": 0})
            yield created
        finally:
            dynamodb_atomicity.uninstall()


def test_concurrent_appends_and_counters_on_one_item_all_land(table: Any) -> None:
    def write(writer: int) -> None:
        client = boto3.resource("dynamodb", region_name="eu-west-2").Table("t")
        for n in range(WRITES_EACH):
            client.update_item(
                Key={"pk": "one"},
                UpdateExpression="SET events = list_append(events, :e) ADD #c :one",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":e": [f"{writer}-{n}"], ":one": 1})

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    item = table.get_item(Key={"pk": "one"})["Item"]
    assert item["count"] == WRITERS * WRITES_EACH
    assert len(set(item["events"])) == WRITERS * WRITES_EACH


def test_uninstall_restores_moto() -> None:
    original = dynamodb_atomicity._original
    dynamodb_atomicity.install()
    dynamodb_atomicity.uninstall()
    from moto.dynamodb.responses import DynamoHandler

    assert DynamoHandler.call_action is original
