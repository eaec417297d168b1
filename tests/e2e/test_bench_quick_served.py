"""`make bench` still runs: the benchmarks of the stack as `make run` serves it (the pages over
HTTP, `make demo`), at a tiny size (`--quick`; test_bench_quick.py runs the others)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_bench_quick import quick_bench

pytestmark = [pytest.mark.e2e, pytest.mark.bench, pytest.mark.timeout(900)]


def test_the_pages_over_http_and_the_demo_run_at_a_tiny_size(tmp_path: Path) -> None:
    results, runs = quick_bench(tmp_path, "pages_http,demo")
    for section in ("## Headline", "List pages over HTTP", "make demo"):
        assert section in results
    assert "| GET /ops over HTTP p95, 100 held | ≤ 300 ms |" in results
    assert {"http_referrals_p95_ms", "http_ops_p95_ms", "http_coach_p95_ms",
            "demo_minutes"} <= set(runs[-1].figures)
