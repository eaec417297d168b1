"""The schedules of template.yaml, fired on the local clock (moto's EventBridge fires none).

`rate(5 minutes)` becomes five service minutes: with WB_SECONDS_PER_DAY=86400 that is five
real minutes, with a compressed day proportionally less. Each firing invokes the target
function through moto's Lambda, so it runs the same code path as on AWS.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import boto3

from infra.template import LocalTemplate

_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400,
          "days": 86400}
log = logging.getLogger("local-scheduler")
FASTEST = 0.5  # seconds: a compressed clock must not spin the CPU (a firing of the outbox
# costs about 50 ms of CPU over the engine and a worker: at 0.2 s an idle stack used half a core)


def interval(expression: str, seconds_per_day: float) -> float:
    match = re.fullmatch(r"rate\((\d+) (\w+)\)", expression)
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"the local scheduler understands rate(N unit), not {expression}")
    service_seconds = int(match.group(1)) * _UNITS[match.group(2)]
    return max(FASTEST, service_seconds * seconds_per_day / 86400)


@dataclass
class Schedule:
    name: str
    function_name: str
    every: float


class LocalScheduler:
    def __init__(self, template: LocalTemplate, seconds_per_day: float) -> None:
        self.schedules = [
            Schedule(name, template.function_name(target), interval(expression, seconds_per_day))
            for name, (expression, target) in template.schedules().items()
        ]
        self.stop = threading.Event()
        self.fired = 0
        self.failed = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._run, args=(schedule,), daemon=True,
                                          name=f"schedule-{schedule.name}")
                         for schedule in self.schedules]
        for thread in self._threads:
            thread.start()

    def close(self, wait: float) -> int:
        """Fire nothing more; a firing under way gets `wait` seconds to finish. Returns how
        many were still under way when the wait ran out."""
        self.stop.set()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return sum(thread.is_alive() for thread in self._threads)

    def _run(self, schedule: Schedule) -> None:
        client = boto3.client("lambda")
        while not self.stop.wait(schedule.every):
            self.fire(client, schedule)

    def fire(self, client: Any, schedule: Schedule) -> None:
        """One firing. A failure (a timeout, a function error) is logged and counted, and the
        schedule carries on: EventBridge Scheduler keeps firing whatever one run did."""
        try:
            reply = client.invoke(FunctionName=schedule.function_name,
                                  Payload=json.dumps({"source": "local-scheduler",
                                                      "schedule": schedule.name}).encode())
            if reply.get("FunctionError"):
                raise RuntimeError(reply["FunctionError"])
            self.fired += 1
        except Exception as error:  # any failure: the next firing must still come
            self.failed += 1
            log.warning("schedule %s failed (%s); it fires again in %.1f s",
                        schedule.name, type(error).__name__, schedule.every)
