"""A projected read converts each item once, and answers exactly as moto did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import Item

from infra import dynamodb_projection
from tests.unit.moto_internals import changed

REFERRAL: dict[str, Any] = {"pk": "R#1", "sk": "REFERRAL", "stage": "IN_WORK", "n": 3,
            "job": {"hours_per_week": "20", "pay_band": "nlw", "things": ["a", "b", "c"]},
            "timeline": [{"at": f"2026-01-0{i}", "event": f"e{i}"} for i in range(1, 8)]}
PROJECTIONS = ["stage, n", "job, job.pay_band", "job.things[1], job.things",
               "timeline, timeline[0].event, absent", "job.things[2], job"]


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="eu-west-2")
        created = resource.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                  for a in ("pk", "sk")])
        created.put_item(Item=REFERRAL)
        yield created


def answers(table: Any) -> list[Any]:
    return [table.get_item(Key={"pk": "R#1", "sk": "REFERRAL"},
                           ProjectionExpression=p).get("Item") for p in PROJECTIONS]


def test_the_answers_are_motos_own(table: Any) -> None:
    expected = answers(table)
    dynamodb_projection.install()
    try:
        assert answers(table) == expected
    finally:
        dynamodb_projection.uninstall()
    assert expected[0] == {"stage": "IN_WORK", "n": 3}


def test_an_item_is_converted_once_per_projection(table: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    conversions: list[int] = []
    original = Item.to_regular_json

    def counting(self: Item) -> Any:
        conversions.append(1)
        return original(self)

    monkeypatch.setattr(Item, "to_regular_json", counting)
    dynamodb_projection.install()
    try:
        table.get_item(Key={"pk": "R#1", "sk": "REFERRAL"},
                       ProjectionExpression="stage, n, job, timeline, pk, sk")
    finally:
        dynamodb_projection.uninstall()
    assert len(conversions) == 1


def test_uninstall_puts_motos_own_projection_back() -> None:
    dynamodb_projection.install()
    dynamodb_projection.uninstall()
    assert Item.project is dynamodb_projection._original_project


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "Item.project": (dynamodb_projection._original_project, "f411e6d8b56886f4"),
    }) == {}
