"""`make bench`: every benchmark in turn, with progress, then one summary and results.md.

Runs the journey (states, cost), intake (1 and 8 clients), the local stack at scale (RSS and
threads at 1,000, 5,000 and 10,000 referrals), the list pages at 10,000 referrals, cold starts
beside an empty handler, and reads each function's package size from build/lambda (made by
`make package` first). Each benchmark runs as its own process, its progress shown as it goes;
the Markdown it prints is kept, under the machine it ran on, in benchmarks/results.md.

    python -m benchmarks.bench            (the full run: over an hour on 2 cores)
    python -m benchmarks.bench --quick    (a smoke test: tiny sizes, a minute or two)

Run it under `nice -n 19` (`make bench` does; each benchmark inherits it): on a shared machine
the figures are its spare time, so read CPU time where a benchmark gives it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
PACKAGES = ROOT / "build" / "lambda"


@dataclass(frozen=True)
class Step:
    title: str
    module: str
    full: tuple[str, ...]
    quick: tuple[str, ...]


STEPS = (
    Step("What one referral costs", "benchmarks.journey", (), ()),
    Step("Intake: POST /referrals", "benchmarks.intake",
         ("--referrals", "1000", "--clients", "1", "8"),
         ("--referrals", "10", "--clients", "2")),
    Step("The local stack at scale", "benchmarks.scale",
         ("--referrals", "10000", "--waiting", "2000"),
         ("--referrals", "10", "--waiting", "2")),
    Step("List pages", "benchmarks.pages", ("--referrals", "10000"),
         ("--referrals", "100", "--repeats", "2")),
    Step("Cold starts", "benchmarks.cold_start", (), ("--runs", "1", "--only", "api")),
)


@dataclass
class Outcome:
    step: Step
    arguments: tuple[str, ...]
    code: int
    seconds: float
    markdown: str


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory = next((int(line.split()[1]) for line in
                   Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return (f"{cpu}, {os.cpu_count()} cores, {memory / 1024 / 1024:.1f} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"moto {version('moto')}, boto3 {version('boto3')}")


def sized(step: Step, referrals: dict[str, int]) -> tuple[str, ...]:
    """The step's full arguments, with its number of referrals (and, for scale, one in five
    of them waiting on a person) as asked."""
    name = step.module.removeprefix("benchmarks.")
    if name not in referrals:
        return step.full
    arguments = list(step.full)
    arguments[arguments.index("--referrals") + 1] = str(referrals[name])
    if "--waiting" in arguments:
        arguments[arguments.index("--waiting") + 1] = str(referrals[name] // 5)
    return tuple(arguments)


def run(step: Step, arguments: tuple[str, ...]) -> Outcome:
    """The benchmark in its own process: stderr (progress) passes through, stdout is kept."""
    print(f"\n== {step.title}: python -m {step.module} {' '.join(arguments)}", file=sys.stderr,
          flush=True)
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - this interpreter, the project's own modules
        [sys.executable, "-m", step.module, *arguments], cwd=ROOT,
        stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.monotonic() - started
    print(done.stdout, file=sys.stderr, flush=True)
    return Outcome(step, arguments, done.returncode, seconds, markdown(done.stdout))


def markdown(printed: str) -> str:
    """What a benchmark printed, without the metric lines (Powertools' EMF JSON) its
    handlers write to stdout."""
    return "\n".join(line for line in printed.splitlines()
                     if not line.startswith('{"_aws"')).strip()


def package_sizes() -> str:
    if not PACKAGES.is_dir():
        return "Not built: `make package` first (`make bench` does)."
    rows = ["| function | unzipped MB |", "|---|---:|"]
    for function in sorted(PACKAGES.iterdir()):
        size = sum(f.stat().st_size for f in function.rglob("*") if f.is_file())
        rows.append(f"| {function.name} | {size / 1e6:.1f} |")
    return "\n".join(rows)


def summary(outcomes: list[Outcome]) -> str:
    rows = ["| benchmark | command | result | minutes |", "|---|---|---|---:|"]
    for o in outcomes:
        command = " ".join(("python -m", o.step.module, *o.arguments))
        result = "ok" if o.code == 0 else f"exit {o.code} (a target missed or a run failed)"
        rows.append(f"| {o.step.title} | `{command}` | {result} | {o.seconds / 60:.1f} |")
    return "\n".join(rows)


def report(outcomes: list[Outcome], quick: bool) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = "# Benchmark results" + (" (a quick smoke run: the sizes mean nothing)" if quick
                                     else "")
    parts = [title,
             f"Run {when} on {machine()}, load average before the run "
             f"{os.getloadavg()[0]:.1f}.", summary(outcomes)]
    parts += [f"## {o.step.title}\n\n{o.markdown or '(no output)'}" for o in outcomes]
    parts.append(f"## Package sizes\n\n{package_sizes()}")
    return "\n\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves it still runs")
    parser.add_argument("--only", default="", help="comma-separated modules, e.g. intake,pages")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--intake", type=int, default=1_000, help="referrals sent (1,000)")
    parser.add_argument("--scale", type=int, default=10_000, help="referrals held (10,000)")
    args = parser.parse_args()
    chosen = [s for s in STEPS if not args.only
              or s.module.removeprefix("benchmarks.") in args.only.split(",")]
    sizes = {"intake": args.intake, "scale": args.scale}
    outcomes = [run(step, step.quick if args.quick else sized(step, sizes)) for step in chosen]
    text = report(outcomes, args.quick)
    args.out.write_text(text)
    print(summary(outcomes))
    print(f"\nWritten to {args.out}")
    return 0 if all(o.code == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
