"""The ASL is parsed once per definition (creating the state machine included); executions
share the program and still each get their own results."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from infra import asl_cache, lambda_dispatch
from tests.unit.moto_internals import changed

RUNS = 4
DEFINITION = json.dumps({
    "StartAt": "Double",
    "States": {
        "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"},
                   "Next": "Big"},
        "Big": {"Type": "Choice", "Default": "Small",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 4, "Next": "Large"}]},
        "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": True},
        "Large": {"Type": "Pass", "Result": "large", "ResultPath": "$.size", "End": True},
    },
})


@pytest.fixture
def sfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, list[str]]]:
    parsed: list[str] = []
    parse = AmazonStateLanguageParser.parse

    def counting(definition: str) -> Any:
        parsed.append(definition)
        return parse(definition)

    monkeypatch.setattr(AmazonStateLanguageParser, "parse", staticmethod(counting))
    asl_cache.program.cache_clear()  # an earlier test may have parsed DEFINITION
    with mock_aws(config=lambda_dispatch.MOTO_CONFIG):
        asl_cache.install()
        try:
            client: Any = boto3.client("stepfunctions", region_name="eu-west-2")
            arn = client.create_state_machine(
                name="m", definition=DEFINITION, type="STANDARD",
                roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
            yield client, arn, parsed
        finally:
            asl_cache.uninstall()


def run(client: Any, arn: str, n: int) -> dict[str, Any]:
    execution = client.start_execution(stateMachineArn=arn, name=f"run-{n}",
                                       input=json.dumps({"n": n}))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        described = client.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            assert described["status"] == "SUCCEEDED", described
            output: dict[str, Any] = json.loads(described["output"])
            return output
        time.sleep(0.02)
    raise AssertionError("the execution did not end")


def test_a_definition_is_parsed_once_for_its_creation_and_all_its_executions(
        sfn: tuple[Any, str, list[str]]) -> None:
    client, arn, parsed = sfn
    outputs = [run(client, arn, n) for n in range(RUNS)]
    assert outputs == [{"n": 2 * n, "size": "large" if 2 * n > 4 else "small"}
                       for n in range(RUNS)]
    again = client.create_state_machine(name="m2", definition=DEFINITION, type="STANDARD",
                                        roleArn="arn:aws:iam::123456789012:role/r")
    assert run(client, again["stateMachineArn"], 1)["size"] == "small"
    assert len(parsed) == 1


def test_a_definition_that_does_not_parse_is_refused_as_moto_refuses_it(
        sfn: tuple[Any, str, list[str]]) -> None:
    client, _, _ = sfn

    def refusal() -> str:
        with pytest.raises(ClientError) as refused:
            client.create_state_machine(name="bad", definition='{"StartAt": "Nowhere"}',
                                        type="STANDARD",
                                        roleArn="arn:aws:iam::123456789012:role/r")
        return str(refused.value)

    cached = refusal()
    asl_cache.uninstall()
    try:
        assert cached == refusal()
    finally:
        asl_cache.install()
    assert "in definition" in cached


def test_a_shared_program_has_every_heap_key_made_before_it_is_shared() -> None:
    program = asl_cache.program(DEFINITION)
    seen: set[int] = set()
    pending: list[Any] = [program]
    components = 0
    while pending:
        node = pending.pop()
        if id(node) in seen or isinstance(node, str | int | float | bool | type(None)):
            continue
        seen.add(id(node))
        if isinstance(node, EvalComponent):
            components += 1
            assert node._EvalComponent__heap_key is not None, node  # type: ignore[attr-defined]
        children = node.values() if isinstance(node, dict) else (
            node if isinstance(node, list | tuple | set) else vars(node).values()
            if hasattr(node, "__dict__") else ())
        pending.extend(children)
    assert components > 5
    assert asl_cache.program(DEFINITION) is program


def test_uninstall_puts_motos_own_parsing_back() -> None:
    asl_cache.install()
    asl_cache.uninstall()
    assert ExecutionWorker._get_evaluation_entrypoint is asl_cache._original
    assert vars(StepFunctionsParserBackend)["_validate_definition"] is \
        asl_cache._original_validate


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "ExecutionWorker._get_evaluation_entrypoint": (asl_cache._original, "2b25949ae855da80"),
        "EvalComponent.heap_key": (vars(EvalComponent)["heap_key"].fget, "2531bf43997a2252"),
        "AmazonStateLanguageParser.parse": (AmazonStateLanguageParser.parse,
                                            "a59a7d18760fb22e"),
        "StepFunctionsParserBackend._validate_definition": (
            asl_cache._original_validate.__func__, "a5921e3d3b46dcd3"),
    }) == {}
