"""Asking whether a field is present is not an error when it is absent: the run goes the way
IsPresent says and nothing is logged; comparing an absent field (AWS fails that run) warns."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.state.choice.comparison.comparison_variable import (
    ComparisonVariable,
)
from moto.stepfunctions.parser.asl.component.state.choice.comparison.variable import Variable

from infra import sfn_absent_paths
from infra.lambda_dispatch import MOTO_CONFIG
from tests.unit.moto_internals import changed

ROLE = "arn:aws:iam::123456789012:role/sfn"
# As WhereDoesThisRunStart asks: is there a phase (and which), else start at the beginning.
WHERE = {"StartAt": "Where", "States": {
    "Where": {"Type": "Choice", "Choices": [
        {"And": [{"Variable": "$.phase", "IsPresent": True},
                 {"Variable": "$.phase", "StringEquals": "in_work"}], "Next": "InWork"},
        {"Variable": "$.step.back_to", "IsPresent": True, "Next": "InWork"}],
        "Default": "Start"},
    "InWork": {"Type": "Succeed"}, "Start": {"Type": "Pass", "Result": "start",
                                             "ResultPath": "$.went", "End": True}}}
CARELESS = {"StartAt": "Where", "States": {
    "Where": {"Type": "Choice", "Choices": [
        {"Variable": "$.phase", "StringEquals": "in_work", "Next": "Done"}], "Default": "Done"},
    "Done": {"Type": "Succeed"}}}


@pytest.fixture
def sfn(caplog: pytest.LogCaptureFixture) -> Iterator[Any]:
    # The suite keeps moto's ASL logger quiet (conftest): here it is what is looked at.
    caplog.set_level(logging.INFO, logger="moto.stepfunctions.parser")
    caplog.set_level(logging.INFO, logger="infra.sfn")
    with mock_aws(config=MOTO_CONFIG):
        yield boto3.client("stepfunctions", region_name="eu-west-2")


def run(sfn: Any, definition: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    arn = sfn.create_state_machine(name=f"m{time.monotonic_ns()}", roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(given))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.02)
    raise AssertionError("the run did not end")


@pytest.fixture
def patched() -> Iterator[None]:
    sfn_absent_paths.install()
    try:
        yield
    finally:
        sfn_absent_paths.uninstall()


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.usefixtures("patched")
def test_an_absent_field_asked_about_with_is_present_logs_nothing(
        sfn: Any, caplog: pytest.LogCaptureFixture) -> None:
    fresh = run(sfn, WHERE, {"referral_id": "r-1"})
    resumed = run(sfn, WHERE, {"referral_id": "r-2", "step": {"back_to": "AwaitReview"}})
    in_work = run(sfn, WHERE, {"referral_id": "r-3", "phase": "in_work"})

    assert json.loads(fresh["output"])["went"] == "start"
    assert "went" not in json.loads(resumed["output"])
    assert "went" not in json.loads(in_work["output"])
    assert errors_logged(caplog) == []
    assert [r for r in caplog.records if r.name == "infra.sfn"] == []


@pytest.mark.usefixtures("patched")
def test_comparing_an_absent_field_is_still_told(
        sfn: Any, caplog: pytest.LogCaptureFixture) -> None:
    run(sfn, CARELESS, {"referral_id": "r-1"})

    warned = [r.getMessage() for r in caplog.records if r.name == "infra.sfn"]
    assert warned == ["a Choice compares $.phase, which its input lacks (AWS fails the run "
                      "with States.Runtime here)"]


def test_without_the_patch_moto_logs_an_error_for_each_absent_field_asked_about(
        sfn: Any, caplog: pytest.LogCaptureFixture) -> None:
    """If this fails, moto stopped logging them: the patch may be retired."""
    run(sfn, WHERE, {"referral_id": "r-1"})

    assert len([m for m in errors_logged(caplog) if "NoSuchJsonPathError" in m]) == 2


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({"ComparisonVariable._eval_body": (ComparisonVariable._eval_body,
                                                      "55861cce2befeedf"),
                    "Variable._eval_body": (Variable._eval_body, "e2953fc855d24a31")}) == {}
