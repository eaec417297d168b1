"""`make demo`: fill a running local stack (`make run`) with a demo population, walked along
the pathway through the real HTTP API, with a progress bar on stderr.

Each referral gets a plan drawn at random (age, conditions, practice, how often they come,
whether they find work and keep it, when they leave, and where the demo stops following them),
so the stack ends with a mix of live and ended referrals. Coaches' answers wait for the
service clock as a person would: start the stack with a fast clock for a demo that ends in
minutes, e.g. `WB_SECONDS_PER_DAY=0.5 make run`.

    python -m infra.demo [--referrals 300] [--minutes 20] [--seed 14]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra import demo_casework, tokens
from infra.demo_casework import Casework
from infra.demo_people import conditions, date_of_birth, nhs_numbers
from infra.tokens import TokenCache
from workingbetter.domain.auth import Role

TERMINAL = {"EXITED", "REJECTED", "WITHDRAWN"}
REVIEW_EXITS = ("education_or_training", "volunteering", "no_longer_wishes", "moved_away")


@dataclass
class Plan:
    """What happens to one referral, drawn once."""

    attend: float  # chance of coming to each booked appointment
    job_after_reviews: int | None  # the review at which they start a job (None: never)
    exit_after_reviews: int | None
    keeps_job: tuple[bool, bool]  # still in work at 13, at 26 weeks
    withdraws_at: str | None  # the step at which they leave, if they do
    demo_stops_at: str | None  # the step where the demo stops following (left live)
    pay_band: str
    self_employed: bool
    benefits_advice: bool
    triage_accept: bool


def plan(rng: random.Random) -> Plan:
    steps = ("appointment_outcome", "review", "sustainment_check")
    return Plan(
        attend=rng.choice((0.95, 0.9, 0.8, 0.6)),
        job_after_reviews=rng.choice((1, 2, 3, 4)) if rng.random() < 0.45 else None,
        exit_after_reviews=rng.choice((2, 3, 5)) if rng.random() < 0.25 else None,
        keeps_job=(rng.random() < 0.8, rng.random() < 0.85),
        withdraws_at=rng.choice(steps) if rng.random() < 0.06 else None,
        demo_stops_at=rng.choice(steps) if rng.random() < 0.3 else None,
        pay_band=rng.choices(("below_nlw", "nlw", "llw"), (0.1, 0.6, 0.3))[0],
        self_employed=rng.random() < 0.08,
        benefits_advice=rng.random() < 0.7,
        triage_accept=rng.random() < 0.8,
    )


class Api:
    """The running local stack's HTTP API, signed in as its seeded people (its own pool)."""

    def __init__(self, url: str, tokens: TokenCache) -> None:
        self.url = url
        self.token = tokens

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
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@dataclass
class Progress:
    total: int
    done: int = 0
    ended: int = 0
    left_live: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def settle(self, how: str) -> None:
        with self.lock:
            self.done += 1
            setattr(self, how, getattr(self, how) + 1)
            self.draw()

    def draw(self) -> None:
        width = 30
        filled = width * self.done // max(1, self.total)
        minutes = (time.monotonic() - self.started) / 60
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                         f"  ended {self.ended}, left live {self.left_live}"
                         f"{f', failed {self.failed}' if self.failed else ''}"
                         f"  {minutes:.1f} min ")
        sys.stderr.flush()


@dataclass
class Walker:
    """Walks one referral along the pathway as its plan says, through the API."""

    api: Api
    aws_url: str
    practice: dict[str, Any]
    plan: Plan
    rng: random.Random
    deadline: float
    referral_id: str = ""
    reviews: int = 0

    @property
    def coach(self) -> str:
        return str(self.practice["sessions"][0]["coach_id"])

    def refer(self, nhs_numbers: Iterator[str], lock: threading.Lock) -> bool:
        """Refer a made-up patient; a number already in the service is passed over."""
        for _ in range(5):
            with lock:
                number = next(nhs_numbers)
            status = self._refer(number)
            if status != 409:
                return status == 201
        return False

    def _refer(self, nhs_number: str) -> int:
        ods = str(self.practice["practice_ods"])
        body = {"practice_ods": ods, "patient": {
            "nhs_number": nhs_number, "given_name": "Demo", "family_name": "Person",
            "date_of_birth": date_of_birth(self.rng, datetime.now(UTC).date()).isoformat(),
            "phone": "07700 900982", "contact_preference": "sms"},
            "employment_status": self.rng.choice(("unemployed",) * 3 + ("economically_inactive",)),
            "health_conditions": conditions(self.rng),
            "consent": {"referral": True, "share_outcome_with_gp": self.rng.random() < 0.8},
            "reason": "Demo referral: wants help back to work."}
        status, reply = self.api.call("POST", "/referrals", self.api.token(Role.REFERRER, ods),
                                      body, {"Idempotency-Key": str(uuid.uuid4())})
        if status == 201:
            self.referral_id = str(reply["referral_id"])
        return status

    def walk(self) -> str:
        """Answer each step the run waits for; returns how the referral was left."""
        while time.monotonic() < self.deadline:
            status, item = self.api.call("GET", f"/referrals/{self.referral_id}", self.api.ops)
            if status != 200:
                return "failed"
            if item["status"] in TERMINAL:
                return "ended"
            waiting = item.get("awaiting")
            if waiting and waiting == self.plan.withdraws_at:
                self._post("withdraw", {"erase_personal_data": self.rng.random() < 0.3},
                           Role.REFERRER, str(self.practice["practice_ods"]))
                continue
            if waiting and waiting == self.plan.demo_stops_at and item.get("stalled") is False:
                return "left_live"
            if waiting and not self._answer(waiting, item):
                time.sleep(1 + self.rng.random())
                continue
            time.sleep(0.5 + self.rng.random())
        return "left_live"

    def _post(self, path: str, body: dict[str, Any], role: Role = Role.COACH,
              scope: str | None = None) -> int:
        token = self.api.token(role, scope or self._coach_of())
        status, _ = self.api.call("POST", f"/referrals/{self.referral_id}/{path}", token, body)
        return status

    def _coach_of(self) -> str:
        _, item = self.api.call("GET", f"/referrals/{self.referral_id}", self.api.ops)
        return str((item or {}).get("coach_id") or self.coach)

    def _answer(self, waiting: str, item: dict[str, Any]) -> bool:
        """One answer to the step the run waits for; False if it must wait (409)."""
        if waiting == "triage_decision":
            decision = "accept" if self.plan.triage_accept else "reject"
            return self._post("triage", {"decision": decision,
                                         "reason": "Demo triage decision."}) == 200
        if waiting == "appointment_outcome":
            outcome = "attended" if self.rng.random() < self.plan.attend else \
                self.rng.choice(("did_not_attend",) * 4 + ("cancelled",))
            return self._post("appointment-outcome", {"outcome": outcome}) == 200
        if waiting == "review":
            return self._review()
        if waiting == "sustainment_check":
            passed = {e["event"] for e in item.get("timeline", [])}
            week = next((w for w in (13, 26) if f"in_work_{w}_weeks" not in passed), 52)
            still = self.plan.keeps_job[0 if week == 13 else 1]
            # Support is time-unlimited: about half end it at 26 weeks, the rest at 52.
            ends = still and (week >= 52 or (week == 26 and self.rng.random() < 0.5))
            return self._post("sustainment", {"still_in_work": still,
                                              **({"end_support": True} if ends else {})}) == 200
        return False  # capacity, ops_retry: the service moves these on

    def _review(self) -> bool:
        self.reviews += 1
        contacts = self.rng.choice((0, 1, 1, 2, 3))
        body: dict[str, Any] = {"decision": "continue", "employer_contacts": contacts}
        starts_job = self.plan.job_after_reviews == self.reviews
        if starts_job:
            body = {"decision": "job_start", "employer_contacts": contacts, "job": {
                "employer": "Demo Employer", "start_date": datetime.now(UTC).date().isoformat(),
                "hours_per_week": self.rng.choice((8, 12, 16, 20, 30, 37.5))}}
        elif self.plan.exit_after_reviews == self.reviews:
            body = {"decision": "exit", "employer_contacts": contacts,
                    "exit_reason": self.rng.choice(REVIEW_EXITS)}
        if self._post("reviews", body) != 200:
            self.reviews -= 1
            return False
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        demo_casework.record(self.aws_url, self.referral_id, Casework(
            employer_contact_dates=(now,) * contacts,
            benefits_advice_on=now if self.plan.benefits_advice else None,
            pay_band=self.plan.pay_band if starts_job else None,
            self_employed=self.plan.self_employed if starts_job else None))
        return True


def run(args: argparse.Namespace) -> Progress:
    api = Api(args.api, tokens.stack_tokens(tokens.stack_file()))
    status, practices = api.call("GET", "/practices", api.ops)
    if status != 200:
        raise SystemExit(f"The local stack at {args.api} answered {status}: is `make run` up?")
    rng = random.Random(args.seed)
    weights = [len(p["sessions"]) for p in practices]
    # The 999 test range; a fresh stretch each run, so a second demo meets few patients the
    # first left with an active referral (the one it meets is skipped: refer() tries again).
    numbers = nhs_numbers(999_000_000 + rng.randrange(0, 900) * 1000)
    deadline = time.monotonic() + args.minutes * 60
    progress = Progress(args.referrals)
    progress.draw()

    def one(i: int) -> None:
        own = random.Random(f"{args.seed}-{i}")
        walker = Walker(api, args.aws, own.choices(practices, weights)[0], plan(own), own,
                        deadline)
        if not walker.refer(numbers, progress.lock):
            progress.settle("failed")
            return
        try:
            progress.settle(walker.walk())
        except Exception:  # a demo walker's failure must not stop the others
            progress.settle("failed")

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for i in range(args.referrals):
            pool.submit(one, i)
            time.sleep(args.stagger)
    sys.stderr.write("\n")
    return progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill the running local stack with a demo "
                                                 "population walked along the pathway.")
    parser.add_argument("--referrals", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=20.0,
                        help="stop following referrals after this long (they stay live)")
    parser.add_argument("--workers", type=int, default=24)
    parser.add_argument("--stagger", type=float, default=0.2,
                        help="seconds between new referrals")
    parser.add_argument("--seed", default="14")
    port, aws_port = os.environ.get("WB_PORT", "8000"), os.environ.get("WB_AWS_PORT", "5000")
    parser.add_argument("--api", default=f"http://127.0.0.1:{port}")
    parser.add_argument("--aws", default=f"http://127.0.0.1:{aws_port}")
    args = parser.parse_args(argv)
    progress = run(args)
    print(f"{progress.done} referrals: {progress.ended} ended, {progress.left_live} left live, "
          f"{progress.failed} failed. See {args.api}/reports (sign in as the commissioner) or "
          "`make report`.")
    return 0 if progress.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
