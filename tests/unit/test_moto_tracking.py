"""moto's models are tracked weakly: a deep copy moto drops is freed, live models still listed."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.base_backend import InstanceTrackerMeta
from moto.core.common_models import BaseModel
from moto.core.model_instances import reset_model_data
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from infra import moto_tracking
from tests.unit.moto_internals import changed

UPDATES = 200


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        moto_tracking.install()
        try:
            resource = boto3.resource("dynamodb", region_name="eu-west-2")
            created = resource.create_table(
                TableName="t", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
            created.put_item(Item={"pk": "one", "count": 0})
            yield created
        finally:
            moto_tracking.uninstall()


def live_items() -> int:
    gc.collect()
    return len(list(Item.instances_tracked))  # type: ignore[attr-defined]


def test_copies_moto_makes_while_updating_are_not_kept(table: Any) -> None:
    before = live_items()
    for _ in range(UPDATES):  # moto deep-copies the item twice per UpdateItem
        table.update_item(Key={"pk": "one"}, UpdateExpression="ADD #c :one",
                          ExpressionAttributeNames={"#c": "count"},
                          ExpressionAttributeValues={":one": 1})
        table.query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": "one"})
    assert live_items() <= before + 2
    assert len(Item.instances_tracked) <= before + 2  # type: ignore[attr-defined]


def test_the_dashboard_still_lists_every_live_model(table: Any) -> None:
    tables = list(Table.instances_tracked)  # type: ignore[attr-defined]
    assert [t.name for t in tables] == ["t"]
    items = list(Item.instances_tracked)  # type: ignore[attr-defined]
    assert any(i.attrs["pk"].value == "one" for i in items)


def test_a_reset_by_moto_is_honoured(table: Any) -> None:
    reset_model_data()  # moto puts back plain lists
    table.put_item(Item={"pk": "two"})
    assert isinstance(Item.instances_tracked, moto_tracking.WeakInstances)  # type: ignore[attr-defined]
    assert len(list(Item.instances_tracked)) >= 1  # type: ignore[attr-defined]


def test_uninstall_puts_motos_own_constructor_back() -> None:
    original = BaseModel.__dict__["__new__"]
    moto_tracking.install()
    moto_tracking.uninstall()
    assert BaseModel.__dict__["__new__"] is original


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "BaseModel.__new__": (moto_tracking._original_new, "08cf0ef20e88029a"),
        "InstanceTrackerMeta.__new__": (InstanceTrackerMeta.__new__, "bee162e12b56986c"),
        "reset_model_data": (reset_model_data, "4a510e7162954989"),
    }) == {}
