"""`make demo`: fill the running local stack (`make run`) with a demo population, each referral
walked through the real HTTP API to where its plan ends, with progress on stderr and a summary
at the end.

Each referral gets a plan drawn at random (`demo_plans`: age, conditions, practice, each
appointment's outcome, the review at which the patient finds work or leaves and why, whether
they keep the job, whether they withdraw), and every plan ends: exited, rejected or withdrawn.
None is left live, because on the compressed clock a demo needs a step nobody answers is chased
and then stalls (the demo used to leave a third of its referrals live, and stop following the
rest after 20 minutes: they stalled).

The demo answers as a person would, at the pace of the service clock: it looks at a referral
when its next step is due (from the stack's clock, in its stack file), not every second, and
no more than a few requests at once, so the stack keeps up and no step waits past its limit.
It talks to the stack `make run` says it started ($WB_STACK_FILE), whatever WB_PORT says.

    python -m infra.demo [--referrals 300] [--minutes 60] [--seed 14]
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra import tokens
from infra.demo_people import nhs_numbers
from infra.demo_plans import draw, script
from infra.demo_walk import WAITS, Api, Demo, Walker, guarded
from infra.local_stack import StackFile
from workingbetter.settings import Settings


@dataclass
class Loop:
    """Visits each referral when it is due, a few at a time, and starts new ones at a steady
    pace while fewer than `at_once` are being walked and none of them is overdue: a step
    chased means the stack (or this machine) is not keeping up with the clock, so the demo
    waits for it rather than adding to its work."""

    demo: Demo
    workers: int
    at_once: int
    stagger: float
    deadline: float
    due: list[tuple[float, int]] = field(default_factory=list)
    running: dict[Future[float], int] = field(default_factory=dict)
    started: int = 0

    def run(self) -> None:
        walkers = self.demo.walkers
        next_start, drawn = 0.0, 0.0
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while not all(w.settled for w in walkers):
                now = time.monotonic()
                if now > self.deadline:
                    self._cut_short(pool)
                    break
                if now >= next_start and self._room():
                    heapq.heappush(self.due, (now, self.started))
                    self.started += 1
                    next_start = now + self.stagger
                self._visit_due(pool, now)
                self._collect(0.1)
                if now - drawn >= 1:
                    progress(self.demo, self.started)
                    drawn = now
        progress(self.demo, self.started)
        sys.stderr.write("\n")

    def _room(self) -> bool:
        walking = [w for w in self.demo.walkers[:self.started] if not w.settled]
        return self.started < len(self.demo.walkers) and len(walking) < self.at_once and \
            not any(w.overdue for w in walking)

    def _visit_due(self, pool: ThreadPoolExecutor, now: float) -> None:
        while self.due and self.due[0][0] <= now and len(self.running) < self.workers:
            _, index = heapq.heappop(self.due)
            self.running[pool.submit(guarded, self.demo, self.demo.walkers[index])] = index

    def _collect(self, timeout: float) -> None:
        if not self.running:
            time.sleep(timeout)
            return
        finished, _ = wait(list(self.running), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in finished:
            index = self.running.pop(future)
            if not self.demo.walkers[index].settled:
                heapq.heappush(self.due, (time.monotonic() + future.result(), index))

    def _cut_short(self, pool: ThreadPoolExecutor) -> None:
        wait(list(self.running))
        for w in self.demo.walkers:
            if not w.settled:
                pool.submit(self.demo.cut_short, w)


def progress(demo: Demo, started: int) -> None:
    """The progress line: how many have ended, and where the rest are."""
    walkers = demo.walkers
    ended = sum(1 for w in walkers if w.ended)
    failed = sum(1 for w in walkers if w.failed)
    walking = sum(1 for w in walkers[:started] if not w.settled)
    stalls = sum(w.stalls for w in walkers)
    overdue = sum(1 for w in walkers[:started] if w.overdue and not w.settled)
    width = 30
    filled = width * (ended + failed) // max(1, len(walkers))
    minutes = (time.monotonic() - demo.started) / 60
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {ended}/{len(walkers)} ended,"
                     f" {walking} being walked, {len(walkers) - started} to start"
                     f"{f', {failed} failed' if failed else ''}"
                     f"{f', {overdue} overdue (new ones wait)' if overdue else ''}"
                     f"{f', stalled on the way {stalls}' if stalls else ''}  {minutes:.1f} min ")
    sys.stderr.flush()


def summary(demo: Demo) -> tuple[str, bool]:
    """What the demo did, and whether every referral ended where its plan ends."""
    walkers = demo.walkers
    ends = Counter(str(w.ended) for w in walkers if w.ended)
    by_status = Counter(str(w.ended.status.lower()) for w in walkers if w.ended)
    planned = sum(1 for w in walkers if w.ended == w.ending)
    astray = [w for w in walkers if w.ended and w.ended != w.ending]
    failed = Counter(w.failed for w in walkers if w.failed)
    stalls, retries = sum(w.stalls for w in walkers), sum(w.retries for w in walkers)
    minutes = (time.monotonic() - demo.started) / 60
    took = sorted(demo.api.seconds) or [0.0]
    lines = [f"{len(walkers)} referrals in {minutes:.1f} min: "
             + ", ".join(f"{n} {status}" for status, n in sorted(by_status.items())),
             *(f"  {n:>4}  {end}" for end, n in sorted(ends.items(), key=lambda e: -e[1])),
             f"Ended where its plan ends: {planned} of {len(walkers)}. Left live: "
             f"{sum(1 for w in walkers if not w.settled)}. Stalled: "
             f"{sum(1 for w in walkers if w.stalled and not w.settled)} now, {stalls} on the "
             f"way (a late answer resumed them). Failed steps retried: {retries}.",
             f"{len(demo.api.seconds)} requests, {len(took) / max(1.0, minutes * 60):.1f} a "
             f"second; each took {took[len(took) // 2]:.2f} s (median), "
             f"{took[int(len(took) * 0.9)]:.2f} s (90th percentile).",
             *(f"  not where its plan ends: {w.referral_id} {w.ended}, planned {w.ending}"
               for w in astray),
             *(f"  {n} {why}" for why, n in failed.items())]
    return "\n".join(lines), planned == len(walkers)


def walkers_for(practices: list[dict[str, Any]], n: int, seed: str) -> list[Walker]:
    weights = [len(p["sessions"]) for p in practices]
    days = {name: float(Settings.model_fields[name].default) for name in WAITS}
    today = datetime.now(UTC).date()
    found = []
    for i in range(n):
        own = random.Random(f"{seed}-{i}")
        practice = own.choices(practices, weights)[0]
        plan = draw(own)
        moves, ending = script(plan, today, days)
        found.append(Walker(plan, practice, own, moves, ending))
    return found


def run(args: argparse.Namespace, stack: StackFile) -> tuple[str, bool]:
    api = Api(stack.api_url, tokens.stack_tokens(tokens.stack_file()))
    status, practices = api.call("GET", "/practices", api.ops)
    if status != 200:
        raise SystemExit(f"The local stack at {stack.api_url} answered {status}: is `make run` "
                         "up?")
    rng = random.Random(args.seed)
    # The 999 test range; a fresh stretch each run, so a second demo meets few patients the
    # first left with an active referral (the one it meets is skipped: refer() tries again).
    numbers = nhs_numbers(999_000_000 + rng.randrange(0, 900) * 1000)
    demo = Demo(api, stack, walkers_for(practices, args.referrals, args.seed), numbers)
    Loop(demo, args.workers, args.at_once, args.stagger,
         time.monotonic() + args.minutes * 60).run()
    return summary(demo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill the running local stack with a demo "
                                                 "population walked along the pathway.")
    parser.add_argument("--referrals", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=60.0,
                        help="then withdraw what is still being walked, so none stalls")
    parser.add_argument("--workers", type=int, default=6, help="requests at once")
    parser.add_argument("--at-once", type=int, default=60,
                        help="referrals walked at once (the rest start as these end)")
    parser.add_argument("--stagger", type=float, default=0.5,
                        help="seconds between new referrals")
    parser.add_argument("--seed", default="14")
    args = parser.parse_args(argv)
    try:  # where `make run` says it runs ($WB_STACK_FILE): not whatever answers on a port
        stack = tokens.running_stack()
    except tokens.NoStack as error:
        print(error, file=sys.stderr)
        return 2
    text, every_plan_ended = run(args, stack)
    print(text)
    print(f"See {stack.api_url}/reports (sign in as the commissioner) or `make report`.")
    return 0 if every_plan_ended else 1


if __name__ == "__main__":
    sys.exit(main())
