"""Bar charts drawn on the server, with no JavaScript and no stylesheet of their own: each bar's
name is HTML text (it wraps, at the page's own size, and is never cut off), and the bar is an
SVG without a viewBox, so nothing in it scales down on a small screen (its number is written
at 16 px beside the bar). A screen reader hears the name and the number; the bar is hidden
from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LONGEST = 85.0  # per cent of the width the longest bar takes: its number fits beside it
NUMBER_PX = 16  # the size the number beside a bar is written at, in CSS pixels
BAR_PX = 24  # a bar's thickness


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | str  # a count, or a suppression marker ("<5", "[c]") drawn with no bar
    length: float  # per cent of the chart's width (0 for a marker)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]
    bar_px: int = BAR_PX
    number_px: int = NUMBER_PX


def _size(value: int | str) -> int:
    """A bar's length: a hidden count has none (its marker is written instead)."""
    return value if isinstance(value, int) else 0


def bars(chart_id: str, title: str, points: Sequence[tuple[str, int | str]]) -> Chart:
    """One bar per point, in the order given, each as long as its count against the largest."""
    largest = max([*(_size(v) for _, v in points), 1])
    return Chart(chart_id, title, [Bar(label, value, round(LONGEST * _size(value) / largest, 1))
                                   for label, value in points])
