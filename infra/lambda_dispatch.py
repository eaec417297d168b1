"""Lambda's invoke without Docker: moto's Docker-less Lambda backend hands each invocation to
the real handler, in this process (the in-process test clouds) or in the local stack's task
workers (infra/task_worker.py; the engine then runs no handler code). lambda_runtime runs it.

This replaces `moto.awslambda_simple.models.LambdaSimpleBackend.invoke`, moto's internal API,
so it is kept here alone and has its own test. Here too are what the Lambda service itself does
around a runtime: the faults it injects (Faults) and the off switch (Switch).
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from infra import lambda_runtime, local_log
from infra.lambda_runtime import SERVICE_ERROR, Call, Ran
from infra.warm_threads import WarmThreads


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
# In process (the test clouds), handlers run on warm threads: a task's boto3 resources are made
# once per thread, not per call.
WARM = WarmThreads(8, "lambda")


def in_this_process(call: Call) -> Ran:
    return WARM.run(lambda_runtime.run, call)


# Who runs a handler: this process (tests), or the local stack's task workers (use_workers).
RUNNER: Callable[[Call], Ran] = in_this_process


def use_workers(workers: Callable[[Call], Ran]) -> None:
    """From now on every invocation is a request to a task worker: the engine runs no handler
    code of its own, as the Lambda service runs none."""
    global RUNNER
    RUNNER = workers


def invoke(self: LambdaSimpleBackend, function_name: str, qualifier: str | None, body: Any,
           headers: Any, response_headers: dict[str, str]) -> bytes:
    ENGINE.enter()
    try:
        ran = _invoke(self, function_name, qualifier, body)
    finally:
        ENGINE.leave()
    if ran.error_type is not None:
        response_headers["x-amz-function-error"] = "Unhandled"
    return ran.payload


def _invoke(self: LambdaSimpleBackend, function_name: str, qualifier: str | None,
            body: Any) -> Ran:
    function = self.get_function(function_name, qualifier)
    call = Call(handler=str(function.handler), function_name=function.function_name,
                function_arn=function.function_arn,
                memory_mb=int(function.memory_size or 512),
                timeout_seconds=int(function.timeout or 30),
                event=body.decode() if isinstance(body, bytes) else str(body or ""))
    fault = FAULTS.draw(call.handler)
    if fault == "before":
        return Ran.failed(SERVICE_ERROR, "injected fault")
    ran = RUNNER(call)
    local_log.invocation(_kind(call.handler), failed=ran.error_type is not None)
    if fault == "after" and ran.error_type is None:
        return Ran.failed(SERVICE_ERROR, "injected fault")
    return ran


def _kind(handler: str) -> str:
    return "scheduled" if handler.startswith("workingbetter.handlers.scheduled.") else "task"


_original = LambdaSimpleBackend.invoke


def install() -> None:
    setattr(LambdaSimpleBackend, "invoke", invoke)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(LambdaSimpleBackend, "invoke", _original)  # noqa: B010


MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
