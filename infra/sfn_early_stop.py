"""Make moto honour StopExecution in a run's first moments, as Step Functions does.

moto's execution worker parses the ASL and builds its evaluation environment on its own
thread; until the program is under way `ExecutionWorker.env` is None (or not yet running) and
`stop()` fails or is lost, so a run stopped just after it started (a withdrawal racing a job
start) kept running. The patched stop waits, briefly, for the run to be under way, then
stops it. Checked against moto 5.2.5; tests/unit/test_sfn_early_stop.py fails if the
internals it relies on change.
"""

from __future__ import annotations

import time
from typing import Any

from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

_original_stop = ExecutionWorker.stop
STARTING_AT_MOST = 10.0  # seconds: far longer than moto takes to parse and start a run


def _under_way(worker: ExecutionWorker) -> bool:
    env = worker.env
    return env is not None and env.program_state() is not None


def _stop(self: ExecutionWorker, stop_date: Any, error: str | None, cause: str | None) -> None:
    deadline = time.monotonic() + STARTING_AT_MOST
    while not _under_way(self) and time.monotonic() < deadline:
        time.sleep(0.01)
    _original_stop(self, stop_date=stop_date, error=error, cause=cause)


def install() -> None:
    setattr(ExecutionWorker, "stop", _stop)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(ExecutionWorker, "stop", _original_stop)  # noqa: B010
