"""With the Lambda service failing under 30 % of workflow tasks, nothing is lost and nothing
is done twice (benchmarks/faults.py runs the same check on 500 referrals)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.faults import exercise
from infra.lambda_dispatch import FAULTS
from tests.api_client import Api
from tests.conftest import Cloud
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.integration


@pytest.mark.service_days(seconds_per_day=864, caseload_cap=1)
def test_with_faults_every_referral_ends_up_where_it_would_without_them(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_FAULT_RATE", "0.3")
    monkeypatch.setenv("WB_FAULT_SEED", "20261123")
    before = dict(FAULTS.injected)

    def call(method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
        reply = api.call(method, path, token, body)
        return reply.status, reply.body

    def token(role: str, scope: str) -> str:
        if role == "referrer":
            return api.referrer(scope)
        return cloud.token(Role.OPS) if role == "ops" else api.coach(scope)

    places = {str(p.practice_ods): len(p.sessions) for p in cloud.store.directory.practices()}
    # A generous bound: a busy machine slows retries, never changes where referrals end up.
    report = exercise(call, token, cloud.store, places, n=12, settle_seconds=600)

    injected = sum(FAULTS.injected.values()) - sum(before.values())
    assert injected > 0, "no fault was injected: the test proves nothing"
    where = {i: (r.status, r.awaiting, r.attention, r.failed_at) if (
                 r := cloud.store.referrals.get(i)) else None
             for i in report.lost if "-" in i}
    assert report.lost == [], where
    assert report.doubled == []
