"""The headline figures of `make bench`, each declared once with its target, and the history
that keeps them run by run (benchmarks/history.json), so each run's figure stands beside the
last run's.

A benchmark given `--figures FILE` writes the figures it measured there ({key: value}; None
when the thing measured did not happen, e.g. not all booked in time); benchmarks/bench.py
gathers them, appends one entry to the history and prints the headline table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Value = float | None
HISTORY = Path(__file__).resolve().parent / "history.json"
# The pages' p95 targets, in process (benchmarks/pages.py) and over HTTP (pages_http.py).
PAGE_TARGETS_MS = {"GET /referrals": 150, "GET /ops": 300, "GET /coach": 200}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # {size} is the number of referrals the benchmark ran with
    step: str  # the benchmark module that measures it (its size: Entry.sizes[step])
    unit: str
    target: float | None = None  # at most; None: reported, no target

    def met(self, value: Value) -> str:
        if self.target is None:
            return ""
        return "yes" if value is not None and value <= self.target else "**no**"

    def shown(self, value: Value) -> str:
        if value is None:
            return "did not finish"
        return f"{value:,.0f} {self.unit}" if value >= 100 else f"{value:,.1f} {self.unit}"


FIGURES = (
    Figure("intake_p50_ms_1", "intake p50, 1 client, {size} referrals", "intake", "ms"),
    Figure("intake_p95_ms_1", "intake p95, 1 client, {size} referrals", "intake", "ms"),
    Figure("intake_p50_ms_8", "intake p50, 8 clients, {size} referrals", "intake", "ms", 50),
    Figure("intake_p95_ms_8", "intake p95, 8 clients, {size} referrals", "intake", "ms", 150),
    Figure("intake_per_second_8", "referrals per second sustained (first POST to all booked, "
           "8 clients)", "intake", "/s"),
    Figure("cpu_ms_per_referral_8", "stack CPU per referral to booked (8 clients)", "intake",
           "ms", 150),
    Figure("settled_after_s_8", "all booked or waitlisted after the last of {size} POSTs "
           "(8 clients)", "intake", "s", 60),
    Figure("http_referrals_p95_ms", "GET /referrals?limit=50 over HTTP p95, {size} held",
           "pages_http", "ms", PAGE_TARGETS_MS["GET /referrals"]),
    Figure("http_ops_p95_ms", "GET /ops over HTTP p95, {size} held", "pages_http", "ms",
           PAGE_TARGETS_MS["GET /ops"]),
    Figure("http_coach_p95_ms", "GET /coach over HTTP p95, {size} held", "pages_http", "ms",
           PAGE_TARGETS_MS["GET /coach"]),
    Figure("scale_minutes", "scale run of {size} referrals, wall time", "scale", "min", 15),
    Figure("scale_memory_mb", "scale run of {size} referrals, stack memory at the end (PSS)",
           "scale", "MB", 2048),
    Figure("demo_minutes", "`make demo` of {size} referrals, wall time", "demo", "min", 3),
    Figure("make_test_minutes", "`make test` on a clean clone (install included), wall time",
           "clean_clone", "min", 5),
)
BY_KEY = {f.key: f for f in FIGURES}


def write(path: Path | None, values: dict[str, Value]) -> None:
    """What a benchmark measured, for bench.py (nothing when run on its own)."""
    unknown = set(values) - set(BY_KEY)
    if unknown:
        raise ValueError(f"not declared in benchmarks/figures.py: {sorted(unknown)}")
    if path is not None:
        path.write_text(json.dumps(values))


def read(path: Path) -> dict[str, Value]:
    if not path.exists():
        return {}
    return {k: v for k, v in json.loads(path.read_text()).items() if k in BY_KEY}


@dataclass(frozen=True)
class Entry:
    """One run's headline: when, where, at which commit, and what it measured."""

    date: str
    machine: str
    load_average: float
    commit: str
    quick: bool
    sizes: dict[str, int]
    figures: dict[str, Value]
    note: str = ""

    @staticmethod
    def parse(raw: dict[str, Any]) -> Entry:
        return Entry(str(raw["date"]), str(raw["machine"]), float(raw["load_average"]),
                     str(raw["commit"]), bool(raw["quick"]),
                     {str(k): int(v) for k, v in raw["sizes"].items()},
                     {str(k): None if v is None else float(v)
                      for k, v in raw["figures"].items()}, str(raw.get("note", "")))


def history(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    return [Entry.parse(raw) for raw in json.loads(path.read_text())]


def append(path: Path, entry: Entry) -> None:
    entries = [vars(e) for e in history(path)] + [vars(entry)]
    path.write_text(json.dumps(entries, indent=1) + "\n")


def _last(figure: Figure, earlier: list[Entry]) -> str:
    for entry in reversed(earlier):
        if figure.key in entry.figures:
            size = f", {entry.sizes[figure.step]:,}" if entry.sizes.get(figure.step) else ""
            return f"{figure.shown(entry.figures[figure.key])} ({entry.date[:10]}{size})"
    return "—"


def _size(figure: Figure, run: Entry, earlier: list[Entry]) -> str:
    """The number of referrals for the figure's label: this run's, or for a step this run left
    out, the size of the last run that measured it (a step not run measured 0 of nothing)."""
    for entry in (run, *reversed(earlier)):
        if entry.sizes.get(figure.step):
            return f"{entry.sizes[figure.step]:,}"
    return "N"


def headline(run: Entry, earlier: list[Entry]) -> str:
    """figure | target | this run | last run | met?, every declared figure; the last run is
    the latest earlier entry of the same kind (a quick run is compared with quick runs) that
    measured it, with its date and size."""
    earlier = [e for e in earlier if e.quick == run.quick]
    rows = ["| figure | target | this run | last run (date, referrals) | met? |",
            "|---|---:|---:|---:|---|"]
    for f in FIGURES:
        label = f.label.format(size=_size(f, run, earlier))
        target = f"≤ {f.target:,.0f} {f.unit}" if f.target is not None else ""
        if f.key in run.figures:
            this, met = f.shown(run.figures[f.key]), f.met(run.figures[f.key])
        else:
            this, met = "not run", ""
        rows.append(f"| {label} | {target} | {this} | {_last(f, earlier)} | {met} |")
    return "\n".join(rows)
