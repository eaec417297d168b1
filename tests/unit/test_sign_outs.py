"""Each person's last sign-out, as the token check reads it: one item per person that only
moves forward, read by every container at every check, so a sign-out holds everywhere at
once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from workingbetter.adapters.sign_outs import TableSignOuts


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="eu-west-2")
        yield dynamodb.create_table(
            TableName="referrals", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])


def test_a_sign_out_in_one_container_holds_in_every_other_at_once(table: Any) -> None:
    here, there = TableSignOuts(table), TableSignOuts(table)
    assert here.signed_out_at("u-1") is None
    assert there.signed_out_at("u-1") is None  # it has read it before: nothing kept

    here.record("u-1", 1_800_000_000)

    assert here.signed_out_at("u-1") == 1_800_000_000
    assert there.signed_out_at("u-1") == 1_800_000_000


def test_a_sign_out_is_only_ever_moved_later(table: Any) -> None:
    first, second = TableSignOuts(table), TableSignOuts(table)
    first.record("u-1", 1_800_000_100)
    second.record("u-1", 1_800_000_050)  # a slower request, sent before

    assert {first.signed_out_at("u-1"), second.signed_out_at("u-1")} == {1_800_000_100}
    assert table.get_item(Key={"pk": "SIGNOUT#u-1", "sk": "SIGNED_OUT"})["Item"] == {
        "pk": "SIGNOUT#u-1", "sk": "SIGNED_OUT", "signed_out_at": 1_800_000_100}
