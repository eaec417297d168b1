"""Small numbers stay small: each practice's count for each month is rounded to a multiple of
5 (unbiased, the same way every time, by the service's key), and every figure of a report is a
sum of those rounded counts. Hypothesis generates whole populations; test_report_attacker.py
plays the reader who combines every report they may ask for."""

from __future__ import annotations

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
from workingbetter.reports.measures import Counted, outcomes
from workingbetter.reports.population import AGE_BANDS, Referral
from workingbetter.reports.suppression import WITHHELD, Rounding, rounded

KEY = Rounding(b"a key only the service holds")


@given(st.integers(min_value=0, max_value=500), st.floats(min_value=0, max_value=0.9999))
def test_a_count_moves_to_a_multiple_of_five_by_at_most_four(value: int, draw: float) -> None:
    shown = rounded(value, draw)
    assert shown % 5 == 0
    assert abs(shown - value) <= 4
    assert shown in (value - value % 5, value - value % 5 + 5)
    if value % 5 == 0:
        assert shown == value  # a multiple of five, zero too, stays as it is
    low, high = suppression.possible(shown, cells=1)
    assert low <= value <= high
    assert high - low >= 4  # never one value: a count of 1 to 4 is never given away


def test_rounding_is_unbiased_over_the_draws() -> None:
    draws = [(i + 0.5) / 1000 for i in range(1000)]
    for value in range(0, 23):
        assert sum(rounded(value, d) for d in draws) / len(draws) == value


def test_the_same_block_rounds_the_same_way_every_time_and_only_the_key_decides() -> None:
    figures = {KEY.count(3, "F83001", "2026-01", f"age:{band}") for band in AGE_BANDS} | \
        {KEY.count(3, "F83001", f"2026-{m:02}", "referred") for m in range(1, 13)}
    assert figures == {0, 5}  # 3 goes either way, block by block
    assert KEY.count(3, "F83001", "2026-01", "referred") == \
        KEY.count(3, "F83001", "2026-01", "referred")
    others = [Rounding(bytes([k])).draw("F83001", "2026-01", "referred") for k in range(20)]
    assert len(set(others)) == 20


def population() -> st.SearchStrategy[list[Referral]]:
    practices = st.sampled_from(["F83001", "F83002", "F83003"])
    bands = st.sampled_from([*AGE_BANDS, None])
    months = st.integers(min_value=0, max_value=2)
    stage = st.sampled_from(["referred", "rejected", "coach_rejected", "attended", "job",
                             "job13"])

    def make(n: int, practice: str, band: str | None, month: int, reached: str) -> Referral:
        r = referred(n, practice, band)
        r = replace(r, created_at=r.created_at + timedelta(days=31 * month, hours=n))
        if reached == "rejected":
            return rejected(r)
        if reached == "coach_rejected":
            return rejected(r, by="coach_decision")
        if reached == "attended":
            return attended(r)
        if reached in ("job", "job13"):
            return job(attended(r), weeks=frozenset({13}) if reached == "job13"
                       else frozenset({13, 26}))
        return r

    return st.lists(st.tuples(practices, bands, months, stage), max_size=60).map(
        lambda rows: [make(i, *row) for i, row in enumerate(rows)])


PRACTICES = ["F83001", "F83002", "F83003"]


def report(people: list[Referral], practices: list[str]) -> tables.Report:
    counted = suppression.protected(people, CLOCK, KEY)
    measured = outcomes(people, COACHES, PERIOD, NOW, CLOCK, practices, counted)
    return tables.build(measured, {"from": None, "to": None, "practice": None}, {})


def cells(report: tables.Report, table_id: str) -> dict[str, object]:
    table = report.table(table_id)
    assert table is not None
    return {str(row["key"]): row.get("count") for row in table.rows}


@settings(max_examples=100, deadline=None)
@given(population())
def test_every_count_of_a_report_is_a_sum_of_rounded_blocks_and_a_filter_shows_no_more(
        people: list[Referral]) -> None:
    whole = report(people, PRACTICES)
    for table in whole.tables:
        if table.id in ("funnel", "exits", "practices", "conditions", "age_bands",
                        "triage_rejections"):
            counts = [row["count"] for row in table.rows]
            assert all(isinstance(c, int) and c % 5 == 0 for c in counts), table.id
            if table.total is not None:
                assert table.total["count"] == sum(counts)  # type: ignore[arg-type]
    for practice in PRACTICES:
        alone = report([p for p in people if p.practice_ods == practice], [practice])
        assert cells(alone, "practices")[practice] == cells(whole, "practices")[practice]
        assert cells(alone, "funnel")["referred"] == cells(whole, "practices")[practice]
    assert cells(whole, "funnel")["referred"] == sum(
        cells(report([p for p in people if p.practice_ods == practice], [practice]),
              "funnel")["referred"] for practice in PRACTICES)  # type: ignore[misc]


def test_unprotected_counts_are_the_true_ones() -> None:
    people = [attended(referred(i)) for i in range(7)]
    assert Counted.of(people, CLOCK).total()["attended"] == 7
    assert outcomes(people, COACHES, PERIOD, NOW, CLOCK).funnel[0].count == 7


def test_rates_on_small_counts_are_withheld_and_never_pass_one() -> None:
    assert suppression.rate(3, 20) == WITHHELD
    assert suppression.rate(18, 20) == WITHHELD  # two did not: as telling as two did
    assert suppression.rate(10, 20) == 0.5
    assert suppression.rate(15, 10) == 1.0  # rounded counts: the numerator rounded up
    assert suppression.rate(5, 5) == WITHHELD  # a share of five is the rounding's
    assert suppression.rate(0, 0) is None
    assert suppression.statistic(12.0, 4) == WITHHELD
