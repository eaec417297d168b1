"""A day typed into a query string (`?week=`, `?from=`, `?to=`): YYYY-MM-DD, a real date, in
the years the service counts in. Python's calendar ends at 0001-01-01 and 9999-12-31, and a
week or a period worked out from a day near either end once fell off it (a 500); every date
the service keeps lies well inside these years."""

from __future__ import annotations

import re
from datetime import date

EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
NOT_A_DAY = "Enter a real date as YYYY-MM-DD, like 2026-04-01"
OUT_OF_RANGE = "Enter a date from 2000 to 2999, as YYYY-MM-DD"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def typed_day(text: str) -> date:
    """The day `text` names; a ValueError carrying the words to show when it names none the
    service takes (fromisoformat alone would also take 20260401 or 2026-W05)."""
    if not _DAY.fullmatch(text):
        raise ValueError(NOT_A_DAY)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(NOT_A_DAY) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(OUT_OF_RANGE)
    return day
