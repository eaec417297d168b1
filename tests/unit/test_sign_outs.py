"""Each person's last sign-out, as the token check reads it: one item per person that only
moves forward, read once per CACHE_SECONDS by each container, and a container's own sign-out
seen by it at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from workingbetter.adapters.sign_outs import CACHE_SECONDS, TableSignOuts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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


def test_a_container_sees_its_own_sign_out_at_once_and_anothers_within_the_cache_time(
        table: Any) -> None:
    clock = Clock()
    here, there = TableSignOuts(table, clock=clock), TableSignOuts(table, clock=clock)
    assert here.signed_out_at("u-1") is None
    assert there.signed_out_at("u-1") is None

    here.record("u-1", 1_800_000_000)

    assert here.signed_out_at("u-1") == 1_800_000_000
    assert there.signed_out_at("u-1") is None  # what it read a moment ago
    clock.now += CACHE_SECONDS
    assert there.signed_out_at("u-1") == 1_800_000_000


def test_a_sign_out_is_only_ever_moved_later(table: Any) -> None:
    clock = Clock()
    first, second = TableSignOuts(table, clock=clock), TableSignOuts(table, clock=clock)
    first.record("u-1", 1_800_000_100)
    second.record("u-1", 1_800_000_050)  # a slower request, sent before

    clock.now += CACHE_SECONDS
    assert {first.signed_out_at("u-1"), second.signed_out_at("u-1")} == {1_800_000_100}
    assert table.get_item(Key={"pk": "SIGNOUT#u-1", "sk": "SIGNED_OUT"})["Item"] == {
        "pk": "SIGNOUT#u-1", "sk": "SIGNED_OUT", "signed_out_at": 1_800_000_100}


class CountingTable:
    """The table, counting the reads that reach it."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.reads = 0

    def get_item(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self.table.get_item(**kwargs)


def test_reading_the_same_person_again_within_the_cache_time_reads_no_table(
        table: Any) -> None:
    clock = Clock()
    counting = CountingTable(table)
    sign_outs = TableSignOuts(counting, clock=clock)
    for _ in range(50):
        sign_outs.signed_out_at("u-1")
    assert counting.reads == 1
    clock.now += CACHE_SECONDS
    sign_outs.signed_out_at("u-1")
    assert counting.reads == 2
