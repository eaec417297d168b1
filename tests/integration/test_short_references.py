"""Every referral has a short reference, like WB-7KQ4-M2XP, that works wherever its id does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_client import Api
from tests.conftest import Cloud, referral_body
from workingbetter.domain import reference

pytestmark = pytest.mark.integration


def typed_carelessly(shown: str) -> str:
    """How someone reads it off a letter: lower case, no hyphens, 1 as l and 0 as O."""
    return shown.lower().replace("-", "").replace("1", "l").replace("0", "O")


def test_a_reference_reads_the_referral_as_its_id_does(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")  # no longer moving between the reads
    by_id = api.get(referral_id, api.referrer())
    shown = by_id.body["reference"]

    for typed in (shown, typed_carelessly(shown), shown.removeprefix("WB-")):
        by_reference = api.get(typed, api.referrer())
        assert by_reference.status == 200, (typed, by_reference.body)
        assert by_reference.body == {**by_id.body, "timeline": by_reference.body["timeline"]}
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.reference == shown


def test_every_route_of_a_referral_takes_its_reference(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    shown = api.get(referral_id, api.referrer()).body["reference"]

    audit = api.call("GET", f"/referrals/{typed_carelessly(shown)}/audit", api.ops())
    withdrawn = api.call("POST", f"/referrals/{shown}/withdraw", api.referrer(), {})

    assert audit.status == 200, audit.body
    assert withdrawn.status == 200, withdrawn.body
    assert withdrawn.body["referral_id"] == referral_id


def test_a_reference_outside_your_scope_or_unknown_answers_404(cloud: Cloud, api: Api) -> None:
    shown = api.get(api.refer(), api.referrer()).body["reference"]
    unknown = reference.new()

    assert api.get(shown, api.referrer("F83002")).status == 404
    assert api.get(unknown, api.referrer()).status == 404
    # One symbol wrong is not another referral's reference: no id that long or short exists.
    wrong = shown[:-1] + ("0" if shown[-1] != "0" else "1")
    assert api.get(wrong, api.referrer()).status == 404


def test_a_drawn_reference_that_is_taken_is_drawn_again(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    first = api.get(api.refer(), api.referrer()).body["reference"]
    draws = iter([first, first])  # the first two draws collide; the third is fresh
    fresh = reference.new

    def drawn() -> str:
        return next(draws, None) or fresh()

    monkeypatch.setattr(reference, "new", drawn)
    reply = api.call("POST", "/referrals", api.referrer(),
                     referral_body(patient__nhs_number="9434765919"))

    assert reply.status == 201, reply.body
    assert reply.body["reference"] != first
    assert len({first, reply.body["reference"]}) == 2


def test_the_reference_is_listed(cloud: Cloud, api: Api) -> None:
    referral_id = api.refer()
    listed: list[dict[str, Any]] = api.call("GET", "/referrals", api.ops()).body["items"]
    shown = api.get(referral_id, api.referrer()).body["reference"]

    assert [(i["referral_id"], i["reference"]) for i in listed] == [(referral_id, shown)]

