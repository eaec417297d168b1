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
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra import demo_casework, tokens
from infra.demo_casework import Casework
from infra.demo_people import date_of_birth, nhs_numbers
from infra.demo_plans import Ending, Move, Plan, draw, script
from infra.local_stack import StackFile
from infra.tokens import TokenCache
from workingbetter.domain.auth import Role
from workingbetter.domain.referral import ExitReason, Status
from workingbetter.settings import Settings

# The service's waits between steps, in service days, as the stack runs them (its defaults).
WAITS = ("review_interval_days", "sustainment_first_days", "sustainment_second_days",
         "sustainment_third_days")
SOON, LATEST = 0.5, 30.0  # seconds: the shortest and longest pause before looking again
# While the service moves a referral on by itself (triage, booking, a wait), look again after
# SOON, then twice as long each time, up to this many service days: every step a person
# answers has a week or more, and a stack on a busy machine is not asked for nothing.
IDLE_DAYS = 2.0
MAX_ERRORS = 5


class Unreadable(Exception):
    """The stack did not answer with the referral."""


class Api:
    """The running local stack's HTTP API, signed in as its seeded people (its own pool)."""

    def __init__(self, url: str, tokens: TokenCache) -> None:
        self.url = url
        self.token = tokens
        self.seconds: list[float] = []  # how long each call took (list.append is atomic)

    @property
    def ops(self) -> str:
        return self.token(Role.OPS)

    def call(self, method: str, path: str, token: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the local stack on 127.0.0.1
            f"{self.url}{path}", data=data, method=method, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                **(headers or {})})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        finally:
            self.seconds.append(time.monotonic() - started)


@dataclass
class Walker:
    """One referral: its plan written out as moves, and how far the demo has walked it."""

    plan: Plan
    practice: dict[str, Any]
    rng: random.Random
    moves: list[Move]
    ending: Ending  # where the plan ends
    referral_id: str = ""
    done: int = 0  # moves answered
    ended: Ending | None = None  # where it did end
    failed: str = ""  # why it could not be referred or followed
    stalled: bool = False  # its run stopped (chased to the limit): the next answer resumes it
    stalls: int = 0  # times that happened on the way
    idle: int = 0  # visits in a row with nothing to answer
    overdue: bool = False  # its step is being chased: the demo is answering late
    retries: int = 0  # failed steps the demo retried, as ops would
    errors: int = 0  # requests in a row that failed

    @property
    def settled(self) -> bool:
        return self.ended is not None or bool(self.failed)

    @property
    def ods(self) -> str:
        return str(self.practice["practice_ods"])

    @property
    def next_move(self) -> Move | None:
        return self.moves[self.done] if self.done < len(self.moves) else None


@dataclass
class Demo:
    api: Api
    stack: StackFile
    walkers: list[Walker]
    numbers: Iterator[str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.monotonic)

    def pause(self, days: float) -> float:
        """Seconds until `days` service days have passed (looking again at least SOON, and
        at most LATEST, after)."""
        return min(LATEST, max(SOON, days * self.stack.seconds_per_day))

    def idle(self, w: Walker) -> float:
        """Nothing to answer yet: look again a little later each time."""
        w.idle += 1
        return min(self.pause(IDLE_DAYS), SOON * 2.0 ** min(w.idle - 1, 10))

    # -- one visit to one referral ---------------------------------------------------------

    def refer(self, w: Walker) -> float:
        """Refer a made-up patient; a number already in the service is passed over."""
        status = 0
        for _ in range(5):
            with self.lock:
                number = next(self.numbers)
            status, reply = self.api.call("POST", "/referrals", self.api.token(Role.REFERRER,
                                                                               w.ods),
                                          self._referral(w, number),
                                          {"Idempotency-Key": str(uuid.uuid4())})
            if status == 201:
                w.referral_id = str(reply["referral_id"])
                return self.idle(w)
            if status != 409:
                break
        w.failed = f"referring answered {status}"
        return 0.0

    def _referral(self, w: Walker, nhs_number: str) -> dict[str, Any]:
        return {"practice_ods": w.ods, "patient": {
            "nhs_number": nhs_number, "given_name": "Demo", "family_name": "Person",
            "date_of_birth": date_of_birth(w.rng, datetime.now(UTC).date()).isoformat(),
            "phone": "07700 900982", "contact_preference": "sms"},
            "employment_status": w.plan.employment_status,
            "health_conditions": list(w.plan.conditions),
            "consent": {"referral": True, "share_outcome_with_gp": w.plan.share_outcome},
            "reason": "Demo referral: wants help back to work."}

    def visit(self, w: Walker) -> float:
        """Look at the referral, answer its step if the plan has one due; the seconds until
        it is worth looking again."""
        if not w.referral_id:
            return self.refer(w)
        status, view = self.api.call("GET", f"/referrals/{w.referral_id}", self.api.ops)
        if status != 200:
            raise Unreadable(f"reading it answered {status}")
        if Status(view["status"]).terminal:
            reason = view.get("exit_reason")
            w.ended = Ending(Status(view["status"]), ExitReason(reason) if reason else None)
            return 0.0
        stalled = bool(view.get("stalled"))
        w.stalls += stalled and not w.stalled
        w.stalled = stalled
        w.overdue = stalled or str(view.get("attention") or "").startswith("overdue_")
        move, waiting = w.next_move, view.get("awaiting")
        if waiting == "ops_retry" or (w.stalled and not waiting):
            return self._retry_as_ops(w)
        if move is None or waiting != move.awaiting:
            return self.idle(w)  # the service moves it on: booking, a wait, a new run
        w.idle = 0
        if move.path == "appointment-outcome":
            comes = self._appointment_comes(view) - time.time()
            if comes > 0:
                return comes  # whether they came is known once it has started
        return self._answer(w, move, view)

    def _retry_as_ops(self, w: Walker) -> float:
        """A step failed (or a run stopped with no step to answer): ops retry it."""
        w.retries += 1
        self.api.call("POST", f"/referrals/{w.referral_id}/retry", self.api.ops, {})
        return self.pause(1)

    def _appointment_comes(self, view: dict[str, Any]) -> float:
        """When the booked appointment starts, as a time.time() on this compressed clock: it
        was booked (the timeline's last appointment_booked) that far ahead in service time."""
        appointment = view.get("appointment") or {}
        booked = [e["at"] for e in view.get("timeline", []) if e["event"] == "appointment_booked"]
        if not appointment or not booked:
            return 0.0
        at, start = (datetime.fromisoformat(t.replace("Z", "+00:00"))
                     for t in (booked[-1], appointment["start"]))
        return at.timestamp() + (start - at).total_seconds() * self.stack.seconds_per_day / 86400

    def _answer(self, w: Walker, move: Move, view: dict[str, Any]) -> float:
        scope = w.ods if move.by is Role.REFERRER else str(
            view.get("coach_id") or w.practice["sessions"][0]["coach_id"])
        status, _ = self.api.call("POST", f"/referrals/{w.referral_id}/{move.path}",
                                  self.api.token(move.by, scope), move.body)
        if status != 200:
            return self.idle(w)  # 409: the appointment has not come yet, or a chase is on
        w.done += 1
        w.stalled = w.overdue = False
        if move.casework:
            self._casework(w, move)
        return self.pause(move.then_days)

    def _casework(self, w: Walker, move: Move) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        job = move.body["decision"] == "job_start"
        demo_casework.record(self.stack.aws_url, w.referral_id, Casework(
            employer_contact_dates=(now,) * int(move.body["employer_contacts"]),
            benefits_advice_on=now if w.plan.benefits_advice else None,
            pay_band=w.plan.pay_band if job else None,
            self_employed=w.plan.self_employed if job else None))

    def cut_short(self, w: Walker) -> None:
        """Out of time: the practice withdraws the referral, so that none is left to stall."""
        if w.referral_id and not w.settled:
            self.api.call("POST", f"/referrals/{w.referral_id}/withdraw",
                          self.api.token(Role.REFERRER, w.ods), {})
        w.failed = w.failed or "cut short at the deadline (withdrawn)"


def _guarded(demo: Demo, w: Walker) -> float:
    """A visit; a request that fails (a stack busy past the timeout, a 5xx) is tried again a
    little later, and a few in a row give the referral up (counted in the summary, never
    dropped silently)."""
    try:
        found = demo.visit(w)
    except Exception as error:  # one walker's failure must not stop the others
        w.errors += 1
        if w.errors >= MAX_ERRORS:
            w.failed = str(error) if isinstance(error, Unreadable) else type(error).__name__
        return demo.idle(w)
    w.errors = 0
    return found


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
            self.running[pool.submit(_guarded, self.demo, self.demo.walkers[index])] = index

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
