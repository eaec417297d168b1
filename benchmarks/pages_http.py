"""How long the lists take over HTTP against the running local stack holding many referrals:
GET /referrals, /ops, /coach and /practice as a browser or a GP system asks for them.

Starts the local stack (`python -m infra.local_stack`, every process of it) on free ports with
a real service clock, writes N referrals into its tables as benchmarks/pages.py does (the items
intake and allocation would leave, no runs: the read path only), then sends each request one
at a time (after a few not timed, to warm every API worker) and prints p50 and p95 of the
answer's wall time, with the stack's CPU per request (all its processes: steadier than wall
time on a busy machine). Unlike benchmarks/pages.py,
this goes through the stack's HTTP server, its workers and moto's server, as `make run` serves.

    python -m benchmarks.pages_http [--referrals 10000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks import figures, pages, scale
from benchmarks.processes import tree_cpu_seconds
from infra.seed import pilot_practices
from tests import local_stack_process
from workingbetter.domain.auth import Role

PRACTICE, COACH = "F83001", "coach-amara"  # of the pilot the stack seeds
WARM = 6  # requests of each page before the timed ones
FIGURE = {"GET /referrals": "http_referrals_p95_ms", "GET /ops": "http_ops_p95_ms",
          "GET /coach": "http_coach_p95_ms"}


@dataclass(frozen=True)
class Timed:
    name: str
    p50_ms: float
    p95_ms: float
    cpu_ms: float  # the stack's, per request
    size: int


def get(url: str, headers: dict[str, str]) -> int:
    """The page's size; anything but 200 stops the benchmark (it would time an error)."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - 127.0.0.1 only
    with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310
        body = reply.read()
        if reply.status != 200:
            raise SystemExit(f"{url} answered {reply.status}")
        return len(body)


def cases(running: local_stack_process.Running) -> list[tuple[str, str, dict[str, str]]]:
    ops, coach = running.token(Role.OPS), running.token(Role.COACH, coach_id=COACH)
    referrer = running.token(Role.REFERRER, practice_ods=PRACTICE)
    return [("GET /referrals", "/referrals?limit=50", {"Authorization": f"Bearer {ops}"}),
            ("GET /ops", "/ops", {"Cookie": f"wb_token={ops}"}),
            ("GET /coach", "/coach", {"Cookie": f"wb_token={coach}"}),
            ("GET /practice", "/practice", {"Cookie": f"wb_token={referrer}"})]


def measure(referrals: int, repeats: int) -> list[Timed]:
    running = local_stack_process.start("86400")
    output = scale.Output(running)
    try:
        store, _ = scale.connect(running)
        print(f"Loading {referrals:,} referrals into the stack's tables", file=sys.stderr,
              flush=True)
        pages.fill(store, referrals, pilot_practices())
        rows = []
        for name, path, headers in cases(running):
            # Warm: templates compiled, clients made, in each API worker (a request goes to
            # whichever worker takes it first, so a few each).
            size = max(get(running.api + path, headers) for _ in range(WARM))
            samples, cpu = [], tree_cpu_seconds(running.process.pid)
            for _ in range(repeats):
                started = time.perf_counter()
                get(running.api + path, headers)
                samples.append((time.perf_counter() - started) * 1000)
            cpu = tree_cpu_seconds(running.process.pid) - cpu
            rows.append(Timed(name, pages.percentile(samples, 50), pages.percentile(samples, 95),
                              cpu * 1000 / repeats, size))
            print(f"  {name}: p95 {rows[-1].p95_ms:.0f} ms", file=sys.stderr, flush=True)
        for line in output.alarming[:5]:
            print(f"  stack log: {line}", file=sys.stderr)
        return rows
    finally:
        local_stack_process.stop(running)


def table(rows: list[Timed]) -> str:
    lines = ["| request | p50 ms | p95 ms | target p95 | stack CPU ms a request | bytes |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        target = figures.PAGE_TARGETS_MS.get(r.name)
        lines.append(f"| {r.name} | {r.p50_ms:.0f} | {r.p95_ms:.0f} "
                     f"| {f'≤ {target}' if target else ''} | {r.cpu_ms:.0f} | {r.size:,} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--figures", type=Path, help="write the headline figures here (JSON)")
    args = parser.parse_args()
    rows = measure(args.referrals, args.repeats)
    figures.write(args.figures, {FIGURE[r.name]: r.p95_ms for r in rows if r.name in FIGURE})
    print(f"\n{args.referrals:,} referrals held by the local stack, {args.repeats} requests "
          f"each over HTTP, one at a time ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}). GET /referrals asks for 50 (limit=50).\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
