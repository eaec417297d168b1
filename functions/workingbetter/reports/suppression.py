"""Small numbers kept small in every report a reader can ask for (docs/outcomes.md).

Hiding a cell of one table is not enough: a reader who may ask for the whole area and for each
practice alone, over any run of months, can subtract one answer from another (42 referrals in
all, less 15 at one practice and 25 at another, leaves 2 at the third). So every count is made
of fixed blocks, and each block is rounded before anything is added up:

1. A block is one practice's referrals made in one calendar month (UTC); a report covers whole
   months, so every report is a set of whole blocks.
2. Each count of a block (referred, attended, each exit reason, each age band, …: one name per
   count, measures.counts) is rounded to a multiple of 5, up with a chance of (remainder / 5)
   and otherwise down, so the rounding is unbiased. Whether it goes up is fixed by a keyed
   hash of the block and the count's name: the same block shows the same figure in every
   report, so asking again and averaging gains nothing, and only the service holds the key.
3. Every figure published is the sum of its blocks' rounded counts: a practice's row, a total,
   a filtered report, a longer period. Subtracting one report from another gives back a sum
   of rounded blocks, never a true count, and a rounded block says only that its count lies
   within 4 of it (or from 0 to 4 when it is 0).
4. Totals are the sums of the rounded rows they stand under, so each table adds up; rates are
   worked out from the rounded counts (withheld under 10); a median or a centile is withheld
   when it describes fewer than 5 people.

Coaches' caseloads (people held now, not referrals in a period) keep primary suppression:
1 to 4 is shown as "<5".
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from workingbetter.reports.measures import Clock, Counted, counts
from workingbetter.reports.population import Referral

BASE = 5  # counts are published in multiples of five
SMALL = "<5"
WITHHELD = "[c]"
THRESHOLD = 5

Shown = int | str  # a count, SMALL or WITHHELD


def primary(value: int) -> Shown:
    return SMALL if 0 < value < THRESHOLD else value


def is_hidden(value: object) -> bool:
    return value in (SMALL, WITHHELD)


def rounded(value: int, draw: float) -> int:
    """`value` to a multiple of BASE: up when its remainder is more than `draw` (0 ≤ draw < 1)
    of BASE, so a count of 7 becomes 10 two times in five and 5 otherwise, 0 stays 0."""
    low = value - value % BASE
    return low + BASE if value % BASE > draw * BASE else low


@dataclass(frozen=True)
class Rounding:
    """The rounding of each block's counts, fixed by a key only the service holds."""

    key: bytes

    @classmethod
    def derived_from(cls, secret: str) -> Rounding:
        """A key of its own from a service secret: readers must not know it."""
        return cls(hmac.new(secret.encode(), b"report-rounding", hashlib.sha256).digest())

    def draw(self, *names: str) -> float:
        digest = hmac.new(self.key, "\n".join(names).encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def count(self, value: int, *names: str) -> int:
        return rounded(value, self.draw(*names))


def block(referral: Referral) -> tuple[str, str]:
    """The block a referral is counted in: its practice and the month it was made."""
    return referral.practice_ods, f"{referral.created_at:%Y-%m}"


def protected(referrals: Sequence[Referral], clock: Clock, rounding: Rounding) -> Counted:
    """Every count of these referrals as the sum of its blocks' rounded counts."""
    blocks: defaultdict[tuple[str, str], list[Referral]] = defaultdict(list)
    for referral in referrals:
        blocks[block(referral)].append(referral)
    by_practice: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for (practice, month), found in blocks.items():
        for name, value in counts(found, clock).items():
            by_practice[practice][name] += rounding.count(value, practice, month, name)
    return Counted(dict(by_practice))


def possible(shown: Shown | None, cells: int) -> tuple[int, int]:
    """What a published count tells its reader of the true one, `cells` blocks' worth: the
    bounds the rule above keeps it within (each block within BASE - 1 of its figure)."""
    if not isinstance(shown, int):
        return 0, 10**9
    slack = (BASE - 1) * cells
    return max(0, shown - slack), shown + slack


def count_of(value: Shown | None) -> int | None:
    """The number shown, or None when it is hidden or not collected."""
    return value if isinstance(value, int) else None


def rate(numerator: int, denominator: int, *, hidden: bool = False) -> float | str | None:
    """A share (0 to 1), withheld when built on a count from 1 to 4 (or one hidden), or on
    fewer than 10 (rounded, a share of 5 says more about the rounding than the people). Of
    rounded counts, the numerator may round above the denominator: the share is then 1."""
    if denominator == 0:
        return None
    if hidden or 0 < numerator < THRESHOLD or denominator < 2 * BASE \
            or 0 < denominator - numerator < THRESHOLD:
        return WITHHELD
    return min(1.0, numerator / denominator)


def statistic(value: float | None, n: int) -> float | str | None:
    """A median or percentile of n people: withheld when n is 1 to 4."""
    if value is None:
        return None
    return WITHHELD if n < THRESHOLD else round(value, 1)
