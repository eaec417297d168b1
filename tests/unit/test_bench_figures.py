"""`make bench` says each headline figure beside its target and the last run's
(benchmarks/figures.py): the history keeps every run, and a figure not measured is said so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import figures
from benchmarks.figures import Entry


def run(date: str, quick: bool = False, **measured: float | None) -> Entry:
    return Entry(date, "a 2-core machine", 1.0, "abc1234", quick,
                 {"intake": 1000, "clean_clone": 0}, dict(measured))


def row(table: str, starts: str) -> list[str]:
    found = [line for line in table.splitlines() if line.startswith(f"| {starts}")]
    assert len(found) == 1, table
    return [cell.strip() for cell in found[0].strip("|").split("|")]


def test_a_figure_stands_beside_its_target_and_the_last_run_that_measured_it() -> None:
    earlier = [run("2026-11-20 10:00 UTC", intake_p50_ms_8=900.0),
               run("2026-11-24 10:00 UTC", make_test_minutes=6.2)]
    table = figures.headline(run("2026-12-07 10:00 UTC", intake_p50_ms_8=42.0), earlier)
    _, target, this, last, met = row(table, "intake p50, 8 clients, 1,000 referrals")
    assert (target, this, met) == ("≤ 50 ms", "42.0 ms", "yes")
    assert last == "900 ms (2026-11-20, 1,000)"  # the latest run that measured it
    assert row(table, "`make test` on a clean clone")[2:] == ["not run", "6.2 min (2026-11-24)",
                                                             ""]


def test_a_figure_over_its_target_or_not_reached_is_not_met() -> None:
    table = figures.headline(run("2026-12-07 10:00 UTC", intake_p95_ms_8=151.0,
                                 settled_after_s_8=None), [])
    assert row(table, "intake p95, 8 clients")[2:] == ["151 ms", "—", "**no**"]
    assert row(table, "all booked or waitlisted")[2:] == ["did not finish", "—", "**no**"]
    assert row(table, "intake p50, 1 client")[1:] == ["", "not run", "—", ""]  # no target


def test_a_step_left_out_of_this_run_is_named_by_the_size_it_last_ran_at() -> None:
    earlier = [Entry("2026-11-24 10:00 UTC", "a 2-core machine", 1.0, "abc1234", False,
                     {"scale": 10_000}, {"scale_minutes": 70.3})]
    table = figures.headline(run("2026-12-07 10:00 UTC", intake_p50_ms_8=42.0), earlier)
    assert row(table, "scale run of 10,000 referrals, wall time")[2:] == [
        "not run", "70.3 min (2026-11-24, 10,000)", ""]
    assert "of 0 referrals" not in table


def test_a_quick_run_is_compared_with_quick_runs_only() -> None:
    earlier = [run("2026-12-01 10:00 UTC", intake_p50_ms_8=30.0),
               run("2026-12-02 10:00 UTC", quick=True, intake_p50_ms_8=2000.0)]
    full = figures.headline(run("2026-12-07 10:00 UTC", intake_p50_ms_8=40.0), earlier)
    quick = figures.headline(run("2026-12-07 10:00 UTC", quick=True, intake_p50_ms_8=40.0),
                             earlier)
    assert row(full, "intake p50, 8")[3].startswith("30.0 ms (2026-12-01")
    assert row(quick, "intake p50, 8")[3].startswith("2,000 ms (2026-12-02")


def test_the_history_keeps_every_run_appended_in_order(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    first, second = run("2026-12-01 10:00 UTC", scale_minutes=70.3), run(
        "2026-12-07 10:00 UTC", scale_minutes=None)
    figures.append(path, first)
    figures.append(path, second)
    assert figures.history(path) == [first, second]
    assert json.loads(path.read_text())[1]["figures"] == {"scale_minutes": None}


def test_a_benchmark_cannot_write_a_figure_nobody_declared(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="intake_p99"):
        figures.write(tmp_path / "f.json", {"intake_p99": 1.0})
    figures.write(tmp_path / "f.json", {"demo_minutes": 2.5})
    assert figures.read(tmp_path / "f.json") == {"demo_minutes": 2.5}


def test_the_history_in_the_repository_reads() -> None:
    entries = figures.history(figures.HISTORY)
    assert all(set(e.figures) <= set(figures.BY_KEY) for e in entries)
