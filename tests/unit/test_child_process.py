"""The local stack's parts are processes the supervisor starts, asks and stops
(infra/child_process.py): whatever happens to the supervisor, none is left running."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra.child_process import Child, ChildFailed

PART = "tests.child_for_tests"
WAIT = 60.0  # far longer than a start takes, even on a busy machine


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


EVENTS: queue.Queue[dict[str, Any]] = queue.Queue()


@pytest.fixture
def part() -> Iterator[Child]:
    child = Child("part", PART, [], env=os.environ, on_event=EVENTS.put)
    yield child
    child.end()


def test_a_part_says_it_is_ready_and_answers_each_command_in_turn(part: Child) -> None:
    assert part.ready(WAIT)["pid"] == part.process.pid
    assert part.ask("echo", WAIT, wait=5, what="drain") == {"wait": 5, "what": "drain"}
    assert part.ask("tell", WAIT) == "then answered"
    assert EVENTS.get(timeout=WAIT) == {"told": "first"}


def test_ctrl_c_and_sigterm_are_the_supervisors_to_act_on_not_the_parts(part: Child) -> None:
    """A terminal signals the whole process group: the parts carry on until told."""
    part.ready(WAIT)
    part.process.send_signal(signal.SIGINT)
    part.process.send_signal(signal.SIGTERM)
    assert part.ask("echo", WAIT, still="here") == {"still": "here"}
    part.end()
    assert part.process.returncode == 0


def test_a_part_that_has_gone_is_named_not_waited_for(part: Child) -> None:
    part.ready(WAIT)
    part.process.kill()
    part.process.wait(WAIT)
    with pytest.raises(ChildFailed, match="part stopped unexpectedly"):
        part.ask("echo", WAIT)


def test_a_part_that_is_there_but_silent_is_told_apart_from_one_that_has_gone(
        part: Child) -> None:
    part.ready(WAIT)
    part.process.send_signal(signal.SIGSTOP)  # it cannot answer until it is continued
    try:
        with pytest.raises(ChildFailed, match=r"part did not answer within 0\.5 s"):
            part.ask("echo", 0.5)
    finally:
        part.process.send_signal(signal.SIGCONT)


SUPERVISOR = f"""
import os, sys, time
from infra.child_process import Child
part = Child("part", {PART!r}, [], env=os.environ)
print(part.ready(60)["pid"], flush=True)
time.sleep(600)
"""


def test_when_the_supervisor_is_killed_its_parts_end_too() -> None:
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR],  # noqa: S603
                                  stdout=subprocess.PIPE, text=True)
    try:
        assert supervisor.stdout is not None
        pid = int(supervisor.stdout.readline())
        assert alive(pid)
    finally:
        supervisor.kill()
        supervisor.wait(WAIT)
    assert gone_within(pid, WAIT), "a part outlived the supervisor"
