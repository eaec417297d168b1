"""How long the outcome report takes over many referrals: GET /reports/outcomes.

Fills the local engine with N referrals as intake and the steps would leave them (the pages
benchmark's items, with age bands and conditions added), then times the JSON report through
the in-process app (wall and CPU time: on a shared machine the CPU time is the steadier), and
counts the DynamoDB calls one report makes.

    python -m benchmarks.reports --referrals 10000
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from benchmarks.journey import DynamoCalls
from benchmarks.pages import pair, percentile
from workingbetter.domain.bands import AGE_BANDS

ENDED = ("EXITED",) * 6 + ("WITHDRAWN", "REJECTED", "IN_SUPPORT", "IN_WORK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from benchmarks.local import in_process_service
    from infra.seed import pilot_practices

    rng = random.Random(14)
    practices = pilot_practices()
    coaches = [(p["practice_ods"], c["coach_id"]) for p in practices for c in p["coaches"]]
    with in_process_service() as service:
        pairs = []
        for i in range(args.referrals):
            ods, coach = coaches[i % len(coaches)]
            referral, personal = pair(i, ods, ENDED[i % len(ENDED)], coach)
            referral["age_band"] = rng.choice(AGE_BANDS)
            referral["condition_categories"] = sorted(rng.sample(
                ["mental_health", "musculoskeletal", "diabetes", "respiratory"], 2))
            pairs.append((referral, personal))
        for start in range(0, len(pairs), 1000):
            service.store.referrals.bulk_load(pairs[start:start + 1000])
        print(f"loaded {len(pairs):,} referrals", file=sys.stderr)
        from workingbetter.wiring import services

        counter = DynamoCalls()
        client = services().store.tables.client
        client.meta.events.register("provide-client-params.dynamodb", counter)
        token = service.token("ops", "")
        span = "from=2025-01-01&to=2026-12-31"
        print("| report | referrals counted | median | slowest | CPU (median) | DynamoDB calls |")
        print("|---|--:|--:|--:|--:|---|")
        for path in (f"/reports/outcomes?{span}", f"/reports/outcomes?{span}&practice=F83001"):
            timings, cpu = [], []
            for _ in range(args.repeats):
                counter.calls.clear()
                started, used = time.perf_counter(), time.process_time()
                status, body = service.call("GET", path, token, None)
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
                assert status == 200, body
            referred = body["tables"][0]["rows"][0]["count"]
            calls = ", ".join(f"{n} {name}" for name, n in sorted(counter.calls.items()))
            print(f"| {path.split('?')[0]}{' (one practice)' if 'practice' in path else ''} "
                  f"| {referred:,} | {percentile(timings, 50):.2f} s "
                  f"| {max(timings):.2f} s | {percentile(cpu, 50):.2f} s | {calls} |", flush=True)


if __name__ == "__main__":
    main()
