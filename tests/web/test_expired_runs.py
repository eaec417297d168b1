"""Step Functions forgets a run 90 days after it ends (DescribeExecution and
GetExecutionHistory then answer ExecutionDoesNotExist). Ops still read the referral's history
from the service's own record, its timeline, in the same plain words, and are told the engine's
detailed history has expired: never a 500, never "No run yet"."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from infra.template import ACCOUNT, REGION
from tests.api_client import Api
from tests.conftest import Cloud
from tests.web.pages import Pages
from workingbetter import wiring

pytestmark = pytest.mark.integration


def forget(cloud: Cloud, run_name: str) -> None:
    """What Step Functions does 90 days after a run ends: it no longer knows it."""
    machine = stepfunctions_parser_backends[ACCOUNT][REGION].describe_state_machine(
        cloud.built.state_machine_arn)
    arn = cloud.built.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + run_name
    machine.executions[:] = [e for e in machine.executions if e.execution_arn != arn]


def rows(html: str, table_id: str) -> list[str]:
    table = html.partition(f'id="{table_id}"')[2].partition("</table>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)]


def withdrawn_referral(cloud: Cloud) -> str:
    api = Api(cloud)
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(), {})
    cloud.wait_for_execution(referral_id)
    return referral_id


def test_a_run_step_functions_has_forgotten_still_shows_the_referrals_history(
        cloud: Cloud, pages: Pages) -> None:
    referral_id = withdrawn_referral(cloud)
    forget(cloud, referral_id)
    assert pages.sign_in("ops").status == 303

    history = pages.get(f"/ops/referrals/{referral_id}")

    assert history.status == 200
    said = re.sub(r"\s+", " ", history.text)
    assert "No run yet" not in said
    assert "detailed history has expired" in said
    assert "90 days" in said
    assert referral_id in said.partition('id="run-1"')[2].partition("</section>")[0]
    timeline = rows(history.text, "timeline")
    assert any("Appointment booked" in row for row in timeline)
    assert any("Withdrawn" in row for row in timeline)
    assert "Ended: withdrawn" in said  # how the run ended, from the referral's own record
    assert "No longer wishes" in said


class ForgetsBeforeHistory:
    """Step Functions' client, where the run's 90 days end just as its history is asked for
    (after the page has found the run)."""

    def __init__(self, client: Any, forget_run: Callable[[], None]) -> None:
        self.client, self.forget_run = client, forget_run

    def __getattr__(self, name: str) -> Any:
        if name in ("get_execution_history", "get_paginator"):
            self.forget_run()
        return getattr(self.client, name)


def test_a_run_forgotten_while_the_page_reads_it_is_not_a_500(
        cloud: Cloud, pages: Pages, monkeypatch: pytest.MonkeyPatch) -> None:
    referral_id = withdrawn_referral(cloud)
    workflow = wiring.services().workflow
    monkeypatch.setattr(workflow, "client", ForgetsBeforeHistory(
        workflow.client, lambda: forget(cloud, referral_id)))
    assert pages.sign_in("ops").status == 303

    history = pages.get(f"/ops/referrals/{referral_id}")

    assert history.status == 200
    assert any("Withdrawn" in row for row in rows(history.text, "timeline"))
