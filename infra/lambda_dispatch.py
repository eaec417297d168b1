"""Run Lambda tasks in-process: moto's Docker-less Lambda backend calls the real handler.

This replaces `moto.awslambda_simple.models.LambdaSimpleBackend.invoke`, moto's internal API
(DESIGN.md §6), so it is kept here alone and has its own test. A handler's exception becomes
a function error whose errorType is the exception's class name, as on AWS, so the ASL's
Retry and Catch see the same error names locally.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

log = logging.getLogger("infra.dispatch")


@dataclass
class LocalContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "local"
    log_stream_name: str = "local"
    timeout_seconds: int = 30
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self._started)
        return max(0, int(left * 1000))


def resolve_handler(handler: str) -> Any:
    module_name, _, attribute = handler.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def invoke(self: LambdaSimpleBackend, function_name: str, qualifier: str | None, body: Any,
           headers: Any, response_headers: dict[str, str]) -> bytes:
    function = self.get_function(function_name, qualifier)
    event = json.loads(body) if body else {}
    context = LocalContext(function_name=function.function_name,
                           invoked_function_arn=function.function_arn,
                           memory_limit_in_mb=int(function.memory_size or 512),
                           timeout_seconds=int(function.timeout or 30))
    try:
        result = resolve_handler(str(function.handler))(event, context)
    except Exception as error:
        log.warning("%s raised %s", function.function_name, type(error).__name__, exc_info=True)
        return _function_error(response_headers, type(error).__name__, str(error))
    try:
        return json.dumps(result).encode()
    except (TypeError, ValueError):
        # What AWS answers when a handler returns something JSON cannot carry.
        return _function_error(response_headers, "Runtime.MarshalError",
                               "Unable to marshal response")


def _function_error(response_headers: dict[str, str], error_type: str, message: str) -> bytes:
    response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps({"errorType": error_type, "errorMessage": message[:256]}).encode()


_original = LambdaSimpleBackend.invoke


def install() -> None:
    setattr(LambdaSimpleBackend, "invoke", invoke)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(LambdaSimpleBackend, "invoke", _original)  # noqa: B010


MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
