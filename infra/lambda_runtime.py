"""What the Lambda runtime does with one invocation: import the function's handler, call it with
the event and a context, and answer its result as JSON, or a function error named after the
exception it raised, as on AWS (so the ASL's Retry and Catch see the same error names locally).

The local stack runs this in its task workers (infra/task_worker.py), never in the engine; the
in-process test clouds run it on a warm thread of the test's own process (lambda_dispatch).
"""

from __future__ import annotations

import importlib
import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from infra import local_log
from statemachines.referral import WITHDRAWN

log = logging.getLogger("infra.dispatch")
# What the Lambda service answers when it could not run a function (the ASL retries it).
SERVICE_ERROR = "Lambda.ServiceException"


@dataclass(frozen=True)
class Call:
    """One invocation as the Lambda service hands it to a runtime: which function, and the
    event as the bytes the caller sent."""

    handler: str
    function_name: str
    function_arn: str
    memory_mb: int
    timeout_seconds: int
    event: str

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, body: bytes) -> Call:
        return cls(**json.loads(body))


@dataclass(frozen=True)
class Ran:
    """What came of an invocation: the answer's bytes, and the error's type if it failed (the
    bytes are then the error, as Lambda answers it)."""

    payload: bytes
    error_type: str | None = None

    @classmethod
    def failed(cls, error_type: str, message: str) -> Ran:
        return cls(json.dumps({"errorType": error_type, "errorMessage": message[:256]}).encode(),
                   error_type)


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


def run(call: Call) -> Ran:
    """Run the handler on this thread, as a Lambda container runs one invocation."""
    context = LocalContext(function_name=call.function_name,
                           invoked_function_arn=call.function_arn,
                           memory_limit_in_mb=call.memory_mb,
                           timeout_seconds=call.timeout_seconds)
    try:
        result = resolve_handler(call.handler)(json.loads(call.event) if call.event else {},
                                               context)
    except Exception as error:
        told(call.function_name, error)
        return Ran.failed(type(error).__name__, str(error))
    try:
        return Ran(json.dumps(result).encode())
    except (TypeError, ValueError):
        # What AWS answers when a handler returns something JSON cannot carry.
        return Ran.failed("Runtime.MarshalError", "Unable to marshal response")


def told(function_name: str, error: Exception) -> None:
    """A withdrawal ends a run by design (the ASL catches it); anything else is a warning,
    with its traceback unless the local log is quiet."""
    if type(error).__name__ in WITHDRAWN:
        log.info("%s ended its run: the referral was withdrawn", function_name)
        return
    log.warning("%s raised %s", function_name, type(error).__name__,
                exc_info=None if local_log.MODE.quiet else error)
