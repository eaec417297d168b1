"""The demo's walk along the pathway (infra/demo.py runs it): each referral (`Walker`) is
referred, visited when its next step is due and answered as a person would, through the real
HTTP API (`Api`), until its plan ends."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra import demo_casework
from infra.demo_casework import Casework
from infra.demo_people import date_of_birth
from infra.demo_plans import Ending, Move, Plan
from infra.local_stack import StackFile
from infra.tokens import TokenCache
from workingbetter.domain.auth import Role
from workingbetter.domain.referral import ExitReason, Status

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


def guarded(demo: Demo, w: Walker) -> float:
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
