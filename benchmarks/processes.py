"""What a process and every process under it use, read from /proc: the local stack is a tree
of processes (the engine, API workers, Lambda task workers, the scheduler, each perhaps with
children of its own), and a benchmark measuring "the stack" must count all of them, however
the tree is shaped. With a one-process stack the tree is that one process.

The tree is found through each process's parent (the fourth field of /proc/<pid>/stat). CPU
counts the live processes' own time and the time of children they have already waited for
(cutime, cstime), so a worker that exits between two readings is not lost. A process that
ends while it is being read is left out of that reading.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces or
    brackets): index 0 is the state, 1 the parent, 11 to 14 utime, stime, cutime, cstime."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # it ended (or was never there)
        return None
    return text.rsplit(")", 1)[1].split()


def tree(pid: int) -> list[int]:
    """The process and all its descendants, the process first."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, ()))
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time so far of one process and the children it has waited for
    (0 once it has ended)."""
    fields = _stat(pid)
    return sum(int(value) for value in fields[11:15]) / TICKS if fields else 0.0


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU time so far of the tree, its reaped children's included."""
    return sum(cpu_seconds(member) for member in tree(pid))


def _status(pid: int) -> dict[str, str]:
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _number(value: str | None) -> int:
    """The number a /proc/<pid>/status value starts with (kB for memory)."""
    return int(value.split()[0]) if value else 0


def tree_rss_mb(pid: int) -> float:
    """The resident memory of every process in the tree, added up (pages shared between
    processes, a forked worker's copy-on-write pages, are counted in each: an upper bound)."""
    return sum(_number(_status(member).get("VmRSS")) for member in tree(pid)) / 1024


def tree_pss_mb(pid: int) -> float:
    """The tree's proportional share of memory: a page shared by n processes counts 1/n in
    each, so the sum is what the tree takes from the machine. RSS where the kernel gives no
    smaps_rollup."""
    total = 0
    for member in tree(pid):
        try:
            rollup = (PROC / str(member) / "smaps_rollup").read_text()
        except OSError:
            total += _number(_status(member).get("VmRSS"))
            continue
        total += sum(_number(line.split(":", 1)[1]) for line in rollup.splitlines()
                     if line.startswith("Pss:"))
    return total / 1024


def tree_threads(pid: int) -> int:
    """Threads of every process in the tree."""
    return sum(_number(_status(member).get("Threads")) for member in tree(pid))


def tree_processes(pid: int) -> int:
    return len(tree(pid))
