"""The in-process Lambda runner: moto's Docker-less invoke calls the real handler
(docs/architecture.md §6).

It replaces moto's internal `LambdaSimpleBackend.invoke`, so this pins the behaviour the ASL's
Retry and Catch rely on: results come back as returned, exceptions as `Unhandled` function
errors named after the exception class.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend

from infra import lambda_dispatch
from infra.template import REGION

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


@pytest.fixture
def lambda_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(config=lambda_dispatch.MOTO_CONFIG):
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
    assert lambda_dispatch.resolve_handler(f"{HERE}.echo_handler") is echo_handler


def test_resolve_handler_refuses_a_name_that_does_not_exist() -> None:
    with pytest.raises(AttributeError):
        lambda_dispatch.resolve_handler(f"{HERE}.no_such_handler")


def unserialisable_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"when": object()}


def test_a_result_that_is_not_json_gives_a_function_error_not_a_crash(
    lambda_client: Any,
) -> None:
    create(lambda_client, "unjson", f"{HERE}.unserialisable_handler")
    response, payload = invoke(lambda_client, "unjson", {})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.MarshalError"
