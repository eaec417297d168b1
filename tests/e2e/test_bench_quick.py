"""`make bench` still runs: every benchmark at a tiny size (`--quick`), results written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.readme import END, START, with_results

pytestmark = [pytest.mark.e2e, pytest.mark.bench]
ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run(  # noqa: S603 - this interpreter, the project's own module
        [sys.executable, "-m", "benchmarks.bench", "--quick", "--out", str(out)], cwd=ROOT,
        capture_output=True, text=True, timeout=600, check=False)
    assert out.exists(), done.stderr[-3000:]
    results = out.read_text()
    for section in ("What one referral costs", "Intake", "at scale", "List pages",
                    "Cold starts", "Package sizes"):
        assert section in results
    assert "cores" in results  # the machine it ran on
    assert "moto 5." in results
    readme = with_results(f"intro\n{START}\nPREVIOUS-RUN\n{END}\nrest\n", results)
    assert "PREVIOUS-RUN" not in readme
    assert "List pages" in readme
    assert readme.endswith("rest\n")
