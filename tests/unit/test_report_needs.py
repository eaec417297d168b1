"""The outcome report counts referrals with communication needs recorded (any need, and by the
Accessible Information Standard's four kinds), so the commissioner sees whether the service
reaches disabled patients; like every count, each is a sum of rounded blocks, so a small
number of patients with, say, a BSL interpreter is never given away."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.report_population import CLOCK, COACHES, NOW, PERIOD, referred
from tests.unit.test_report_suppression import KEY
from workingbetter.reports import suppression, tables
from workingbetter.reports.measures import outcomes
from workingbetter.reports.population import Referral


def needs_table(people: list[Referral], protected: bool,
                column: str = "recorded") -> dict[str, object]:
    counted = suppression.protected(people, CLOCK, KEY) if protected else None
    measured = outcomes(people, COACHES, PERIOD, NOW, CLOCK, ["F83001"], counted)
    report = tables.build(measured, {"from": None, "to": None, "practice": None}, {})
    table = report.table("communication_needs")
    assert table is not None
    assert table.total is None  # a referral counts in several rows
    return {str(row["key"]): row[column] for row in table.rows}


def people() -> list[Referral]:
    bsl_and_print = ("bsl_interpreter", "large_print")
    return [replace(referred(0), needs=bsl_and_print),
            replace(referred(1), needs=("contact_by_email",)),
            *[replace(referred(n), needs=("easy_read",)) for n in range(2, 9)],
            *[referred(n) for n in range(9, 20)]]


def test_referrals_with_needs_are_counted_once_per_kind_and_once_in_all() -> None:
    assert needs_table(people(), protected=False) == {
        "any": 9, "information_format": 8, "communication_professional": 1,
        "communication_support": 0, "contact_method": 1}


def test_the_counts_published_are_rounded_like_every_other() -> None:
    shown = needs_table(people(), protected=True)
    assert set(shown) == {"any", "information_format", "communication_professional",
                          "communication_support", "contact_method"}
    assert all(isinstance(c, int) and c % 5 == 0 for c in shown.values()), shown


def met_people() -> list[Referral]:
    # Interpreter arranged and large-print letters sent: every need met. Large print sent but
    # no interpreter yet: the format is met, the professional not, so not "any". Braille: the
    # service has no way to meet it, so never met.
    both = ("bsl_interpreter", "large_print")
    return [*[replace(referred(n), needs=both, needs_met=both) for n in range(0, 6)],
            *[replace(referred(n), needs=both, needs_met=("large_print",)) for n in range(6, 9)],
            *[replace(referred(n), needs=("braille",)) for n in range(9, 12)],
            *[referred(n) for n in range(12, 20)]]


def test_a_referral_counts_as_met_in_a_kind_when_every_need_of_that_kind_was_met() -> None:
    assert needs_table(met_people(), protected=False, column="met") == {
        "any": 6, "information_format": 9, "communication_professional": 6,
        "communication_support": 0, "contact_method": 0}


def test_the_met_counts_are_rounded_like_every_other() -> None:
    shown = needs_table(met_people(), protected=True, column="met")
    assert all(isinstance(c, int) and c % 5 == 0 for c in shown.values()), shown
