"""IPS fidelity from live data: the items of the IPS Fidelity Scale the workflow can measure,
each scored on the scale's 1-5 anchors with the figure it rests on, and the items that need a
person's assessment (a fidelity review is two reviewers over two days: the software supplies
evidence, not the verdict).

Anchors: Becker, Swanson, Reese, Bond and McLeman, "Supported Employment Fidelity Review
Manual" (IPS-25, Dartmouth / IPS Employment Center), items Staffing 1, Organisation 6 and
Services 1, 4, 6, 12; thresholds as written there, proxies named where the data can only
approximate an item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workingbetter.reports import suppression
from workingbetter.reports.measures import Ips

# (item, what the data measures, anchors from score 5 down to 2: the figure meets the bound;
# anything else scores 1). `higher` says whether a larger figure is better; `unit` how a figure
# reads (a share, from 0 to 1, as a percentage).
ANCHORS: dict[str, dict[str, Any]] = {
    "caseload_size": {
        "item": "Caseload size (Staffing 1)",
        "measure": "Clients per full-time-equivalent coach, the largest caseload",
        "higher": False, "bounds": (20, 40, 60, 80), "unit": "clients",
        "anchor_5": "20 or fewer clients per full-time employment specialist",
    },
    "rapid_job_search": {
        "item": "Rapid job search for competitive job (Services 4)",
        "measure": "Median days from first appointment to first employer contact",
        "higher": False, "bounds": (30, 60, 150, 270), "unit": "days",
        "anchor_5": "First face-to-face employer contact within 30 days of entry",
    },
    "employer_contacts": {
        "item": "Job development: frequent employer contact (Services 6)",
        "measure": "Employer contacts per full-time-equivalent coach per week",
        "higher": True, "bounds": (6, 5, 4, 2), "unit": "contacts a week",
        "anchor_5": "6 or more face-to-face employer contacts per specialist per week",
    },
    "time_unlimited_support": {
        "item": "Time-unlimited follow-along supports (Services 12)",
        "measure": "Weeks of in-work support given after a job start (median, proxy)",
        "higher": True, "bounds": (52, 39, 26, 13), "unit": "weeks",
        "anchor_5": "Support in work for a year or more, as long as the person wants",
    },
    "benefits_counselling": {
        "item": "Work incentives planning (benefits counselling) (Services 1)",
        "measure": "Share of people in support with benefits advice recorded (proxy)",
        "higher": True, "bounds": (0.9, 0.75, 0.5, 0.25), "unit": "share",
        "anchor_5": "Every client is offered comprehensive work incentives planning",
    },
    "zero_exclusion": {
        "item": "Zero exclusion criteria (Organisation 6)",
        "measure": "Share of referrals a coach turned away at triage (the age rule aside)",
        "higher": False, "bounds": (0.0, 0.05, 0.10, 0.20), "unit": "share",
        "anchor_5": "No one interested in work is screened out for 'readiness'",
    },
}

ITEMS_IN_SCALE = 25  # IPS-25: each scored 1 to 5, 125 in all; 100 or more is good fidelity
# IPS-25 items no workflow record can score: a reviewer assesses them.
NEEDS_A_PERSON = (
    "Employment services staff: specialists provide only employment services (Staffing 2)",
    "Vocational generalists: each specialist carries out all phases (Staffing 3)",
    "Integration with the mental health treatment team through team assignment (Organisation 1)",
    "Integration through frequent team member contact (Organisation 2)",
    "Collaboration between specialists and vocational rehabilitation counsellors "
    "(Organisation 3)",
    "Vocational unit (Organisation 4)",
    "Role of the employment supervisor (Organisation 5)",
    "Zero exclusion criteria written into policy and practice (Organisation 6, the policy half)",
    "Agency focus on competitive employment (Organisation 7)",
    "Executive team support for supported employment (Organisation 8)",
    "Disclosure (Services 2)",
    "Ongoing, work-based vocational assessment (Services 3)",
    "Individualised job search (Services 5)",
    "Job development: quality of employer contact (Services 7)",
    "Diversity of job types (Services 8)",
    "Diversity of employers (Services 9)",
    "Competitive jobs (Services 10)",
    "Individualised follow-along supports (Services 11)",
    "Community-based services (Services 13)",
    "Assertive engagement and outreach by the integrated team (Services 14)",
)


@dataclass(frozen=True)
class Score:
    key: str
    item: str
    measure: str
    anchor_5: str
    evidence: float | str | None  # the figure, or "[c]" withheld, or None with no data
    score: int | None

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "item": self.item, "measure": self.measure,
                "full_fidelity": self.anchor_5, "evidence": self.evidence,
                "evidence_words": figure_words(self.key, self.evidence),
                "score": self.score,
                "anchors": [{"score": points, "when": words}
                            for points, words in anchors(self.key)]}


def figure_words(key: str, figure: float | str | None) -> str:
    """A figure as the item's unit reads: 58%, 40 clients, 12.5 days ("[c]" as it is)."""
    if figure is None or isinstance(figure, str):
        return figure or ""
    unit = ANCHORS[key]["unit"]
    return f"{figure:.0%}" if unit == "share" else f"{figure:g} {unit}"


def anchors(key: str) -> list[tuple[int, str]]:
    """What earns each score, 5 down to 1, in the figure's own words, so a reader can check
    the conversion ("40 clients" is "at most 40 clients": 4)."""
    anchor = ANCHORS[key]
    bounds = anchor["bounds"]
    at, beyond = ("at least", "under") if anchor["higher"] else ("at most", "more than")
    found = [(points, "none" if bound == 0 else f"{at} {figure_words(key, bound)}")
             for points, bound in zip((5, 4, 3, 2), bounds, strict=True)]
    return [*found, (1, f"{beyond} {figure_words(key, bounds[-1])}")]


def score(key: str, figure: float | None) -> int | None:
    """The 1-5 anchor a figure meets (None without a figure)."""
    if figure is None:
        return None
    anchors = ANCHORS[key]
    meets: Callable[[float], bool] = (lambda bound: figure >= bound) if anchors["higher"] \
        else (lambda bound: figure <= bound)
    for points, bound in zip((5, 4, 3, 2), anchors["bounds"], strict=True):
        if meets(bound):
            return points
    return 1


def _figures(ips: Ips) -> dict[str, tuple[float | None, bool]]:
    """Each item's figure and whether it rests on a count too small to publish."""
    small = suppression.THRESHOLD
    loads = [c.per_full_time for c in ips.caseloads if c.active >= small]
    few_loads = any(0 < c.active < small for c in ips.caseloads)
    contacts = ips.to_first_employer_contact
    support = ips.in_work_support_weeks
    advice, rejected = ips.benefits_advice, ips.rejected_by_a_person
    return {
        "caseload_size": (max(loads) if loads else None, few_loads and not loads),
        "rapid_job_search": (contacts.median, 0 < contacts.n < small),
        "employer_contacts": (ips.contacts_per_full_time_week,
                              0 < ips.employer_contacts < small),
        "time_unlimited_support": (support.median, 0 < support.n < small),
        "benefits_counselling": (advice.value, suppression.is_hidden(
            suppression.rate(advice.numerator, advice.denominator))),
        "zero_exclusion": (rejected.value, 0 < rejected.numerator < small
                           or 0 < rejected.denominator < small),
    }


def scores(ips: Ips) -> list[Score]:
    """Each item scored from its figure as shown (to 2 places), so that the figure and the
    anchors beside it give the score a reader works out."""
    found = []
    for key, (figure, withheld) in _figures(ips).items():
        item = ANCHORS[key]
        shown = None if figure is None else round(figure, 2)
        evidence: float | str | None = suppression.WITHHELD if withheld else shown
        found.append(Score(key, item["item"], item["measure"], item["anchor_5"],
                           evidence, None if withheld else score(key, shown)))
    return found


def as_json(ips: Ips, period: dict[str, str | None]) -> dict[str, Any]:
    measured = scores(ips)
    with_evidence = sum(1 for s in measured if s.score is not None)
    return {"period": period, "items": [s.as_json() for s in measured],
            "scored": sum(s.score or 0 for s in measured),
            "out_of": 5 * with_evidence,
            "items_with_evidence": with_evidence,
            "items_from_records": len(ANCHORS), "items_in_scale": ITEMS_IN_SCALE,
            "needs_a_person": list(NEEDS_A_PERSON),
            "note": "The IPS-25 scale has 25 items scored 1 to 5 (125 in all; 100 or more is "
                    "good fidelity). These figures are evidence for a review, not its score."}
