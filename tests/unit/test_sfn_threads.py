"""A run waiting on a task token or in a Wait state holds one thread, not three or two, and
still ends as moto ends it: the token's answer, or States.Timeout."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser import utils as sfn_utils
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from infra import lambda_dispatch, sfn_threads
from tests.unit.moto_internals import changed

WAITING = 6
ROLE = "arn:aws:iam::123456789012:role/r"


def token_task(timeout: int) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "TimeoutSeconds": timeout, "End": True,
            "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": {"token.$": "$$.Task.Token"}}}


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str]]:
    with mock_aws(config=lambda_dispatch.MOTO_CONFIG):
        sfn_threads.install()
        try:
            sqs: Any = boto3.client("sqs", region_name="eu-west-2")
            sfn: Any = boto3.client("stepfunctions", region_name="eu-west-2")
            yield sfn, sqs, sqs.create_queue(QueueName="tokens")["QueueUrl"]
        finally:
            sfn_threads.uninstall()


def machine(sfn: Any, name: str, state: dict[str, Any]) -> str:
    definition = {"StartAt": "Only", "States": {"Only": state}}
    return str(sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                        roleArn=ROLE, type="STANDARD")["stateMachineArn"])


def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)


def tokens(sqs: Any, queue: str, count: int) -> list[str]:
    found: list[str] = []

    def all_sent() -> bool:
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get(
                "Messages", []):
            found.append(json.loads(message["Body"])["token"])
        return len(found) >= count

    eventually(all_sent)
    return found


def status(sfn: Any, arn: str) -> str:
    return str(sfn.describe_execution(executionArn=arn)["status"])


def test_a_run_waiting_on_a_task_token_holds_one_thread(aws: tuple[Any, Any, str]) -> None:
    sfn, sqs, queue = aws
    arn = machine(sfn, "tokens", token_task(timeout=300))
    before = threading.active_count()
    runs = [sfn.start_execution(stateMachineArn=arn, name=f"r{n}",
                                input=json.dumps({"queue": queue}))["executionArn"]
            for n in range(WAITING)]
    waiting = tokens(sqs, queue, WAITING)
    time.sleep(0.2)  # let any short-lived helper thread end
    assert threading.active_count() - before == WAITING
    for n, token in enumerate(waiting):
        sfn.send_task_success(taskToken=token, output=json.dumps({"answer": n}))
    eventually(lambda: all(status(sfn, run) == "SUCCEEDED" for run in runs))
    answers = sorted(json.loads(sfn.describe_execution(executionArn=run)["output"])["answer"]
                     for run in runs)
    assert answers == list(range(WAITING))


def test_a_token_not_answered_in_time_times_the_task_out(aws: tuple[Any, Any, str]) -> None:
    sfn, _, queue = aws
    arn = machine(sfn, "late", token_task(timeout=1))
    run = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"queue": queue}))
    eventually(lambda: status(sfn, run["executionArn"]) != "RUNNING")
    described = sfn.describe_execution(executionArn=run["executionArn"])
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Timeout"


def test_a_run_in_a_wait_state_holds_one_thread(aws: tuple[Any, Any, str]) -> None:
    sfn, _, _ = aws
    arn = machine(sfn, "waits", {"Type": "Wait", "Seconds": 300, "End": True})
    before = threading.active_count()
    runs = [sfn.start_execution(stateMachineArn=arn, name=f"w{n}")["executionArn"]
            for n in range(WAITING)]
    time.sleep(0.5)
    assert threading.active_count() - before == WAITING
    for run in runs:
        sfn.stop_execution(executionArn=run)
    eventually(lambda: threading.active_count() == before)


def test_finished_threads_and_inline_stand_ins_are_dropped_from_motos_list() -> None:
    finished = [threading.Thread(target=lambda: None) for _ in range(500)]
    for thread in finished:
        thread.start()
        thread.join()
    sfn_utils.TMP_THREADS.extend([*finished, sfn_threads.Inline(lambda: None)])
    sfn_threads._prune_finished()
    assert all(isinstance(t, threading.Thread) and t.is_alive() for t in sfn_utils.TMP_THREADS)


def test_uninstall_puts_motos_own_threads_back() -> None:
    sfn_threads.install()
    sfn_threads.uninstall()
    assert Program.eval is sfn_threads._original_program_eval
    assert ExecutionState._evaluate_with_timeout is sfn_threads._original_evaluate_with_timeout
    assert execute_state.Thread is threading.Thread  # type: ignore[attr-defined]


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert execute_state.Thread is threading.Thread  # type: ignore[attr-defined]
    assert isinstance(sfn_utils.TMP_THREADS, list)
    assert changed({
        "Program.eval": (sfn_threads._original_program_eval, "6d701880064a8970"),
        "ExecutionState._evaluate_with_timeout": (
            sfn_threads._original_evaluate_with_timeout, "c56deda08a42e98d"),
        "StateTaskServiceCallback._eval_wait_for_task_token": (
            StateTaskServiceCallback._eval_wait_for_task_token, "061c4a80d1bdcb0a"),
        "StateTaskServiceCallback._wait_for_task_token_timeout": (
            StateTaskServiceCallback._wait_for_task_token_timeout, "1275d4ddbb83d001"),
        "CallbackEndpoint.wait": (CallbackEndpoint.wait, "85d0fa6224f12b37"),
        "ExecutionWorker._execution_logic": (ExecutionWorker._execution_logic,
                                             "baa3e2a48fd228d9"),
    }) == {}
