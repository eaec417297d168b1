"""Lambda without Docker: moto's invoke calls the real handler, in this process (the test
clouds) or in a task worker (the local stack), and the answer is the same either way
(docs/architecture.md §6).

It replaces moto's internal `LambdaSimpleBackend.invoke`, so this pins the behaviour the ASL's
Retry and Catch rely on: results come back as returned, exceptions as `Unhandled` function
errors named after the exception class. Every rule is checked with the handler run here and
with it run by a task worker over HTTP.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend

from infra import lambda_dispatch, lambda_runtime, task_worker
from infra.lambda_runtime import Call, Ran
from infra.task_worker import Workers
from infra.template import REGION

WAIT = 60.0  # far longer than a task here takes, even on a busy machine

HERE = __name__  # "tests.unit.test_lambda_dispatch"


class Refused(Exception):
    """A handler's own exception: its class name must reach the workflow as the error."""


def echo_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"echo": event, "answer": 42, "nested": {"list": [1, "two", None, True]}}


def failing_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise ValueError("the handler could not go on")


def refusing_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise Refused("x" * 1000)


def context_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "function_name": context.function_name,
        "invoked_function_arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "memory": context.memory_limit_in_mb,
    }


def list_handler(event: dict[str, Any], context: Any) -> list[int]:
    return [1, 2, 3]


def placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "never run: the dispatch imports the handler")
    return buffer.getvalue()


@contextmanager
def a_task_worker() -> Iterator[Workers]:
    """A task worker serving on a socket of its own, as the local stack's do (in a thread
    here), and the engine's way to it."""
    listening = socket.create_server(("127.0.0.1", 0))
    server = task_worker.serve_on(listening)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Workers(listening.getsockname()[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["in this process", "in a task worker"])
def lambda_client(request: pytest.FixtureRequest,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(config=lambda_dispatch.MOTO_CONFIG), contextlib.ExitStack() as stack:
        if request.param == "in a task worker":
            lambda_dispatch.use_workers(stack.enter_context(a_task_worker()))
            stack.callback(lambda_dispatch.use_workers, lambda_dispatch.in_this_process)
        lambda_dispatch.install()
        try:
            yield boto3.client("lambda", region_name=REGION)
        finally:
            lambda_dispatch.uninstall()


def create(client: Any, name: str, handler: str, timeout: int = 30) -> None:
    role = boto3.client("iam").create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    client.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                           Handler=handler, Code={"ZipFile": placeholder_zip()},
                           Timeout=timeout, MemorySize=256)


def invoke(client: Any, name: str, event: Any) -> tuple[dict[str, Any], Any]:
    response: dict[str, Any] = client.invoke(FunctionName=name, Payload=json.dumps(event))
    return response, json.loads(response["Payload"].read())


def test_the_handler_result_comes_back_as_the_payload(lambda_client: Any) -> None:
    create(lambda_client, "echo", f"{HERE}.echo_handler")
    event = {"referral_id": "r-123", "awaiting": "review", "count": 3}
    response, payload = invoke(lambda_client, "echo", event)
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert payload == {"echo": event, "answer": 42, "nested": {"list": [1, "two", None, True]}}


def test_a_handler_may_return_any_json_value(lambda_client: Any) -> None:
    create(lambda_client, "lists", f"{HERE}.list_handler")
    _, payload = invoke(lambda_client, "lists", {})
    assert payload == [1, 2, 3]


def test_a_handler_that_raises_gives_an_unhandled_error_named_after_the_exception(
    lambda_client: Any,
) -> None:
    create(lambda_client, "fails", f"{HERE}.failing_handler")
    response, payload = invoke(lambda_client, "fails", {"referral_id": "r-1"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "the handler could not go on"


def test_the_error_type_is_the_handlers_own_exception_class_and_the_message_is_capped(
    lambda_client: Any,
) -> None:
    create(lambda_client, "refuses", f"{HERE}.refusing_handler")
    response, payload = invoke(lambda_client, "refuses", {})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Refused"
    assert len(payload["errorMessage"]) <= 256


def test_the_handler_gets_a_lambda_context(lambda_client: Any) -> None:
    create(lambda_client, "ctx", f"{HERE}.context_handler", timeout=45)
    _, payload = invoke(lambda_client, "ctx", {})
    assert payload["function_name"] == "ctx"
    assert payload["invoked_function_arn"].startswith(f"arn:aws:lambda:{REGION}:")
    assert payload["invoked_function_arn"].endswith(":function:ctx")
    assert 0 < payload["remaining"] <= 45_000
    assert payload["request_id"]
    assert payload["memory"] == 256


def test_each_invocation_gets_its_own_request_id(lambda_client: Any) -> None:
    create(lambda_client, "ctx2", f"{HERE}.context_handler")
    _, first = invoke(lambda_client, "ctx2", {})
    _, second = invoke(lambda_client, "ctx2", {})
    assert first["request_id"] != second["request_id"]


def test_uninstall_puts_motos_own_invoke_back() -> None:
    original = LambdaSimpleBackend.invoke
    lambda_dispatch.install()
    try:
        assert LambdaSimpleBackend.invoke is lambda_dispatch.invoke
    finally:
        lambda_dispatch.uninstall()
    assert LambdaSimpleBackend.invoke is original


def test_resolve_handler_finds_a_function_by_its_dotted_name() -> None:
    assert lambda_runtime.resolve_handler(f"{HERE}.echo_handler") is echo_handler


def test_resolve_handler_refuses_a_name_that_does_not_exist() -> None:
    with pytest.raises(AttributeError):
        lambda_runtime.resolve_handler(f"{HERE}.no_such_handler")


def unserialisable_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"when": object()}


def test_a_result_that_is_not_json_gives_a_function_error_not_a_crash(
    lambda_client: Any,
) -> None:
    create(lambda_client, "unjson", f"{HERE}.unserialisable_handler")
    response, payload = invoke(lambda_client, "unjson", {})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.MarshalError"


def test_with_task_workers_the_engine_hands_every_invocation_to_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine runs no handler code of its own: a call is a request to a worker."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    handed: list[Call] = []

    def worker(call: Call) -> Ran:
        handed.append(call)
        return Ran(b'{"from": "the worker"}')

    with mock_aws(config=lambda_dispatch.MOTO_CONFIG):
        lambda_dispatch.use_workers(worker)
        lambda_dispatch.install()
        try:
            client = boto3.client("lambda", region_name=REGION)
            create(client, "handed", f"{HERE}.failing_handler")
            response, payload = invoke(client, "handed", {"referral_id": "r-9"})
        finally:
            lambda_dispatch.uninstall()
            lambda_dispatch.use_workers(lambda_dispatch.in_this_process)
    assert "FunctionError" not in response  # the handler itself would have raised
    assert payload == {"from": "the worker"}
    assert [(c.handler, json.loads(c.event)) for c in handed] == [
        (f"{HERE}.failing_handler", {"referral_id": "r-9"})]


def test_when_no_task_worker_answers_the_workflow_sees_a_lambda_service_error() -> None:
    """What the Lambda service says when it cannot run a function; the ASL retries it."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    ran = Workers(port)(Call(f"{HERE}.echo_handler", "echo", "arn", 128, 3, "{}"))
    assert ran.error_type == "Lambda.ServiceException"
    assert json.loads(ran.payload)["errorType"] == "Lambda.ServiceException"


def thread_handler(event: dict[str, Any], context: Any) -> int:
    return threading.get_ident()


def test_invocations_one_after_another_run_on_the_same_warm_worker_thread() -> None:
    """As a warm container is reused, so what a thread keeps (its boto3 resources) is made
    once, not per invocation."""
    with a_task_worker() as workers:
        threads = {json.loads(workers(Call(f"{HERE}.thread_handler", "t", "arn", 128, 3,
                                           "{}")).payload) for _ in range(3)}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}


ANSWER_NOW = threading.Event()


def waiting_handler(event: dict[str, Any], context: Any) -> str:
    ANSWER_NOW.wait(WAIT)
    return "done"


def test_a_task_that_outlives_the_engines_wait_says_so_in_a_line_not_a_traceback(
        capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """When the stack stops while a task runs, the engine closes its connection: the task
    still finishes, and its answer has nowhere to go."""
    ANSWER_NOW.clear()
    with a_task_worker() as workers, socket.create_connection(
            ("127.0.0.1", workers.port)) as engine:
        body = Call(f"{HERE}.waiting_handler", "waits", "arn", 128, 3, "{}").to_json()
        engine.sendall(b"POST /invoke HTTP/1.1\r\nHost: worker\r\nContent-Length: "
                       + str(len(body)).encode() + b"\r\n\r\n" + body)
        # Closed with a reset, as a process that ends closes it: the answer meets a closed door.
        engine.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        engine.close()
        with caplog.at_level(logging.WARNING, logger="infra.dispatch"):
            ANSWER_NOW.set()
            deadline = time.monotonic() + WAIT
            while "waits finished after the engine had stopped waiting" not in caplog.text:
                assert time.monotonic() < deadline, caplog.text
                time.sleep(0.05)
    assert "Traceback" not in capfd.readouterr().err
