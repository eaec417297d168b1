"""How long `make demo` takes: the demo population walked along the pathway through the HTTP API
of a running local stack, started as the demo asks (README: `WB_SECONDS_PER_DAY=0.5 make run`,
every other setting as `make run` has it, people's time limits included).

Starts that stack (not timed: `make run` is up before `make demo`), then runs what `make demo`
runs (`python -m infra.demo --referrals N`) against it, and reports its wall time, the demo's
own summary and the stack's CPU over the demo (every process of it).

    python -m benchmarks.demo [--referrals 300] [--seconds-per-day 0.5] [--test-limits]
                              [--seed 14]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import figures
from benchmarks.processes import tree_cpu_seconds
from benchmarks.scale import Output
from tests import local_stack_process
from workingbetter.settings import Settings

# `make run`'s own limits for people's answers (local_stack_process gives tests far longer).
LIMITS = {f"WB_{name.upper()}": str(Settings.model_fields[name].default)
          for name in local_stack_process.PATIENT_LIMITS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=300)
    parser.add_argument("--seconds-per-day", default="0.5")
    parser.add_argument("--seed", default="14", help="the demo's (`make demo` uses 14)")
    parser.add_argument("--test-limits", action="store_true",
                        help="people have as long as in the tests (a smoke run on a busy "
                             "machine: a fast clock there must not chase the demo)")
    parser.add_argument("--figures", type=Path, help="write the headline figures here (JSON)")
    args = parser.parse_args()
    started = time.monotonic()
    running = local_stack_process.start(args.seconds_per_day,
                                        settings=None if args.test_limits else LIMITS)
    output = Output(running)
    try:
        up = time.monotonic() - started
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("WB_")},
               "WB_STACK_FILE": str(running.stack_file)}
        cpu, started = tree_cpu_seconds(running.process.pid), time.monotonic()
        done = subprocess.run(  # noqa: S603 - this interpreter, the project's own module
            [sys.executable, "-m", "infra.demo", "--referrals", str(args.referrals),
             "--seed", args.seed],
            env=env, stdout=subprocess.PIPE, text=True, check=False)
        minutes = (time.monotonic() - started) / 60
        cpu = tree_cpu_seconds(running.process.pid) - cpu
        for line in output.alarming[:5]:
            print(f"  stack log: {line}", file=sys.stderr)
    finally:
        local_stack_process.stop(running)
    figures.write(args.figures, {"demo_minutes": minutes if done.returncode == 0 else None})
    print(f"`make demo` of {args.referrals:,} referrals against a stack at "
          f"{args.seconds_per_day} s a service day: **{minutes:.1f} minutes** "
          f"({'every plan ended' if done.returncode == 0 else f'exit {done.returncode}'}); "
          f"the stack's CPU over it {cpu:,.0f} s, {cpu * 1000 / max(1, args.referrals):,.0f} ms "
          f"a referral (its start, not timed: {up:.0f} s). Load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. The demo's summary:\n")
    print("\n".join(f"    {line}" for line in done.stdout.strip().splitlines()))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
