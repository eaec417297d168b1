"""How the local stack holds up with many referrals: memory and threads of `make run` as it
fills (every process of it).

Starts the local stack (`python -m infra.local_stack`) as a subprocess on free ports, with a
real service clock (nothing times out during the run) and room for thousands of referrals
(the service's caseload cap, and enough practices that every waiting referral gets a coach),
then sends referrals through the HTTP API from a few concurrent clients. Every `--waiting`-th
share ends up booked and waiting on a person (the coach's appointment outcome); the rest are
withdrawn by their practice as soon as they are made (intake refuses an age outside the range,
so triage no longer ends any: ended referrals are now made by withdrawal). At each checkpoint
it waits until every referral sent so far has reached its expected status, then reads the
memory (PSS and RSS) and threads of the stack's processes from /proc (benchmarks/processes.py).
The headline: the minutes the whole run took, the stack's start included, and its PSS at the
end (both only when every referral got in and reached its status).

    python -m benchmarks.scale [--referrals 10000] [--waiting 2000]

(Its --baseline, the stack with only moto's first two patches, went when the engine became a
process of its own: it set the patches in the supervisor, which no longer holds the engine, so
it measured the whole stack while saying otherwise. docs/local-engine.md keeps its figures.)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boto3.dynamodb.conditions import Key

from benchmarks import figures, processes
from infra.tokens import stack_tokens
from tests import local_stack_process
from workingbetter.adapters.store import Store
from workingbetter.domain import nhs_number
from workingbetter.domain.records.directory import Coach, Practice, Session
from workingbetter.domain.referral import Status

WEEKDAYS = 5
# The service's own caseload cap (WB_CASELOAD_CAP's default), which the benchmarks keep: a
# borough's referrals arrive at many practices, each coach taking at most this many. A stack
# with the cap raised so that a few coaches take thousands measured a workload no service has
# (300 referrals at one practice cost 589 ms of CPU each against 396 at fifteen practices).
CASELOAD = 20
CHECKPOINTS = (1_000, 5_000, 10_000)


@dataclass(frozen=True)
class Usage:
    """What the stack's processes hold, all of them (benchmarks/processes.py)."""

    rss_mb: float
    pss_mb: float
    threads: int
    processes: int

    @staticmethod
    def of(pid: int) -> Usage:
        return Usage(processes.tree_rss_mb(pid), processes.tree_pss_mb(pid),
                     processes.tree_threads(pid), processes.tree_processes(pid))

    def __str__(self) -> str:
        return (f"{self.pss_mb:,.0f} MB PSS ({self.rss_mb:,.0f} MB RSS), {self.threads:,} "
                f"threads in {self.processes} process(es)")


@dataclass
class Row:
    referrals: int
    waiting: int
    usage: Usage
    elapsed: float
    settled: bool


@dataclass
class Run:
    sent: int = 0
    failed_posts: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def nhs_numbers(start: int) -> Any:
    """Valid NHS numbers, each once (a patient may have one active referral)."""
    base = start
    while True:
        nine = f"{base:09d}"
        digit = nhs_number.check_digit(nine)
        if digit is not None:
            yield nine + str(digit)
        base += 1


def bench_practices(count: int) -> list[str]:
    return [f"B{n:05d}" for n in range(1, count + 1)]


def practices_for(referrals: int) -> list[str]:
    """Enough practices (a coach a weekday at each) for every referral to have a coach."""
    return bench_practices(max(1, math.ceil(referrals / (WEEKDAYS * CASELOAD))))


def seed_practices(store: Store, practices: list[str]) -> None:
    """Practices whose coaches (one a weekday) take the waiting referrals."""
    for ods in practices:
        sessions = tuple(Session(f"coach-{ods}-{day}", day) for day in range(WEEKDAYS))
        store.directory.put_practice(Practice(ods, f"Benchmark practice {ods}", sessions,
                                    f"{ods}@example.com", "1 Benchmark Road, London N1 1AA",
                                    "020 7946 0999"))
        for session in sessions:
            store.directory.put_coach(Coach(session.coach_id, ods, session.weekday))


def body(practice: str, number: str) -> dict[str, Any]:
    return {"practice_ods": practice, "employment_status": "unemployed",
            "patient": {"nhs_number": number, "given_name": "Scale", "family_name": "Bench",
                        "date_of_birth": "1985-06-01",
                        "email": "scale@example.com", "contact_preference": "email"},
            "health_conditions": ["musculoskeletal"], "reason": "Scale benchmark",
            "consent": {"referral": True, "share_outcome_with_gp": True}}


def post(api: str, token: Callable[[], str], payload: dict[str, Any], run: Run,
         idempotency_key: str | None = None, withdraw: bool = False) -> None:
    """One POST (and, to `withdraw`, the practice's withdrawal once it is made: not timed);
    its token is read as it is sent (a batch can take longer than a token lives: reading it
    when the batch was queued made a 10,000-referral run's last 425 fail with 401)."""
    headers = {"Authorization": f"Bearer {token()}", "Content-Type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(  # noqa: S310 - the local stack on 127.0.0.1 only
        f"{api}/referrals", data=json.dumps(payload).encode(), method="POST", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310
            ok = reply.status == 201
            detail = "" if ok else f"status {reply.status}"
            made = json.loads(reply.read())
    except OSError as error:  # URLError, a dropped connection, a timeout: counted, not fatal
        ok, detail = False, f"{type(error).__name__}: {error}"
    with run.lock:
        run.latencies.append(time.monotonic() - started)
        if not ok:
            run.failed_posts.append(detail)
    if ok and withdraw:
        _withdraw(api, token, str(made["referral_id"]), run)


def _withdraw(api: str, token: Callable[[], str], referral_id: str, run: Run) -> None:
    request = urllib.request.Request(  # noqa: S310 - the local stack on 127.0.0.1 only
        f"{api}/referrals/{referral_id}/withdraw", data=b"{}", method="POST", headers={
            "Authorization": f"Bearer {token()}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120):  # noqa: S310
            return
    except OSError as error:
        with run.lock:
            run.failed_posts.append(f"withdraw: {type(error).__name__}: {error}")


def _status_pages(store: Any, status: Status, **asked: Any) -> Any:
    kwargs: dict[str, Any] = {"IndexName": "ByStatus",
                              "KeyConditionExpression": Key("status").eq(str(status)), **asked}
    while True:
        page = store.tables.table.query(**kwargs)
        yield page
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def with_status(store: Any, status: Status) -> list[dict[str, Any]]:
    return [item for page in _status_pages(store, status) for item in page["Items"]]


def settle(store: Store, withdrawn: int, waiting: int, timeout: float) -> bool:
    """Wait until the referrals sent so far are Withdrawn or booked, as expected.

    Each look reads the counters ops's status table reads (one BatchGetItem): a Query with
    Select=COUNT reads every item it counts, and at 1,000 referrals the benchmarks' own asking
    took a sizeable share of the engine's CPU, slowing the runs they were timing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = store.lists.status_counts()
        if (counts[str(Status.WITHDRAWN)] >= withdrawn
                and counts[str(Status.APPOINTMENT_BOOKED)] >= waiting):
            return True
        time.sleep(1)
    return False


def final_checks(store: Any, sfn: Any, machine: str, waiting: int) -> dict[str, int]:
    booked = with_status(store, Status.APPOINTMENT_BOOKED)
    counts = {"booked, awaiting the appointment outcome with a token": sum(
        1 for item in booked
        if item.get("awaiting") == "appointment_outcome" and item.get("task_token"))}
    counts["flagged for attention (a step failed or timed out)"] = sum(
        1 for item in booked if item.get("attention"))
    for status in ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine,
                                                              statusFilter=status)
        counts[f"executions {status}"] = sum(len(page["executions"]) for page in pages)
    return counts


class Output:
    """Reads the stack's output as it comes (a full pipe would block every thread that logs)
    and counts the lines that tell of a failed or timed-out task."""

    def __init__(self, running: local_stack_process.Running) -> None:
        self.lines = 0
        self.alarming: list[str] = []
        threading.Thread(target=self._read, args=(running,), daemon=True).start()

    def _read(self, running: local_stack_process.Running) -> None:
        assert running.process.stdout is not None
        for line in running.process.stdout:
            self.lines += 1
            if any(word in line for word in ('"level":"ERROR"', "Traceback", "Timeout")):
                self.alarming.append(line.strip()[:300])


class ReferrerTokens:
    """Each practice's referrer token from the stack's pool, fetched again before the hour a
    Cognito ID token lasts is up (a long run outlasts it)."""

    def __init__(self, running: local_stack_process.Running) -> None:
        self.tokens = stack_tokens(running.stack_file)

    def of(self, ods: str) -> Callable[[], str]:
        """The practice's token, as it is when asked for."""
        from workingbetter.domain.auth import Role

        return lambda: self.tokens(Role.REFERRER, ods)


def connect(running: local_stack_process.Running) -> tuple[Any, Any]:
    """The store and Step Functions client of the running stack, from this process."""
    import boto3

    from infra import engine
    from infra.template import REGION, LocalTemplate, load
    from workingbetter import wiring

    os.environ.update({"AWS_ENDPOINT_URL": running.aws, "AWS_DEFAULT_REGION": REGION,
                       "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    from infra.local_stack import StackFile

    template = LocalTemplate(load(),
                             overrides=StackFile.read(running.stack_file).template_overrides())
    os.environ.update(engine.environment(template, nhs_hash_key="scale-benchmark-hash-key"))
    wiring.reset()  # a stack started before this one had its own endpoint
    return wiring.adapters().store, boto3.client("stepfunctions")


def measure(referrals: int, waiting: int, checkpoints: list[int], clients: int,
            settle_timeout: float, deadline: float) -> list[Row]:
    running = local_stack_process.start("86400")
    pid = running.process.pid
    output = Output(running)
    try:
        store, sfn = connect(running)
        practices = practices_for(waiting)
        seed_practices(store, practices)
        tokens = ReferrerTokens(running)
        rows = [Row(0, 0, Usage.of(pid), 0.0, True)]
        print(f"empty: {rows[0].usage}", file=sys.stderr, flush=True)
        numbers = nhs_numbers(900_000_000)
        every = referrals / waiting if waiting else math.inf
        run, started, sent_waiting = Run(), time.monotonic(), 0
        with ThreadPoolExecutor(max_workers=clients) as pool:
            for checkpoint in checkpoints:
                batch = []
                while run.sent < checkpoint:
                    is_waiting = waiting > 0 and math.floor(run.sent / every) < math.floor(
                        (run.sent + 1) / every)
                    # The waiting referrals go round the practices on their own count: every
                    # fifth referral over twenty practices would all land at four of them.
                    practice = practices[(sent_waiting if is_waiting else run.sent)
                                         % len(practices)]
                    batch.append(pool.submit(post, running.api, tokens.of(practice),
                                             body(practice, next(numbers)), run,
                                             withdraw=not is_waiting))
                    sent_waiting += is_waiting
                    run.sent += 1
                for n, future in enumerate(batch, start=1):
                    future.result()
                    if n % 250 == 0:
                        print(f"  {run.sent - len(batch) + n} sent, {Usage.of(pid)}, "
                              f"{time.monotonic() - started:.0f} s",
                              file=sys.stderr, flush=True)
                    if time.monotonic() > deadline:
                        print(f"out of time at {run.sent} referrals", file=sys.stderr)
                        pool.shutdown(cancel_futures=True)
                        return rows
                settled = settle(store, run.sent - sent_waiting, sent_waiting, settle_timeout)
                rows.append(Row(run.sent, sent_waiting, Usage.of(pid),
                                time.monotonic() - started, settled))
                print(f"{run.sent} referrals ({sent_waiting} waiting), settled={settled}: "
                      f"{rows[-1].usage}", file=sys.stderr, flush=True)
        checks = final_checks(store, sfn, running.state_machine_arn, sent_waiting)
        p50 = statistics.median(run.latencies) * 1000
        p95 = statistics.quantiles(run.latencies, n=20)[-1] * 1000
        print(f"\nPOST /referrals: {len(run.failed_posts)} failed; "
              f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms with {clients} clients")
        for name, value in checks.items():
            print(f"  {name}: {value}")
        for detail in sorted(set(run.failed_posts))[:5]:
            print(f"  failed POST: {detail}")
        print(f"  stack log lines telling of an error or a timeout: {len(output.alarming)}"
              f" of {output.lines}")
        for line in output.alarming[:5]:
            print(f"    {line}")
        return rows
    finally:
        for line in output.alarming[:5]:  # also when the run ends early
            print(f"  stack log: {line}", file=sys.stderr)
        local_stack_process.stop(running)


def table(rows: list[Row]) -> str:
    lines = ["| referrals held | waiting on a person | PSS MB | RSS MB (summed) "
             "| threads | processes | wall s | all at expected status |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {r.referrals:,} | {r.waiting:,} | {r.usage.pss_mb:,.0f} "
              f"| {r.usage.rss_mb:,.0f} | {r.usage.threads:,} | {r.usage.processes} "
              f"| {r.elapsed:,.0f} | {'yes' if r.settled else 'NO'} |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--waiting", type=int, default=2_000)
    parser.add_argument("--at", type=int, nargs="*", help="checkpoints (default 1k, 5k, 10k)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--settle-timeout", type=float, default=600.0)
    parser.add_argument("--max-minutes", type=float, default=90.0)
    parser.add_argument("--figures", type=Path, help="write the headline figures here (JSON)")
    args = parser.parse_args()
    started = time.monotonic()
    checkpoints = sorted({c for c in (args.at or CHECKPOINTS) if c < args.referrals}
                         | {args.referrals})
    rows = measure(args.referrals, min(args.waiting, args.referrals), checkpoints,
                   args.clients, args.settle_timeout,
                   time.monotonic() + 60 * args.max_minutes)
    minutes = (time.monotonic() - started) / 60
    finished = rows[-1].referrals == args.referrals and all(r.settled for r in rows)
    figures.write(args.figures, {
        "scale_minutes": minutes if finished else None,
        "scale_memory_mb": max(r.usage.pss_mb for r in rows) if finished else None})
    print(f"\n{minutes:.1f} minutes in all (the stack's start and seeding included); PSS adds "
          "up each process's share of the pages it uses (what the stack takes from the "
          "machine), RSS counts a page shared by two processes twice.\n")
    print(table(rows))
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
