"""How `make run` hears that it should stop: SIGINT (Ctrl-C) or SIGTERM sets an event the main
thread waits on; a second one stops the process at once, unfinished; SIGUSR1 prints where
every thread is, so a stack that will not stop can say why (`kill -USR1 <pid>`)."""

from __future__ import annotations

import faulthandler
import signal
import threading
from types import FrameType

LOOK_EVERY = 0.5  # seconds between the main thread's looks for a stop signal


def listen(stop: threading.Event) -> None:
    """Set `stop` on the first SIGINT or SIGTERM. Call from the main thread."""

    def heard(signum: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGINT, heard)
    signal.signal(signal.SIGTERM, heard)
    faulthandler.register(signal.SIGUSR1, all_threads=True)


def wait_for(stop: threading.Event) -> None:
    """Wait until `stop` is set. Never in one untimed wait: the kernel hands a signal to any of
    the stack's threads, and Python runs the handler only when the main thread next runs, so a
    main thread blocked for good never did (the stack ran on after SIGTERM in one run of a few,
    whenever the signal landed on a workflow thread)."""
    while not stop.wait(LOOK_EVERY):
        pass
