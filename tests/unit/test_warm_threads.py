"""Work runs on a few threads that stay, so per-thread state is made once per thread; when
every one is busy, work never waits for one."""

from __future__ import annotations

import threading

from infra.warm_threads import WarmThreads


def test_calls_reuse_the_same_threads_and_their_state() -> None:
    warm = WarmThreads(2, "test")
    local = threading.local()
    made: list[str] = []

    def call() -> str:
        if not hasattr(local, "resource"):
            local.resource = f"resource {len(made)}"
            made.append(local.resource)
        return threading.current_thread().name

    names = {warm.run(call) for _ in range(20)}
    assert len(made) <= 2  # not one per call
    assert all(name.startswith("test") for name in names)


def test_a_call_made_while_every_thread_is_busy_runs_on_the_callers_thread() -> None:
    warm = WarmThreads(1, "busy")
    inner: list[str] = []

    def outer() -> None:  # holds the only warm thread while it asks for another
        inner.append(warm.run(lambda: threading.current_thread().name))

    warm.run(outer)
    assert inner == [inner[0]]
    assert inner[0].startswith("busy")  # the caller's own (warm) thread: no deadlock


def test_start_uses_a_new_thread_when_every_warm_one_is_held() -> None:
    warm = WarmThreads(1, "held")
    release, started = threading.Event(), threading.Event()
    names: list[str] = []

    def hold() -> None:
        started.set()
        release.wait(60)

    def note() -> None:
        names.append(threading.current_thread().name)
        release.set()

    warm.start(hold)
    assert started.wait(60)
    warm.start(note)  # would wait for ever on the held thread
    assert release.wait(60)
    assert not names[0].startswith("held")
