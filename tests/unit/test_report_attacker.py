"""A commissioner turned attacker: they ask for every report they may (the whole area and each
practice alone, over every run of whole months), read every count of referrals in them (the
funnel's "referred", each practice's row, the totals) and combine them all, knowing the
suppression rule but not the service's key. Whatever hypothesis puts in the months, no count
of 1 to 4 referrals, for any practice or the whole area over any period, can be worked out
exactly: the attacker's bounds on it always hold more than one value (and always hold the
truth, so the rule says no more than it means)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from workingbetter.adapters import keys
from workingbetter.adapters.referral_lists import Listing
from workingbetter.adapters.store import Store
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.records.directory import Coach, Practice
from workingbetter.domain.records.referral import Referral, TimelineEvent
from workingbetter.domain.referral import Status
from workingbetter.reports import suppression
from workingbetter.reports.service import Reports

PRACTICES = ("F83001", "F83002", "F83003")
MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
COMMISSIONER = Principal(Role.COMMISSIONER, "commissioner")
UNBOUNDED = 10**6


class FakeDirectory:
    """The practices, and no coach."""

    def practices(self) -> list[Practice]:
        return [Practice(ods, f"Practice {ods}") for ods in PRACTICES]

    def coach(self, coach_id: str) -> Coach | None:
        return None


@dataclass
class FakeLists:
    """The referrals made in a period (by practice or everyone's)."""

    referrals: list[Referral]

    def made(self, listing: Listing, start: str, end: str,
             fields: Any) -> Iterator[Referral]:
        for r in self.referrals:
            if start <= r.created_at < end and listing.value in (
                    keys.LATEST, keys.practice_partition(r.practice_ods)):
                yield r


@dataclass
class FakeStore:
    """What the reports read: the practices, their coaches' caseloads and the referrals
    made in a period."""

    lists: FakeLists
    directory: FakeDirectory


def world(counts: list[int]) -> list[Referral]:
    """counts[i] referrals at practice i // 3 in month i % 3, made mid-month."""
    made = []
    for i, n in enumerate(counts):
        ods, month = PRACTICES[i // len(MONTHS)], MONTHS[i % len(MONTHS)]
        for k in range(n):
            at = datetime.combine(month, datetime.min.time(), UTC) + timedelta(days=14,
                                                                             minutes=k)
            stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            made.append(Referral(f"{ods}-{month}-{k}", stamp, Status.RECEIVED, ods,
                                 updated_at=stamp,
                                 timeline=(TimelineEvent(stamp, "referral_received", "x"),)))
    return made


def last_day(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


Cell = tuple[str, int]  # (practice, month index)


@dataclass(frozen=True)
class Fact:
    """What one published figure says: the sum of these cells' counts lies in [low, high]."""

    cells: frozenset[Cell]
    low: int
    high: int


def table(report: Mapping[str, Any], table_id: str) -> dict[str, Any]:
    found = next(t for t in report["tables"] if t["id"] == table_id)
    return {**{row["key"]: row for row in found["rows"]}, "total": found["total"]}


def published(reports: Reports) -> list[Fact]:
    """Every referral count of every report the attacker may ask for, as facts."""
    facts = []
    ranges = [(i, j) for i in range(len(MONTHS)) for j in range(i, len(MONTHS))]
    for (first, last), practice in itertools.product(ranges, (None, *PRACTICES)):
        query = {"from": MONTHS[first].isoformat(), "to": last_day(MONTHS[last]).isoformat(),
                 **({"practice": practice} if practice else {})}
        report = reports.outcomes(COMMISSIONER, query).as_json()
        months = range(first, last + 1)
        scope = [practice] if practice else list(PRACTICES)
        by_practice = table(report, "practices")
        figures = [(scope, table(report, "funnel")["referred"]["count"]),
                   (scope, by_practice["total"]["count"]),
                   *(([ods], by_practice[ods]["count"]) for ods in scope)]
        for practices, shown in figures:
            cells = frozenset((ods, m) for ods in practices for m in months)
            low, high = suppression.possible(shown, cells=len(cells))
            facts.append(Fact(cells, low, min(high, UNBOUNDED)))
    return facts


def attack(facts: list[Fact]) -> dict[frozenset[Cell], tuple[int, int]]:
    """Bounds on every figure's sum, tightened against every other until nothing moves:
    each sum lies within its own bounds and within the sums of its cells' bounds, and each
    cell within its sum's bounds less the other cells'."""
    cell: dict[Cell, tuple[int, int]] = {(ods, m): (0, UNBOUNDED) for ods in PRACTICES
                                         for m in range(len(MONTHS))}
    sums: dict[frozenset[Cell], tuple[int, int]] = {}
    for fact in facts:
        low, high = sums.get(fact.cells, (0, UNBOUNDED))
        sums[fact.cells] = (max(low, fact.low), min(high, fact.high))
    changed = True
    while changed:
        changed = False
        for cells, (low, high) in list(sums.items()):
            low = max(low, sum(cell[c][0] for c in cells))
            high = min(high, sum(cell[c][1] for c in cells))
            if (low, high) != sums[cells]:
                sums[cells], changed = (low, high), True
            for c in cells:
                others_low = sum(cell[o][0] for o in cells if o != c)
                others_high = sum(cell[o][1] for o in cells if o != c)
                tighter = (max(cell[c][0], low - others_high), min(cell[c][1], high - others_low))
                if tighter != cell[c]:
                    cell[c], changed = tighter, True
    return sums


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9), min_size=9, max_size=9),
       st.binary(min_size=16, max_size=16))
def test_no_count_of_one_to_four_can_be_worked_out_from_every_report_together(
        counts: list[int], key: bytes) -> None:
    made = world(counts)
    # the three reads Reports makes, nothing more
    store = cast("Store", FakeStore(FakeLists(made), FakeDirectory()))
    reports = Reports(store, 86400, suppression.Rounding(key))
    bounds = attack(published(reports))
    for cells, (low, high) in bounds.items():
        truth = sum(counts[PRACTICES.index(ods) * len(MONTHS) + m] for ods, m in cells)
        assert low <= truth <= high, f"the rule says more than it means about {sorted(cells)}"
        if 0 < truth < suppression.THRESHOLD:
            assert low < high, f"{sorted(cells)} worked out as {truth}"
