"""The benchmarks measure the whole local stack, however many processes it runs as: a process's
children and their children count towards its CPU, memory and threads (benchmarks/processes.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from benchmarks import processes

BURN = 0.3  # CPU seconds the grandchild spends
# The grandchild burns CPU, says so, and waits for its stdin to close; the child waits for it
# to end, says so, and waits to be killed.
GRANDCHILD = ("import sys, time\n"
              f"t = time.process_time()\nwhile time.process_time() - t < {BURN}: pass\n"
              "print('burnt', flush=True)\nsys.stdin.read()\n")
CHILD = ("import subprocess, sys, time\n"
         f"subprocess.run([sys.executable, '-c', {GRANDCHILD!r}], check=True)\n"
         "print('reaped', flush=True)\ntime.sleep(600)\n")
TICK = 0.05  # the kernel counts CPU in ticks (10 ms): room for a few


@pytest.fixture
def child() -> Iterator[subprocess.Popen[str]]:
    started = subprocess.Popen(  # noqa: S603 - this interpreter, the code above
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield started
    started.kill()
    started.wait(30)


def test_a_grandchilds_cpu_memory_and_threads_count_while_it_runs(
        child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "burnt"
    members = processes.tree(child.pid)
    assert len(members) == 2
    assert members[0] == child.pid
    grandchild = members[1]
    assert processes.tree_cpu_seconds(child.pid) - processes.cpu_seconds(child.pid) \
        >= BURN - TICK
    assert processes.cpu_seconds(grandchild) >= BURN - TICK
    assert processes.tree_rss_mb(child.pid) > processes.tree_rss_mb(grandchild) > 0
    assert processes.tree_pss_mb(child.pid) > 0
    assert processes.tree_threads(child.pid) >= 2


def test_a_grandchilds_cpu_still_counts_once_it_has_ended_and_been_waited_for(
        child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "burnt"
    child.stdin.close()  # the grandchild ends; the child waits for it
    assert child.stdout.readline().strip() == "reaped"
    assert processes.tree(child.pid) == [child.pid]
    assert processes.tree_cpu_seconds(child.pid) >= BURN - TICK


def test_a_process_that_is_not_there_uses_nothing() -> None:
    # Above the largest pid Linux gives (pid_max is at most 2**22).
    assert processes.cpu_seconds(2**22 + 1) == 0.0
    assert processes.tree_rss_mb(2**22 + 1) == 0.0
