"""`make bench`: every benchmark in turn, with progress, then the headline figures beside the
last run's and their targets, and results.md.

Runs the journey (states, cost), intake (1 and 8 clients), the local stack at scale (memory and
threads at 1,000, 5,000 and 10,000 referrals), the list pages at 10,000 referrals (in process,
then over HTTP against the running stack), cold starts beside an empty handler, `make demo`,
and `make test` on a clean clone, and reads each function's package size from build/lambda
(made by `make package` first). Each benchmark runs as its own process, its progress shown as
it goes. The headline figures (benchmarks/figures.py) they measure are appended to
benchmarks/history.json with the date, machine, load average and commit; results.md starts
with them (figure | target | this run | last run | met?), then what each benchmark printed.

    python -m benchmarks.bench            (the full run: well over an hour on 2 cores)
    python -m benchmarks.bench --quick    (a smoke test: tiny sizes, two benchmarks at a time,
                                           a few minutes; its figures mean nothing and go in
                                           no history unless --history names one)

Run it under `nice -n 19` (`make bench` does; each benchmark inherits it): on a shared machine
the figures are its spare time, so read CPU time where a benchmark gives it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from benchmarks import figures

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
PACKAGES = ROOT / "build" / "lambda"


@dataclass(frozen=True)
class Step:
    title: str
    module: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    figures: bool = False  # takes --figures FILE and writes its headline figures there

    @property
    def name(self) -> str:
        return self.module.removeprefix("benchmarks.")


STEPS = (
    Step("What one referral costs", "benchmarks.journey", (), ()),
    Step("Intake: POST /referrals", "benchmarks.intake",
         ("--referrals", "1000", "--clients", "1", "8"),
         ("--referrals", "8", "--clients", "8"), figures=True),
    Step("The local stack at scale", "benchmarks.scale",
         ("--referrals", "10000", "--waiting", "2000"),
         ("--referrals", "10", "--waiting", "2"), figures=True),
    Step("List pages", "benchmarks.pages", ("--referrals", "10000"),
         ("--referrals", "100", "--repeats", "2")),
    Step("List pages over HTTP", "benchmarks.pages_http", ("--referrals", "10000"),
         ("--referrals", "100", "--repeats", "2"), figures=True),
    Step("Cold starts", "benchmarks.cold_start", (), ("--runs", "1", "--only", "api")),
    Step("make demo", "benchmarks.demo", ("--referrals", "300"),
         # Seed q1: a referral that leaves after its first review (56 service days).
         ("--referrals", "1", "--seconds-per-day", "0.05", "--test-limits", "--seed", "q1"),
         figures=True),
    Step("make test on a clean clone", "benchmarks.clean_clone", (), ("--dry-run",),
         figures=True),
)


@dataclass
class Outcome:
    step: Step
    arguments: tuple[str, ...]
    code: int
    seconds: float
    markdown: str
    figures: dict[str, figures.Value]

    @property
    def referrals(self) -> int:
        """How many referrals it ran with (0: not a question of referrals)."""
        if "--referrals" not in self.arguments:
            return 0
        return int(self.arguments[self.arguments.index("--referrals") + 1])


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


def commit() -> str:
    """HEAD, and "+changes" when tracked files differ from it (the figures are of those)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,  # noqa: S603,S607
                              text=True, check=False).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + ("+changes" if changed else "")


def sized(step: Step, referrals: dict[str, int]) -> tuple[str, ...]:
    """The step's full arguments, with its number of referrals (and, for scale, one in five
    of them waiting on a person) as asked."""
    name = step.name
    if name not in referrals:
        return step.full
    arguments = list(step.full)
    arguments[arguments.index("--referrals") + 1] = str(referrals[name])
    if "--waiting" in arguments:
        arguments[arguments.index("--waiting") + 1] = str(referrals[name] // 5)
    return tuple(arguments)


def run(step: Step, arguments: tuple[str, ...], scratch: Path) -> Outcome:
    """The benchmark in its own process: stderr (progress) passes through, stdout is kept, and
    so are the figures it writes."""
    print(f"\n== {step.title}: python -m {step.module} {' '.join(arguments)}", file=sys.stderr,
          flush=True)
    written = scratch / f"{step.name}.json"
    extra = ("--figures", str(written)) if step.figures else ()
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - this interpreter, the project's own modules
        [sys.executable, "-m", step.module, *arguments, *extra], cwd=ROOT,
        stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.monotonic() - started
    print(done.stdout, file=sys.stderr, flush=True)
    return Outcome(step, arguments, done.returncode, seconds, markdown(done.stdout),
                   figures.read(written))


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


def entry(outcomes: list[Outcome], quick: bool, began: datetime, load: float,
          at: str) -> figures.Entry:
    """The run's headline: when it began, the load then, the commit it measured."""
    return figures.Entry(
        began.strftime("%Y-%m-%d %H:%M UTC"), machine(), round(load, 1), at, quick,
        {o.step.name: o.referrals for o in outcomes if o.referrals},
        {k: None if v is None else round(v, 1) for o in outcomes for k, v in o.figures.items()})


def report(outcomes: list[Outcome], run: figures.Entry, earlier: list[figures.Entry]) -> str:
    title = "# Benchmark results" + (" (a quick smoke run: the sizes mean nothing)"
                                     if run.quick else "")
    parts = [title,
             f"Run {run.date} on {run.machine} at {run.commit}, load average before the run "
             f"{run.load_average:.1f}.",
             "## Headline\n\nEach figure beside its target and the last run that measured it "
             "(benchmarks/history.json keeps every run's).\n\n"
             + figures.headline(run, earlier),
             f"## The benchmarks run\n\n{summary(outcomes)}"]
    parts += [f"## {o.step.title}\n\n{o.markdown or '(no output)'}" for o in outcomes]
    parts.append(f"## Package sizes\n\n{package_sizes()}")
    return "\n\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves it still runs")
    parser.add_argument("--only", default="", help="comma-separated modules, e.g. intake,pages")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--history", type=Path,
                        help="the runs' headline figures, this one appended "
                             "(benchmarks/history.json; none for --quick unless named)")
    parser.add_argument("--intake", type=int, default=1_000, help="referrals sent (1,000)")
    parser.add_argument("--scale", type=int, default=10_000, help="referrals held (10,000)")
    parser.add_argument("--pages", type=int, default=10_000,
                        help="referrals held for the pages, in process and over HTTP (10,000)")
    parser.add_argument("--demo", type=int, default=300, help="referrals walked (300)")
    args = parser.parse_args()
    history = args.history or (None if args.quick else figures.HISTORY)
    chosen = [s for s in STEPS if not args.only or s.name in args.only.split(",")]
    sizes = {"intake": args.intake, "scale": args.scale, "pages": args.pages,
             "pages_http": args.pages, "demo": args.demo}
    began, load, at = datetime.now(UTC), os.getloadavg()[0], commit()
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as scratch, ThreadPoolExecutor(
            max_workers=2 if args.quick else 1) as lanes:
        outcomes = list(lanes.map(lambda step: run(
            step, step.quick if args.quick else sized(step, sizes), Path(scratch)), chosen))
    this = entry(outcomes, args.quick, began, load, at)
    earlier = figures.history(history) if history else []
    args.out.write_text(report(outcomes, this, earlier))
    if history:
        figures.append(history, this)
    print(figures.headline(this, earlier))
    print(f"\n{summary(outcomes)}\n\nWritten to {args.out}"
          + (f"; the headline appended to {history}" if history else ""))
    return 0 if all(o.code == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
