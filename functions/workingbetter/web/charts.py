"""Bar charts drawn on the server as SVG geometry (no JavaScript): the template draws the
shapes, and a table of the same numbers sits beside each chart for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 230
ROW_HEIGHT = 28
GAP = 10
PLOT_HEIGHT = 180
AXIS_SPACE = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | str  # a count, or a suppression marker ("<5", "[c]") drawn with no bar
    x: float
    y: float
    width: float
    height: float
    label_x: float  # where the category's name is written
    label_y: float
    value_x: float  # where the number is written
    value_y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    bars: list[Bar]
    horizontal: bool


def _scale(values: Sequence[int | str], room: float) -> float:
    return room / max([*map(_size, values), 1])


def _size(value: int | str) -> int:
    """A bar's length: a hidden count has none (its marker is written instead)."""
    return value if isinstance(value, int) else 0


def funnel(chart_id: str, title: str, stages: Sequence[tuple[str, int | str]]) -> Chart:
    """One horizontal bar per stage, longest first, names on the left, counts at the bar's end."""
    room = WIDTH - LABEL_WIDTH - 50
    scale = _scale([v for _, v in stages], room)
    bars = []
    for i, (label, value) in enumerate(stages):
        y = i * (ROW_HEIGHT + GAP)
        width = _size(value) * scale
        bars.append(Bar(label, value, LABEL_WIDTH, y, width, ROW_HEIGHT,
                        LABEL_WIDTH - 8, y + ROW_HEIGHT * 0.68,
                        LABEL_WIDTH + width + 6, y + ROW_HEIGHT * 0.68))
    described = "; ".join(f"{label}: {value}" for label, value in stages)
    return Chart(chart_id, title, described, WIDTH, max(1, len(stages)) * (ROW_HEIGHT + GAP),
                 bars, horizontal=True)


def histogram(chart_id: str, title: str, bins: Sequence[tuple[str, int | str]]) -> Chart:
    """One vertical bar per bin, names underneath, counts above each bar."""
    slot = WIDTH / max(1, len(bins))
    scale = _scale([v for _, v in bins], PLOT_HEIGHT - 20)
    bars = []
    for i, (label, value) in enumerate(bins):
        height = _size(value) * scale
        x = i * slot + slot * 0.15
        bars.append(Bar(label, value, x, PLOT_HEIGHT - height, slot * 0.7, height,
                        i * slot + slot / 2, PLOT_HEIGHT + 22,
                        i * slot + slot / 2, PLOT_HEIGHT - height - 6))
    described = "; ".join(f"{label}: {value}" for label, value in bins)
    return Chart(chart_id, title, described, WIDTH, PLOT_HEIGHT + AXIS_SPACE, bars,
                 horizontal=False)
