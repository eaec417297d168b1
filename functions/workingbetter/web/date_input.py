"""GOV.UK date inputs (day, month and year boxes; or month and year) for every date a person
enters: the date the boxes make, and which box is wrong, so the error summary links to the
first wrong box and only wrong boxes are marked. The markup is `date_input` in macros.html."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol


class Form(Protocol):
    """What a date input reads its boxes from: a posted form, or a page's query."""

    def get(self, name: str) -> str: ...

DAY_MONTH_YEAR = ("day", "month", "year")
MONTH_YEAR = ("month", "year")
_RANGES = {"day": (1, 31), "month": (1, 12), "year": (1000, 9999)}


def date_from_parts(day: str, month: str, year: str) -> str | None:
    """YYYY-MM-DD from the three inputs; None when all are empty; the raw text when it is not a
    real date (the API then says so, and the form rewords it)."""
    if not (day or month or year):
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return f"{year}-{month}-{day}"


def wrong_parts(form: Form, prefix: str, parts: Sequence[str] = DAY_MONTH_YEAR) -> list[str]:
    """The boxes that are empty or hold no possible value, in the page's order; the day alone
    for a date that does not exist (31 2 2027); none when each box is right in itself."""
    values = {part: (form.get(f"{prefix}_{part}") or "").strip() for part in parts}
    wrong = [part for part, value in values.items()
             if not value.isdigit() or not _RANGES[part][0] <= int(value) <= _RANGES[part][1]]
    if wrong or "day" not in values:
        return wrong
    try:
        date(int(values["year"]), int(values["month"]), int(values["day"]))
    except ValueError:
        return ["day"]
    return []


def first_wrong(form: Form, prefix: str, parts: Sequence[str] = DAY_MONTH_YEAR) -> str:
    """The box an error about the whole date links to: the first wrong one, else the first."""
    return next(iter(wrong_parts(form, prefix, parts)), parts[0])
