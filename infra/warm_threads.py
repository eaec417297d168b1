"""A few long-lived threads for the local stack's work, as Lambda keeps a container warm.

The service keeps per-thread state that is costly to make: `Store` holds one boto3 resource
per thread (resources are not thread-safe), as a Lambda container holds one for its life.
moto's server and Chalice's local server start a new thread for every request, so each API
request and each workflow task built its resources afresh (about a third of the local stack's
CPU during intake). Here that work runs on threads that stay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class WarmThreads:
    """Runs a call on one of `size` long-lived threads. When every one is busy the call runs
    on the caller's own thread instead of waiting, so a call that leads to another (a task
    whose write wakes the next task) can never wait on itself."""

    def __init__(self, size: int, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name)
        self._free = threading.BoundedSemaphore(size)

    def run(self, call: Callable[..., T], *args: Any) -> T:
        if not self._free.acquire(blocking=False):
            return call(*args)
        try:
            return self._pool.submit(call, *args).result()
        finally:
            self._free.release()

    def start(self, call: Callable[..., Any], *args: Any) -> None:
        """Starts a call and returns at once: on a warm thread if one is free, else on a new
        thread of its own (a call may hold its thread a long time: a kept-alive connection)."""
        if not self._free.acquire(blocking=False):
            threading.Thread(target=call, args=args, daemon=True).start()
            return
        self._pool.submit(call, *args).add_done_callback(lambda _: self._free.release())
