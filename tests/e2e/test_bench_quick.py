"""`make bench` still runs: its benchmarks at a tiny size (`--quick`), results written, its
headline figures beside the last run's and appended to the history.

Only those that start at most one local stack (the intake's): each stack costs about 25 s of
CPU to start, and the suite's time matters more than proving here that the scale run, the pages
over HTTP and the demo benchmark still run (`python -m benchmarks.bench --quick` does, in a few
minutes; run it after changing one of them). Their figures' tables are checked in
tests/unit/test_bench_figures.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.figures import Entry, append, history
from benchmarks.readme import END, START, with_results

pytestmark = [pytest.mark.e2e, pytest.mark.bench, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]
EARLIER = Entry("2026-12-01 10:00 UTC", "a machine", 1.0, "abc1234", True, {"intake": 8},
                {"intake_p50_ms_8": 12345.0})


def quick_bench(tmp_path: Path, only: str) -> tuple[str, list[Entry]]:
    """results.md and the history of `bench --quick --only ...`, the history holding EARLIER
    before it ran."""
    out, kept = tmp_path / "results.md", tmp_path / "history.json"
    append(kept, EARLIER)
    done = subprocess.run(  # noqa: S603 - this interpreter, the project's own module
        [sys.executable, "-m", "benchmarks.bench", "--quick", "--only", only, "--out", str(out),
         "--history", str(kept)], cwd=ROOT, capture_output=True, text=True, timeout=840,
        check=False)
    assert out.exists(), done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(), history(kept)


def test_every_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    results, runs = quick_bench(tmp_path, "journey,intake,pages,cold_start,clean_clone")
    for section in ("## Headline", "What one referral costs", "Intake",
                    "List pages", "Cold starts", "make test on a clean clone", "Package sizes"):
        assert section in results
    assert results.index("## Headline") < results.index("## What one referral costs")
    assert "cores" in results  # the machine it ran on
    assert "moto 5." in results
    assert "| 12,345 ms (2026-12-01, 8) |" in results  # the last run's figure, beside this one's
    assert [r.date for r in runs[:1]] == [EARLIER.date]
    assert len(runs) == 2
    assert runs[1].quick
    assert {"intake_p50_ms_8", "cpu_ms_per_referral_8"} <= set(
        runs[1].figures)
    readme = with_results(f"intro\n{START}\nPREVIOUS-RUN\n{END}\nrest\n", results)
    assert "PREVIOUS-RUN" not in readme
    assert "List pages" in readme
    assert readme.endswith("rest\n")
