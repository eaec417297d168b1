"""`make report` prints the API's tables as plain text, cells written as the page writes them;
the demo's made-up people have valid NHS numbers from the test range."""

from __future__ import annotations

import random
from datetime import date
from itertools import islice

from infra.demo_people import conditions, date_of_birth, nhs_numbers
from infra.report import text_table
from tests.unit.report_population import CLOCK, COACHES, NOW, PERIOD, attended, referred
from workingbetter.domain import nhs_number
from workingbetter.domain.bands import age_band
from workingbetter.reports import tables
from workingbetter.reports.measures import outcomes
from workingbetter.reports.tables import Table


def report() -> tables.Report:
    people = [attended(referred(i)) for i in range(12)]
    measured = outcomes(people, COACHES, PERIOD, NOW, CLOCK, ["F83001", "F83002"])
    return tables.build(measured, {"from": "2026-01-05", "to": "2026-03-15",
                                   "practice": None}, {"F83001": "City Road"})


def test_a_table_survives_the_trip_through_json() -> None:
    for table in report().tables:
        again = Table.from_json(table.as_json())
        assert tables.rows_as_text(again) == tables.rows_as_text(table)


def test_the_terminal_table_lines_up_numbers_on_the_right() -> None:
    practices = report().table("practices")
    assert practices is not None
    lines = text_table(practices).splitlines()
    assert lines[0] == "Referrals by practice"
    body = [line for line in lines if line.startswith(("City Road", "F83002", "Total"))]
    assert [line.split()[-1] for line in body] == ["12", "0", "12"]
    assert len({len(line) for line in body}) == 1


def test_rates_print_as_percentages_and_withheld_cells_as_markers() -> None:
    rates = report().table("rates")
    assert rates is not None
    text = text_table(rates)
    assert "40%" in text  # the IPS benchmark
    assert "0%" in text  # no job starts of 12
    ages = report().table("age_bands")
    assert ages is not None
    assert "12" in text_table(ages)


def test_demo_people_have_valid_numbers_from_the_test_range() -> None:
    numbers = list(islice(nhs_numbers(), 50))
    assert all(n.startswith("999") and nhs_number.problem(n) is None for n in numbers)
    assert len(set(numbers)) == 50
    rng = random.Random(1)
    today = date(2026, 6, 1)
    bands = {age_band(date_of_birth(rng, today), today) for _ in range(400)}
    assert {"16-24", "25-34", "35-49", "50-64"} <= bands
    assert all(conditions(rng) for _ in range(50))
