"""One sleeping thread per waiting execution instead of three.

moto's Step Functions runs an execution in a thread (`ExecutionWorker.start`), which starts a
second thread for the program only to join it with the state machine's TimeoutSeconds
(`Program.eval`), and each Task state in a third, to wait for it with the state's
TimeoutSeconds (`ExecutionState._evaluate_with_timeout`). A run waiting on a person
(`.waitForTaskToken`) or in a Wait state so holds three or two sleeping threads. Here:

- without TimeoutSeconds on the state machine (as here) there is nothing to watch, so the
  execution's own thread runs the program;
- a `.waitForTaskToken` task without HeartbeatSeconds already waits for its token with the
  state's own timeout (`CallbackEndpoint.wait(timeout)`), timing out with the same
  States.Timeout, so it runs in the thread that evaluates it.

The execution's own thread has to stay: moto's interpreter is ordinary blocking Python, so a
waiting run is a thread parked in `Event.wait(timeout)`, its timeout kept by the kernel (a
shared timer thread would have nothing to wake). Every other state keeps moto's thread.

moto also appends every thread it starts to `TMP_THREADS` and never removes one (nor reads
the list): finished threads are dropped from it here as new ones come.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser import utils as sfn_utils
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
    StateTaskServiceCallback,
)

_original_program_eval = Program.eval
_original_evaluate_with_timeout = ExecutionState._evaluate_with_timeout
_original_thread = execute_state.Thread  # type: ignore[attr-defined]
_inline = threading.local()
_pruned_at = [0]  # TMP_THREADS' length after its last pruning


def _program_eval(self: Program, env: Any) -> None:
    if self.timeout_seconds is not None:
        _original_program_eval(self, env)
        return
    env.next_state_name = self.start_at.start_at_name
    EvalComponent.eval(self, env)  # what moto's worker thread runs


def waits_with_its_own_timeout(state: ExecutionState) -> bool:
    return (isinstance(state, StateTaskServiceCallback)
            and state.resource.condition == ResourceCondition.WaitForTaskToken
            and state.heartbeat is None)


def _evaluate_with_timeout(self: ExecutionState, env: Any) -> None:
    _inline.next = waits_with_its_own_timeout(self)
    try:
        _original_evaluate_with_timeout(self, env)
    finally:
        _inline.next = False


class Inline:
    """Stands in for the thread moto would start for a state: runs it on start()."""

    def __init__(self, target: Callable[[], None]) -> None:
        self._target = target

    def start(self) -> None:
        self._target()

    def is_alive(self) -> bool:  # moto keeps it in TMP_THREADS like a thread
        return False


def _thread(*args: Any, **kwargs: Any) -> Any:
    """`Thread` as execute_state sees it: inline for the state that asked, else moto's."""
    _prune_finished()
    if getattr(_inline, "next", False):
        _inline.next = False
        return Inline(kwargs["target"])
    return _original_thread(*args, **kwargs)


def _prune_finished() -> None:
    threads = sfn_utils.TMP_THREADS
    if len(threads) > 2 * _pruned_at[0] + 64:  # amortised: a scan per doubling
        # In place: moto's modules hold this very list. A thread appended meanwhile may be
        # dropped from it, which is harmless as nothing reads it.
        threads[:] = [thread for thread in threads if thread.is_alive()]
        _pruned_at[0] = len(threads)


def install() -> None:
    setattr(Program, "eval", _program_eval)  # noqa: B010 - patching moto on purpose
    setattr(ExecutionState, "_evaluate_with_timeout", _evaluate_with_timeout)  # noqa: B010
    setattr(execute_state, "Thread", _thread)  # noqa: B010


def uninstall() -> None:
    setattr(Program, "eval", _original_program_eval)  # noqa: B010
    setattr(ExecutionState, "_evaluate_with_timeout",  # noqa: B010
            _original_evaluate_with_timeout)
    setattr(execute_state, "Thread", _original_thread)  # noqa: B010
