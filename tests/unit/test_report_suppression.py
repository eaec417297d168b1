"""Small numbers stay hidden: every count from 1 to 4 is "<5", and a reader who knows the
totals, the cells shown, the funnel's order and the suppression rules cannot work out any
hidden cell. Hypothesis generates the tables, the funnels and whole populations."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.report_population import (
    CLOCK,
    COACHES,
    NOW,
    PERIOD,
    attended,
    job,
    referred,
    rejected,
)
from workingbetter.reports import suppression, tables
from workingbetter.reports.measures import outcomes
from workingbetter.reports.population import AGE_BANDS, Referral
from workingbetter.reports.suppression import SMALL, WITHHELD, Shown, is_hidden

cells = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=7)


def exposed(shown: list[Shown], values: list[int], total: int) -> list[int]:
    """The reader's attack on one row with its total: each hidden cell's possible values.
    Returns the hidden cells pinned to one value (the attack's successes). A total from 1 to 4
    is itself hidden: the reader has only the markers then, and "<5" is four values."""
    if 0 < total < 5:
        return [i for i, s in enumerate(shown) if s not in (SMALL, *range(0, total + 1))]
    bounds = suppression.deduced(shown, total)
    for b, value in zip(bounds, values, strict=True):
        assert b.low <= value <= b.high, "the bounds must hold the truth"
    return [i for i, (s, b) in enumerate(zip(shown, bounds, strict=True))
            if is_hidden(s) and b.pinned]


@given(cells)
def test_no_hidden_cell_of_a_row_can_be_worked_out_from_its_total(values: list[int]) -> None:
    total = sum(values)
    shown = suppression.group(values, total)
    for value, cell in zip(values, shown, strict=True):
        if 0 < value < 5:
            assert is_hidden(cell)
        if not is_hidden(cell):
            assert cell == value
    assert exposed(shown, values, total) == []


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    assert suppression.group([3, 9, 20, 7], 39) == [SMALL, 9, 20, WITHHELD]


def test_a_row_no_choice_protects_is_withheld_whole() -> None:
    assert suppression.group([1, 5], 6) == [WITHHELD, WITHHELD]


def test_without_a_total_only_small_numbers_are_hidden() -> None:
    assert suppression.group([3, 9, 0], None) == [SMALL, 9, 0]


funnels = st.lists(st.integers(min_value=0, max_value=15), min_size=2, max_size=9).map(
    lambda drops: [sum(drops[i:]) for i in range(len(drops))])


def chain_bounds(shown: list[Shown | None], stage: int, total: int) -> tuple[int, int]:
    """A hidden stage lies between the nearest stages shown either side (each a subset)."""
    prior = suppression.prior(shown[stage] or 0, total)
    above = [s for s in shown[:stage] if isinstance(s, int)]
    below = [s for s in shown[stage + 1:] if isinstance(s, int)]
    return (max(prior.low, below[0] if below else 0),
            min(prior.high, above[-1] if above else total))


@given(funnels)
def test_no_stage_or_drop_of_the_funnel_can_be_worked_out(stages: list[int]) -> None:
    shown = suppression.chain(stages)
    total = stages[0] if isinstance(shown[0], int) else 10**6  # a hidden total says nothing
    visible = [(i, s) for i, s in enumerate(shown) if isinstance(s, int)]
    for (_, a), (_, b) in itertools.pairwise(visible):
        assert not 0 < a - b < 5, "a drop between two stages shown is a count too"
    for i, s in enumerate(shown):
        if 0 < stages[i] < 5:
            assert is_hidden(s)
        if is_hidden(s):
            low, high = chain_bounds(shown, i, total)
            assert low <= stages[i] <= high
            assert low < high, f"stage {i} of {stages} can be worked out from {shown}"


def test_rates_on_small_counts_are_withheld() -> None:
    assert suppression.rate(3, 20) == WITHHELD
    assert suppression.rate(18, 20) == WITHHELD  # two did not: as telling as two did
    assert suppression.rate(10, 20) == 0.5
    assert suppression.rate(0, 0) is None
    assert suppression.statistic(12.0, 4) == WITHHELD


def population() -> st.SearchStrategy[list[Referral]]:
    practices = st.sampled_from(["F83001", "F83002", "F83003"])
    bands = st.sampled_from([*AGE_BANDS, None])
    stage = st.sampled_from(["referred", "rejected", "coach_rejected", "attended", "job",
                             "job13"])

    def make(n: int, practice: str, band: str | None, reached: str) -> Referral:
        r = referred(n, practice, band)
        if reached == "rejected":
            return rejected(r)
        if reached == "coach_rejected":
            return rejected(r, by="coach_decision")
        if reached == "attended":
            return attended(r)
        if reached in ("job", "job13"):
            return job(attended(r), weeks=frozenset({13}) if reached == "job13"
                       else frozenset({13, 26}))
        return replace(r, created_at=r.created_at + timedelta(hours=n))

    return st.lists(st.tuples(practices, bands, stage), max_size=60).map(
        lambda rows: [make(i, *row) for i, row in enumerate(rows)])


@settings(max_examples=150, deadline=None)
@given(population())
def test_no_hidden_cell_of_a_whole_report_can_be_worked_out(people: list[Referral]) -> None:
    measured = outcomes(people, COACHES, PERIOD, NOW, CLOCK, ["F83001", "F83002", "F83003"])
    report = tables.build(measured, {"from": None, "to": None, "practice": None}, {})
    truth = {"exits": measured.exits, "practices": measured.by_practice,
             "age_bands": measured.by_age_band, "triage_rejections": measured.rejections}
    for table_id, values in truth.items():
        table = report.table(table_id)
        assert table is not None
        assert table.total is not None
        total = sum(values.values())
        shown = [row["count"] for row in table.rows]
        assert all(isinstance(s, int | str) for s in shown)
        assert exposed(shown, list(values.values()), total) == [], table_id  # type: ignore[arg-type]
        for row, value in zip(table.rows, values.values(), strict=True):
            assert not (0 < value < 5 and not is_hidden(row["count"])), table_id
    funnel = report.table("funnel")
    assert funnel is not None
    for row, stage in zip(funnel.rows, measured.funnel, strict=True):
        if stage.count is not None and 0 < stage.count < 5:
            assert row["count"] == SMALL
