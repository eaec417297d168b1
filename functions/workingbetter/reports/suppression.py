"""Small numbers hidden so that no person can be picked out of a published table.

Primary: every count from 1 to 4 is shown as "<5". Secondary: where a table has a total, a
lone hidden cell could be worked out as the total minus the others, so more cells are hidden
("[c]", the ONS marker for a value withheld to protect another) until no hidden cell can be
pinned to one value from the total and what is shown. A reader may assume "<5" means 1 to 4
and "[c]" means 5 or more; the check below assumes exactly that. Where no choice of cells
protects a table (two cells, say 1 and 5), every cell of it is withheld ("[c]", zeros too).

The funnel is a chain (each stage a subset of the one before), so the drop between two
stages shown is a count too: a stage whose drop from the last one shown is 1 to 4 is hidden.
A rate or a median built on a hidden count (or on fewer than five people) is withheld.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SMALL = "<5"
WITHHELD = "[c]"
THRESHOLD = 5

Shown = int | str  # a count, SMALL or WITHHELD


def primary(value: int) -> Shown:
    return SMALL if 0 < value < THRESHOLD else value


def is_hidden(value: object) -> bool:
    return value in (SMALL, WITHHELD)


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int

    @property
    def pinned(self) -> bool:
        return self.low == self.high


def prior(shown: Shown, total: int, all_withheld: bool = False) -> Bounds:
    """What a reader knows of a cell from what is shown alone (a wholly withheld row says
    nothing of any cell)."""
    if shown == SMALL:
        return Bounds(1, THRESHOLD - 1)
    if shown == WITHHELD:
        return Bounds(0, total) if all_withheld else Bounds(THRESHOLD, total)
    assert isinstance(shown, int)
    return Bounds(shown, shown)


def deduced(shown: Sequence[Shown], total: int) -> list[Bounds]:
    """Each cell's bounds once the reader uses the total: the cell is the total less the
    others, each of which lies within its own bounds (one pass suffices for a single sum)."""
    everything = all(s == WITHHELD for s in shown)
    priors = [prior(s, total, everything) for s in shown]
    low_sum, high_sum = sum(b.low for b in priors), sum(b.high for b in priors)
    return [Bounds(max(b.low, total - (high_sum - b.high)),
                   min(b.high, total - (low_sum - b.low))) for b in priors]


def _pinned(shown: Sequence[Shown], total: int) -> bool:
    bounds = deduced(shown, total)
    return any(b.pinned for b, s in zip(bounds, shown, strict=True) if is_hidden(s))


def group(values: Sequence[int], total: int | None) -> list[Shown]:
    """One row of cells that adds up to `total` (None: no total is published; a total from 1
    to 4 is itself shown as "<5", so it gives nothing away)."""
    shown = [primary(v) for v in values]
    if total is None or is_hidden(primary(total)):
        return shown
    while _pinned(shown, total):
        candidates = [i for i, s in enumerate(shown) if isinstance(s, int) and s > 0]
        if not candidates:
            return [WITHHELD] * len(values)
        smallest = min(candidates, key=lambda i: values[i])
        shown[smallest] = WITHHELD
    return shown


def table(cells: Mapping[str, int], total: int | None) -> dict[str, Shown]:
    return dict(zip(cells, group(list(cells.values()), total), strict=True))


def chain(stages: Sequence[int | None]) -> list[Shown | None]:
    """The funnel: primary suppression, then no drop of 1 to 4 between stages shown.
    A stage not collected (None) stays None and breaks no chain."""
    shown: list[Shown | None] = [None if s is None else primary(s) for s in stages]
    last: int | None = None
    for i, value in enumerate(stages):
        if value is None or is_hidden(shown[i]):
            continue
        if last is not None and 0 < last - value < THRESHOLD:
            shown[i] = WITHHELD
            continue
        last = value
    return shown


def count_of(value: Shown | None) -> int | None:
    """The number shown, or None when it is hidden or not collected."""
    return value if isinstance(value, int) else None


def rate(numerator: int, denominator: int, *, hidden: bool = False) -> float | str | None:
    """A share (0 to 1), withheld when built on a count from 1 to 4 (or one hidden)."""
    if denominator == 0:
        return None
    if hidden or 0 < numerator < THRESHOLD or denominator < THRESHOLD \
            or 0 < denominator - numerator < THRESHOLD:
        return WITHHELD
    return numerator / denominator


def statistic(value: float | None, n: int) -> float | str | None:
    """A median or percentile of n people: withheld when n is 1 to 4."""
    if value is None:
        return None
    return WITHHELD if n < THRESHOLD else round(value, 1)
