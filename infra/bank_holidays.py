"""Write functions/workingbetter/domain/bank_holidays.py: England and Wales bank holidays, from
the `holidays` package (`python -m infra.bank_holidays`).

The functions look dates up in the written table rather than importing the package: importing
it loads every country's rules (about 1 s of a cold start, measured; docs/working-days.md) and
adds 9 MB to each function. tests/unit/test_bank_holidays.py checks the table still agrees with
the locked package, so after `make lock UPGRADE=1` brings a release with a new holiday (a
coronation, a state funeral), that test says to run this again.
"""

from __future__ import annotations

from pathlib import Path

import holidays

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "functions" / "workingbetter" / "domain" / "bank_holidays.py"
FIRST_YEAR, LAST_YEAR = 2020, 2045
HEADER = '''"""England and Wales bank holidays, {first} to {last}, written by
`python -m infra.bank_holidays` from the `holidays` package (country GB, subdivision ENG: Wales
keeps England's list). Do not edit by hand. A holiday that falls at a weekend is listed too,
beside the weekday that stands in for it."""

from __future__ import annotations

from datetime import date

FIRST_YEAR, LAST_YEAR = {first}, {last}
ENGLAND_AND_WALES = frozenset({{
'''


def england_and_wales() -> dict[str, str]:
    """Each bank holiday (ISO date) and its name, from the package."""
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return {day.isoformat(): name for day, name in sorted(found.items())}


def table_text() -> str:
    rows = [f"    date({int(day[:4])}, {int(day[5:7])}, {int(day[8:])}),  # {name}\n"
            for day, name in england_and_wales().items()]
    return HEADER.format(first=FIRST_YEAR, last=LAST_YEAR) + "".join(rows) + "})\n"


def main() -> None:
    TABLE.write_text(table_text())
    print(f"Wrote {TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
