"""How fast the local stack takes referrals in: POST /referrals from concurrent clients.

Starts the local stack (`python -m infra.local_stack`) on free ports with a real service clock
and room for every referral (enough practices that no coach goes over the service's caseload
cap: scale.CASELOAD), then sends `--referrals` eligible referrals through the HTTP API from
each number of `--clients` in turn (a fresh stack each time), and reports the POST latency,
how long after the last POST every referral had reached APPOINTMENT_BOOKED (or WAITLISTED; a
referral missing then is lost), the referrals a second from the first POST to that moment, and
the CPU every process of the stack used over it, per referral (benchmarks/processes.py).

    python -m benchmarks.intake [--referrals 1000] [--clients 1 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from benchmarks import figures, scale
from benchmarks.processes import tree_cpu_seconds
from tests import local_stack_process
from workingbetter.adapters.store import Store
from workingbetter.domain.referral import Status


@dataclass
class Intake:
    clients: int
    referrals: int
    failed: int
    p50_ms: float
    p95_ms: float
    per_second: float  # POSTs answered
    sustained: float | None  # referrals a second from the first POST to the last booked
    settled_after_s: float | None  # None: some were not booked or waitlisted in time
    lost: int
    cpu_ms_per_referral: float  # the stack's own CPU, intake and workflow, to booked

    def figures(self) -> dict[str, figures.Value]:
        n = self.clients
        return {f"intake_p50_ms_{n}": self.p50_ms, f"intake_p95_ms_{n}": self.p95_ms,
                f"intake_per_second_{n}": self.sustained,
                f"cpu_ms_per_referral_{n}": self.cpu_ms_per_referral,
                f"settled_after_s_{n}": self.settled_after_s}


def settled(store: Store) -> int:
    counts = store.lists.status_counts()  # one read: see scale.settle
    return sum(counts[str(status)] for status in (Status.APPOINTMENT_BOOKED, Status.WAITLISTED))


def run_once(referrals: int, clients: int, settle_limit: float) -> Intake:
    running = local_stack_process.start("86400")
    output = scale.Output(running)
    try:
        store, _ = scale.connect(running)
        practices = scale.practices_for(referrals)
        scale.seed_practices(store, practices)
        tokens = scale.ReferrerTokens(running)
        numbers = scale.nhs_numbers(800_000_000)
        run = scale.Run()
        started, cpu = time.monotonic(), tree_cpu_seconds(running.process.pid)
        with ThreadPoolExecutor(max_workers=clients) as pool:
            sent = []
            for n in range(referrals):
                ods = practices[n % len(practices)]
                sent.append(pool.submit(scale.post, running.api, tokens.of(ods),
                                        scale.body(ods, next(numbers)), run,
                                        f"intake-{clients}-{n:06d}"))  # as the form sends one
            for n, _ in enumerate(as_completed(sent), start=1):
                if n % 250 == 0:
                    print(f"  {n:,} POSTs answered, {time.monotonic() - started:.0f} s",
                          file=sys.stderr, flush=True)
        last_post = time.monotonic()
        deadline = last_post + settle_limit
        done = settled(store)
        while done < referrals and time.monotonic() < deadline:
            time.sleep(0.25)
            done = settled(store)
        after = time.monotonic() - last_post
        used = tree_cpu_seconds(running.process.pid) - cpu
        for line in output.alarming[:5]:
            print(f"  stack log: {line}", file=sys.stderr)
        latencies = [s * 1000 for s in run.latencies]
        whole = last_post + after - started
        return Intake(clients, referrals, len(run.failed_posts), statistics.median(latencies),
                      statistics.quantiles(latencies, n=20)[-1],
                      referrals / (last_post - started),
                      referrals / whole if done >= referrals else None,
                      after if done >= referrals else None,
                      referrals - len(run.failed_posts) - done, used * 1000 / referrals)
    finally:
        local_stack_process.stop(running)


def table(rows: list[Intake]) -> str:
    lines = ["| clients | referrals | failed POSTs | p50 ms (≤ 50) | p95 ms (≤ 150) "
             "| POSTs/s | referrals/s, first POST to all booked "
             "| all booked or waitlisted, s after last POST (≤ 60) | lost "
             "| stack CPU ms per referral |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        after = f"{r.settled_after_s:.1f}" if r.settled_after_s is not None else "NOT IN TIME"
        sustained = f"{r.sustained:.1f}" if r.sustained is not None else "—"
        lines.append(f"| {r.clients} | {r.referrals:,} | {r.failed} | {r.p50_ms:.0f} "
                     f"| {r.p95_ms:.0f} | {r.per_second:.1f} | {sustained} | {after} | {r.lost} "
                     f"| {r.cpu_ms_per_referral:.0f} |")
    return "\n".join(lines)


def measure(referrals: int, clients: list[int], settle_limit: float = 600.0) -> list[Intake]:
    rows = []
    for count in clients:
        print(f"Intake: {referrals:,} referrals from {count} client(s)…", file=sys.stderr,
              flush=True)
        rows.append(run_once(referrals, count, settle_limit))
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=1_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--figures", type=Path, help="write the headline figures here (JSON)")
    args = parser.parse_args()
    rows = measure(args.referrals, args.clients)
    figures.write(args.figures, {k: v for r in rows for k, v in r.figures().items()
                                 if k in figures.BY_KEY})
    print(f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. The stack's CPU "
          "per referral (API, workflow tasks and moto, until booked: every process of the "
          "stack) is steadier than wall time on a busy machine.\n")
    print(table(rows))
    return 0 if all(r.failed == 0 and r.lost == 0 and r.settled_after_s is not None
                    for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
