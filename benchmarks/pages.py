"""How long the lists take with many referrals: GET /referrals, /ops and /coach.

Fills the local engine with N referrals, then times each list through the in-process app (the
Chalice test client over moto) and prints p50 and p95 as a Markdown table, with the DynamoDB
calls one request makes.

The referrals are written straight through the store (`Store.bulk_load`: the items intake and
allocation would leave, list keys and counters included) and have no runs: this measures the
read path, not the workflow. Timings are moto's in one Python process, so they stand for the
number and size of calls a page makes, not for DynamoDB's latency.

    python -m benchmarks.pages --referrals 10000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.figures import PAGE_TARGETS_MS
from benchmarks.journey import DynamoCalls

# What a busy pilot looks like after a year or two: every coach's caseload full, a few waiting
# for triage and a place at each practice, a few flagged for ops, and everyone else ended.
LIVE_PER_COACH = 20
TRIAGE_PER_PRACTICE = 3
WAITLIST_PER_PRACTICE = 5
FLAGGED_EVERY = 97  # one live referral in this many needs ops
LIVE = ("ALLOCATED", "APPOINTMENT_BOOKED", "IN_SUPPORT", "IN_WORK")
ENDED = ("EXITED",) * 7 + ("WITHDRAWN",) * 2 + ("REJECTED",)
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _timeline(status: str, made: datetime, coach: str | None) -> list[dict[str, Any]]:
    """About the events a referral in this status has behind it (the item's bulk)."""
    events = ["referral_received", "triage_passed"]
    if coach:
        events += ["coach_allocated", "appointment_booked"]
    if status in {"IN_SUPPORT", "IN_WORK", "EXITED"}:
        events += ["first_appointment_attended", "review_continue", "review_continue"]
    if status in {"IN_WORK", "EXITED"}:
        events += ["job_started"]
    return [{"at": _at(made + timedelta(days=7 * n)), "event": e, "by": coach or "system"}
            for n, e in enumerate(events)]


def referrals(n: int, practices: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any],
                                                                         dict[str, Any]]]:
    """N (referral, personal data) pairs, oldest first, one a minute apart; the newest are
    the live ones."""
    coaches = [(p["practice_ods"], c["coach_id"]) for p in practices for c in p["coaches"]]
    live = [(ods, coach, LIVE[i % len(LIVE)]) for ods, coach in coaches
            for i in range(LIVE_PER_COACH)]
    live += [(p["practice_ods"], None, "AWAITING_TRIAGE_DECISION") for p in practices
             for _ in range(TRIAGE_PER_PRACTICE)]
    live += [(p["practice_ods"], None, "WAITLISTED") for p in practices
             for _ in range(WAITLIST_PER_PRACTICE)]
    ended = max(0, n - len(live))
    for i in range(n):
        if i < ended:
            ods, coach = coaches[i % len(coaches)]
            status = ENDED[i % len(ENDED)]
            coach = None if status == "REJECTED" else coach
        else:
            ods, coach, status = live[(i - ended) % len(live)]
        yield pair(i, ods, status, coach, flagged=i >= ended and i % FLAGGED_EVERY == 0)


def pair(i: int, ods: str, status: str, coach: str | None = None,
         flagged: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The i-th referral (made i minutes after START) and its personal data, as intake and
    the steps to `status` would have left them."""
    made = START + timedelta(minutes=i)
    referral_id = str(uuid.UUID(int=i + 1))
    referral: dict[str, Any] = {
        "referral_id": referral_id, "practice_ods": ods, "practice_pk": f"PRACTICE#{ods}",
        "status": status, "runs": [referral_id], "created_at": _at(made),
        "updated_at": _at(made + timedelta(days=30)), "patient_key": f"bench-{i}",
        "employment_status": "unemployed",
        "triage_facts": {"age_band": "25_to_49", "only_other_condition": False},
        "share_outcome_with_gp": True, "contact_preference": "sms",
        "timeline": _timeline(status, made, coach),
    }
    if coach:
        referral["coach_id"] = coach
        referral["appointment"] = {"start": _at(made + timedelta(days=7)), "practice_ods": ods}
    if status in {"IN_SUPPORT", "IN_WORK", "EXITED"}:
        referral["support_started_at"] = _at(made + timedelta(days=7))
    if status in {"IN_WORK", "EXITED"}:
        referral["job_started_at"] = _at(made + timedelta(days=60))
    if status == "EXITED":
        referral["exit_reason"] = "job_sustained_26_weeks"
    if status == "AWAITING_TRIAGE_DECISION":
        referral["awaiting"] = "triage_decision"
    if flagged:
        referral["attention"] = "overdue_review"
    personal = {"patient": {"nhs_number": "9434765919", "given_name": f"Bench{i}",
                            "family_name": "Patient", "date_of_birth": "1980-04-01",
                            "phone": "07700 900982", "contact_preference": "sms"},
                "health_conditions": ["mental_health"], "reason": "Benchmark referral."}
    return referral, personal


def fill(store: Any, n: int, practices: list[dict[str, Any]], chunk: int = 1000) -> None:
    made = 0
    pairs = list(referrals(n, practices))
    while made < n:
        store.referrals.bulk_load(pairs[made:made + chunk])
        made = min(n, made + chunk)
        print(f"  loaded {made:,} of {n:,} referrals", file=sys.stderr, flush=True)


class DynamoTime:
    """CPU time spent inside DynamoDB calls (moto, in this process), between botocore's
    before-call and after-call events."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0

    def before(self, **_: Any) -> None:
        self._started = time.process_time()

    def after(self, **_: Any) -> None:
        self.total += time.process_time() - self._started


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    from benchmarks.local import in_process_service
    from infra.seed import pilot_practices

    with in_process_service() as service:
        print(f"Loading {args.referrals:,} referrals (no runs: the read path only)",
              file=sys.stderr, flush=True)
        fill(service.store, args.referrals, pilot_practices())
        from workingbetter.web import csrf
        from workingbetter.web.http import csrf_key
        from workingbetter.wiring import services

        counter, inside = DynamoCalls(), DynamoTime()
        events = services().store.tables.client.meta.events
        events.register("provide-client-params.dynamodb", counter)
        events.register("before-call.dynamodb", inside.before)
        events.register("after-call.dynamodb", inside.after)
        ops, coach = service.token("ops", ""), service.token("coach", "coach-amara")
        referrer = service.token("referrer", "F83001")
        cookie = {"ops": f"wb_token={ops}", "coach": f"wb_token={coach}",
                  "referrer": f"wb_token={referrer}"}

        def get(path: str, headers: dict[str, str]) -> tuple[int, int]:
            """GET the path; "POST /path?form" posts the form instead (a search is posted,
            never put in an address), with the CSRF token its page would carry."""
            if path.startswith("POST "):
                path, _, form = path.removeprefix("POST ").partition("?")
                nonce = csrf.new_nonce()
                key = csrf_key(referrer) or ""
                body = f"{form}&nonce={nonce}&csrf={csrf.token_for(key, nonce)}"
                reply = service.client.http.post(path, body=body.encode(), headers={
                    **headers, "Content-Type": "application/x-www-form-urlencoded"})
            else:
                reply = service.client.http.get(path, headers=headers)
            return reply.status_code, len(reply.body or b"")

        cases = [
            ("GET /referrals", "/referrals", {"Authorization": f"Bearer {ops}"}),
            ("GET /referrals?status=EXITED", "/referrals?status=EXITED&limit=100",
             {"Authorization": f"Bearer {ops}"}),
            ("GET /referrals (coach)", "/referrals", {"Authorization": f"Bearer {coach}"}),
            ("GET /ops", "/ops", {"Cookie": cookie["ops"]}),
            ("GET /ops?status=IN_SUPPORT", "/ops?status=IN_SUPPORT", {"Cookie": cookie["ops"]}),
            ("GET /coach", "/coach", {"Cookie": cookie["coach"]}),
            ("GET /practice", "/practice", {"Cookie": cookie["referrer"]}),
            # Reads the practice's whole partition, keeping one patient's (a filter).
            ("POST /practice (search by NHS number)", "POST /practice?q=9434765919",
             {"Cookie": cookie["referrer"]}),
            ("GET /ops?practice_ods=F83001", "/ops?practice_ods=F83001",
             {"Cookie": cookie["ops"]}),
            ("GET /ops?attention=yes", "/ops?attention=yes", {"Cookie": cookie["ops"]}),
            ("GET /ops/referrals.csv?status=IN_SUPPORT", "/ops/referrals.csv?status=IN_SUPPORT",
             {"Cookie": cookie["ops"]}),
        ]
        rows = []
        for name, path, headers in cases:
            get(path, headers)  # warm: templates compiled, clients made
            counter.calls.clear()
            status, size = get(path, headers)
            calls = sum(counter.calls.values())
            assert status == 200, (name, status)
            samples, cpu, app = [], [], []
            for i in range(args.repeats):
                started, used, inside.total = time.perf_counter(), time.process_time(), 0.0
                get(path, headers)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
                app.append(cpu[-1] - inside.total * 1000)
                if (i + 1) % 10 == 0:
                    print(f"  {name}: {i + 1} of {args.repeats}", file=sys.stderr, flush=True)
            rows.append((name, percentile(samples, 50), percentile(samples, 95),
                         percentile(cpu, 50), percentile(app, 50), calls, size))

    load = os.getloadavg()[0]
    print(f"\n{args.referrals:,} referrals, {args.repeats} requests each, in-process on moto "
          f"({os.cpu_count()} cores, load average {load:.1f}). CPU is this process's own time, "
          "which other work on the machine does not inflate; 'outside DynamoDB' leaves out "
          "the time inside moto's DynamoDB calls\n")
    print("| request | p50 ms | p95 ms | target p95 | CPU p50 ms | CPU outside DynamoDB "
          "| DynamoDB calls | bytes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, p50, p95, cpu_p50, app_p50, calls, size in rows:
        target = PAGE_TARGETS_MS.get(name)
        shown = f"≤ {target}" if target else ""
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {shown} | {cpu_p50:.0f} | {app_p50:.0f} "
              f"| {calls} | {size:,} |")


if __name__ == "__main__":
    main()
