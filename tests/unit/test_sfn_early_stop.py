"""The local engine stops a run even in its first moments, as Step Functions does."""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from infra import sfn_early_stop
from infra.lambda_dispatch import MOTO_CONFIG

WAIT_A_MINUTE = {"StartAt": "Wait", "States": {
    "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Done"}, "Done": {"Type": "Succeed"}}}
ROLE = "arn:aws:iam::123456789012:role/sfn"


@pytest.fixture
def slow_to_start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A state machine whose runs take a moment to build their environment (as a large ASL
    does while moto parses it), so that a stop lands before the run is under way."""
    original = ExecutionWorker._get_evaluation_environment

    def slowly(self: ExecutionWorker) -> Any:
        time.sleep(0.3)
        return original(self)

    monkeypatch.setattr(ExecutionWorker, "_get_evaluation_environment", slowly)
    with mock_aws(config=MOTO_CONFIG):
        client = boto3.client("stepfunctions", region_name="eu-west-2")
        arn = client.create_state_machine(name="m", definition=json.dumps(WAIT_A_MINUTE),
                                          roleArn=ROLE)["stateMachineArn"]
        yield client, arn


def _stop_at_once(client: Any, arn: str) -> str:
    run = client.start_execution(stateMachineArn=arn, name="r")["executionArn"]
    try:
        client.stop_execution(executionArn=run, error="Referral.Withdrawn")
    except Exception:  # moto without the patch fails the stop itself
        return "stop refused"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = str(client.describe_execution(executionArn=run)["status"])
        if status != "RUNNING":
            return status
        time.sleep(0.05)
    return "RUNNING"


def test_a_run_stopped_as_it_starts_is_aborted(slow_to_start: Any) -> None:
    sfn_early_stop.install()
    try:
        assert _stop_at_once(*slow_to_start) == "ABORTED"
    finally:
        sfn_early_stop.uninstall()


def test_without_the_patch_moto_cannot_stop_a_run_that_is_starting(slow_to_start: Any) -> None:
    """If this fails, moto fixed it: the patch may be retired."""
    assert _stop_at_once(*slow_to_start) in {"stop refused", "RUNNING"}


def test_the_moto_internals_the_patch_relies_on_are_still_there() -> None:
    logic = inspect.getsource(ExecutionWorker._execution_logic)
    assert "self.env = self._get_evaluation_environment()" in logic
    assert "self.env = None" in inspect.getsource(ExecutionWorker.__init__)
    assert "env.next_state_name = self.start_at" in inspect.getsource(Program.eval)
    assert list(inspect.signature(sfn_early_stop._original_stop).parameters) == [
        "self", "stop_date", "error", "cause"]
