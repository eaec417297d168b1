"""What `make run` prints while it runs: quiet unless asked for more.

Quiet (the default): the banner; every warning and error, each under the function that wrote
it (powertools_keys); a request line only for a server error; no metric lines; and one line a
minute saying what the stack did (requests, workflow tasks and scheduled runs, and how many
failed), so a person sees it is alive without reading 1,200 lines a minute. Verbose (`make run
VERBOSE=1`, `python -m infra.local_stack --verbose` or WB_VERBOSE=1): every line, as before:
the service's INFO lines and metrics, every request, a failed task's traceback.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

SUMMARY_SECONDS = 60.0


@dataclass
class Mode:
    quiet: bool = False  # tests and benchmarks see every line, as before


MODE = Mode()


@dataclass
class Tally:
    """What the stack did since the last summary, counted by the code that did it."""

    _counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str) -> None:
        with self._lock:
            self._counts[what] += 1

    def take(self) -> Counter[str]:
        """The counts so far, starting again from nothing."""
        with self._lock:
            taken, self._counts = self._counts, Counter()
        return taken


TALLY = Tally()


def configure(verbose: bool) -> None:
    """Set how much the local stack prints, before it starts."""
    from workingbetter.observability import METRICS_DISABLED, logger

    MODE.quiet = not verbose
    if not verbose:  # a metric is a JSON line on stdout (CloudWatch's format): noise here
        os.environ[METRICS_DISABLED] = "true"
    logger.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO") if verbose else "WARNING")
    logging.getLogger("infra").setLevel(logging.INFO if verbose else logging.WARNING)
    # The libraries' own chatter (moto logs every caught ASL error) is never the service's.
    for name in ("werkzeug", "moto", "moto.stepfunctions.parser", "botocore", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)


def request(status: int) -> bool:
    """Count an answered request; whether its line is printed."""
    TALLY.add("request")
    if 400 <= status < 500:
        TALLY.add("request refused")
    if status >= 500:
        TALLY.add("request failed")
    return not MODE.quiet or status >= 500


def invocation(kind: str, failed: bool) -> None:
    TALLY.add(kind)
    if failed:
        TALLY.add(f"{kind} failed")


def summary(counts: Counter[str], seconds: float) -> str:
    """One line: what happened in the last `seconds`, and how much of it failed."""
    def of(kind: str, words: str, failed: str = "failed") -> str:
        shown = f"{counts[kind]} {words}"
        return f"{shown} ({counts[kind + ' ' + failed]} {failed})" if counts[kind] else shown

    requests = f"{counts['request']} requests"
    if counts["request"]:
        requests += (f" ({counts['request refused']} refused, {counts['request failed']} "
                     f"server errors)")
    return (f"{time.strftime('%H:%M:%S')} in the last {seconds:g} s: {requests}, "
            f"{of('task', 'workflow tasks')}, {of('scheduled', 'scheduled runs')}")


def summaries(stop: threading.Event, every: float = SUMMARY_SECONDS,
              say: Callable[[str], None] = lambda line: print(line, flush=True),
              take: Callable[[], Counter[str]] = TALLY.take) -> None:
    """Say what the stack did, every `every` seconds until `stop` (quiet mode only); `take`
    gathers the counts (the local stack's, from each of its processes)."""
    def run() -> None:
        while not stop.wait(every):
            say(summary(take(), every))

    if MODE.quiet:
        threading.Thread(target=run, daemon=True, name="log-summary").start()
