"""Giving a referral a coach's place reads the referral once before (to choose the coach) and
once after the write (the item as it now is), never a third time: the first read already
holds what the coach's list keys need (issue 25, reads are most of a run's cost)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.pages import pair
from tests.conftest import Cloud
from workingbetter.adapters import keys
from workingbetter.domain.referral import Status
from workingbetter.wiring import services

pytestmark = pytest.mark.integration


def test_a_place_is_given_with_one_read_of_the_referral_before_the_write_and_one_after(
        cloud: Cloud) -> None:
    referral, personal = pair(0, "F83001", "TRIAGE")
    cloud.store.referrals.bulk_load([(referral, personal)])
    referral_id = referral["referral_id"]
    reads: list[Any] = []

    def read(params: dict[str, Any], **_: Any) -> None:
        if params["Key"] == keys.referral(referral_id):
            reads.append(params.get("ProjectionExpression", "the whole item"))

    client = services().store.tables.client
    client.meta.events.register("provide-client-params.dynamodb.GetItem", read)
    try:
        assert services().pathway.allocate(referral_id) == {"allocated": True}
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.GetItem", read)

    item = cloud.store.tables.get(keys.referral(referral_id))
    assert item is not None
    assert item["status"] == str(Status.ALLOCATED)
    # The coach's list is keyed by when the referral was made, as the first read found it.
    assert item["coach_created"] == f"{item['coach_id']}#{referral['created_at']}"
    assert reads == ["the whole item", "the whole item"]
