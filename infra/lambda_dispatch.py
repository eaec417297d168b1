"""Run Lambda tasks in-process: moto's Docker-less Lambda backend calls the real handler.

This replaces `moto.awslambda_simple.models.LambdaSimpleBackend.invoke`, moto's internal API,
so it is kept here alone and has its own test. A handler's exception becomes a function error
whose errorType is the exception's class name, as on AWS, so the ASL's Retry and Catch see the
same error names locally.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from infra import local_log
from infra.warm_threads import WarmThreads
from statemachines.referral import WITHDRAWN

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


class Faults:
    """Fault injection for the local engine: with WB_FAULT_RATE (0 to 1) and WB_FAULT_SEED
    set, workflow tasks fail as the Lambda service does now and then, at that rate: half the
    faults before the handler runs, half after it ran (its work landed, its answer was lost),
    so that retries must find their own earlier work. The ASL sees Lambda.ServiceException,
    which it retries; what exhausts its retries goes the way of any failed task."""

    TASKS = "workingbetter.handlers.tasks."

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._random: dict[str, random.Random] = {}
        self.injected = {"before": 0, "after": 0}

    def draw(self, handler: str) -> str | None:
        rate = float(os.environ.get("WB_FAULT_RATE") or 0)
        if rate <= 0 or not handler.startswith(self.TASKS):
            return None
        seed = os.environ.get("WB_FAULT_SEED") or "0"
        with self._lock:
            chance = self._random.setdefault(seed, random.Random(seed))  # noqa: S311 - not crypto
            if chance.random() >= rate:
                return None
            when = "before" if chance.random() < 0.5 else "after"
            self.injected[when] += 1
            return when


class Switch:
    """The engine's off switch, for stopping the local stack. Once off, no task starts: the
    invocation that would start one waits for as long as the process lasts, so its run stays
    where it is, before that step, as it would while Lambda could not be reached (it is in
    memory and goes with the process); it is never sent down its Catch as a failure. Tasks
    already running finish."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._on = True
        self._running = 0
        self.held = 0  # invocations waiting since the switch went off

    def enter(self) -> None:
        with self._state:
            if not self._on:
                self.held += 1
                self._state.wait_for(lambda: self._on)  # never: the process ends first
            self._running += 1

    def leave(self) -> None:
        with self._state:
            self._running -= 1
            self._state.notify_all()

    def turn_off(self, wait: float) -> tuple[int, int]:
        """No task starts from now on; those running get `wait` seconds to finish. Returns how
        many were running, and how many of them were still running when the wait ran out."""
        with self._state:
            self._on = False
            running = self._running
            self._state.wait_for(lambda: self._running == 0, wait)
            return running, self._running


FAULTS = Faults()
ENGINE = Switch()
SERVICE_ERROR = "Lambda.ServiceException"
# Handlers run on warm threads: a task's boto3 resources are made once per thread, not per call.
WARM = WarmThreads(8, "lambda")


def invoke(self: LambdaSimpleBackend, function_name: str, qualifier: str | None, body: Any,
           headers: Any, response_headers: dict[str, str]) -> bytes:
    ENGINE.enter()
    try:
        return _invoke(self, function_name, qualifier, body, response_headers)
    finally:
        ENGINE.leave()


def _invoke(self: LambdaSimpleBackend, function_name: str, qualifier: str | None, body: Any,
            response_headers: dict[str, str]) -> bytes:
    function = self.get_function(function_name, qualifier)
    event = json.loads(body) if body else {}
    context = LocalContext(function_name=function.function_name,
                           invoked_function_arn=function.function_arn,
                           memory_limit_in_mb=int(function.memory_size or 512),
                           timeout_seconds=int(function.timeout or 30))
    fault = FAULTS.draw(str(function.handler))
    if fault == "before":
        return _function_error(response_headers, SERVICE_ERROR, "injected fault")
    kind = _kind(str(function.handler))
    try:
        result = WARM.run(resolve_handler(str(function.handler)), event, context)
    except Exception as error:
        local_log.invocation(kind, failed=True)
        _told(function.function_name, error)
        return _function_error(response_headers, type(error).__name__, str(error))
    local_log.invocation(kind, failed=False)
    if fault == "after":
        return _function_error(response_headers, SERVICE_ERROR, "injected fault")
    try:
        return json.dumps(result).encode()
    except (TypeError, ValueError):
        # What AWS answers when a handler returns something JSON cannot carry.
        return _function_error(response_headers, "Runtime.MarshalError",
                               "Unable to marshal response")


def _kind(handler: str) -> str:
    return "scheduled" if handler.startswith("workingbetter.handlers.scheduled.") else "task"


def _told(function_name: str, error: Exception) -> None:
    """A withdrawal ends a run by design (the ASL catches it); anything else is a warning,
    with its traceback unless the local log is quiet."""
    if type(error).__name__ in WITHDRAWN:
        log.info("%s ended its run: the referral was withdrawn", function_name)
        return
    log.warning("%s raised %s", function_name, type(error).__name__,
                exc_info=None if local_log.MODE.quiet else error)


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
