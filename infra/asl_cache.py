"""Parse each state machine's ASL once, not once per execution.

moto's Step Functions runs every execution by parsing the definition again with ANTLR
(`ExecutionWorker._get_evaluation_entrypoint`): about 200 ms of CPU for this service's ASL,
per referral. The parsed program is a tree of declarations; an execution's state lives in its
own Environment (stack, heap, frames), so executions can share one tree. The one piece of
state a declaration creates for itself is its heap key (`EvalComponent.heap_key`, made on
first use), so each cached tree has every heap key made before it is shared: two executions
making the same key at once could otherwise each see a different one.

moto also parses the definition to validate it at CreateStateMachine
(`StepFunctionsParserBackend._validate_definition`): that goes through the same cache, so a
definition is parsed once, not once more per execution and per (test's) state machine. A
definition that does not parse is not cached and is refused as moto refuses it. The cache
outlives uninstall: it holds read-only programs keyed by their text, so the next
in-process engine (the next test) finds the service's ASL already parsed.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.stepfunctions.parser.api import InvalidDefinition
from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
)
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

_original = ExecutionWorker._get_evaluation_entrypoint
_original_validate = StepFunctionsParserBackend.__dict__["_validate_definition"]
CACHED_DEFINITIONS = 16  # state machines and their revisions; this service has one


def _make_heap_keys(node: Any, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, EvalComponent):
        _ = node.heap_key
    if isinstance(node, dict):
        children: Any = list(node.values())
    elif isinstance(node, list | tuple | set | frozenset):
        children = node
    else:
        children = getattr(node, "__dict__", {}).values()
    for child in children:
        if isinstance(child, Component | dict | list | tuple | set | frozenset):
            _make_heap_keys(child, seen)


@functools.lru_cache(maxsize=CACHED_DEFINITIONS)
def program(definition: str) -> EvalComponent:
    parsed: EvalComponent = AmazonStateLanguageParser.parse(definition)[0]
    _make_heap_keys(parsed, set())
    return parsed


def _get_evaluation_entrypoint(self: ExecutionWorker) -> EvalComponent:
    return program(self._evaluation_details.state_machine_details.definition)


def _validate_definition(definition: str) -> None:
    """moto's validation (same errors), parsing through the cache."""
    try:
        program(definition)
    except ASLParserException as error:
        raise InvalidDefinition(message=repr(error)) from error
    except Exception as error:
        raise InvalidDefinition(message=f"Error={error.__class__.__name__} "
                                f"Args={list(error.args)} in definition '{definition}'.") \
            from error


def install() -> None:
    setattr(ExecutionWorker, "_get_evaluation_entrypoint",  # noqa: B010 - patching moto
            _get_evaluation_entrypoint)
    setattr(StepFunctionsParserBackend, "_validate_definition",  # noqa: B010
            staticmethod(_validate_definition))


def uninstall() -> None:
    setattr(ExecutionWorker, "_get_evaluation_entrypoint", _original)  # noqa: B010
    setattr(StepFunctionsParserBackend, "_validate_definition", _original_validate)  # noqa: B010
