"""The report as tables: what the JSON, the page, the CSV and the terminal all show, built once
from measures whose counts are already protected (suppression.py), so the four cannot
disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workingbetter.domain.communication_needs import NeedKind
from workingbetter.domain.records.directory import Practice
from workingbetter.domain.triage import MAX_AGE, MIN_AGE
from workingbetter.reports import suppression
from workingbetter.reports.measures import Distribution, Outcomes, Ratio
from workingbetter.reports.suppression import Shown

Cell = int | float | str | None

# Benchmarks printed beside the job-start rate.
IPS_JOB_START_BENCHMARK = 0.40  # IPS: about 40 % of out-of-work clients start a job
WORK_PROGRAMME_SEED = 0.25  # "under one in four": a seed figure, not a published statistic
BENCHMARK_NOTES = (
    "IPS benchmark: about 40 % of people out of work who start IPS support get a job "
    "(IPS Works; Centre for Mental Health).",
    "Work Programme: 'under one in four' into sustained jobs is the pilot's seed figure, not a "
    "published statistic; the nearest published figure is the National Audit Office's 27 % of "
    "JSA claimants aged 25+ who completed it (2014).",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True
    percent: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]]
    notes: tuple[str, ...] = ()
    total: dict[str, Cell] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title,
                "columns": [{"key": c.key, "label": c.label, "numeric": c.numeric,
                             "percent": c.percent} for c in self.columns],
                "rows": self.rows, "total": self.total, "notes": list(self.notes)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Table:
        """A table as the API sent it (the terminal report reads the running service)."""
        columns = tuple(Column(str(c["key"]), str(c["label"]), bool(c.get("numeric", True)),
                               bool(c.get("percent", False))) for c in data["columns"])
        return cls(str(data["id"]), str(data["title"]), columns, list(data["rows"]),
                   tuple(data.get("notes") or ()), data.get("total"))


@dataclass(frozen=True)
class Report:
    period: dict[str, str | None]
    tables: list[Table] = field(default_factory=list)

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "suppression": SUPPRESSION_NOTE,
                "tables": [t.as_json() for t in self.tables]}


SUPPRESSION_NOTE = ("Counts are rounded to a multiple of 5, practice by practice and month by "
                    "month, and every figure is the sum of those rounded counts, so no report "
                    "can be subtracted from another to give a small number away; totals are "
                    "the sums of the rows shown; rates are worked out from the rounded counts; "
                    "a median of fewer than 5 people is withheld, as is a coach's caseload "
                    "from 1 to 4 (<5). Figures may differ by a few from the true counts.")
LABEL = Column("label", "", numeric=False)
COUNT = Column("count", "Referrals")


def _counts(table_id: str, title: str, cells: Mapping[str, int], totalled: bool,
            labels: Mapping[str, str] | None = None, notes: tuple[str, ...] = (),
            count: Column = COUNT) -> Table:
    rows: list[dict[str, Cell]] = [
        {"key": key, "label": (labels or {}).get(key, words(key)), "count": value}
        for key, value in cells.items()]
    summed: dict[str, Cell] | None = {"label": "Total", "count": sum(cells.values())} \
        if totalled else None
    return Table(table_id, title, (LABEL, count), rows, notes, summed)


def words(key: str) -> str:
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def funnel(outcomes: Outcomes) -> Table:
    rows: list[dict[str, Cell]] = [{"key": s.key, "label": s.label, "count": s.count}
                                   for s in outcomes.funnel]
    return Table("funnel", "How far referrals have come", (LABEL, COUNT), rows, (
        "Each stage is a subset of the one before (each is rounded on its own, so a stage "
        "can show 5 more than the one before).",))


def _time(key: str, label: str, d: Distribution) -> dict[str, Cell]:
    return {"key": key, "label": label, "median_days": suppression.statistic(d.median, d.n),
            "p90_days": suppression.statistic(d.p90, d.n),
            "people": d.n if d.people is None else d.people}


TIME_COLUMNS = (LABEL, Column("median_days", "Median"),
                Column("p90_days", "90th centile"), Column("people", "People"))


def times(outcomes: Outcomes) -> Table:
    return Table("times", "Days from referral", TIME_COLUMNS, [
        _time("to_first_contact", "To first contact (first appointment offered)",
              outcomes.to_first_contact),
        _time("to_first_attended", "To first appointment attended",
              outcomes.to_first_attended)],
        ("Days are service days, counted to when the step was recorded.",))


RATE_COLUMNS = (LABEL, Column("rate", "Rate", percent=True), Column("of", "Of"),
                Column("benchmark", "Benchmark", percent=True))


def _rate(key: str, label: str, ratio: Ratio, benchmark: float | None = None) -> dict[str, Cell]:
    return {"key": key, "label": label,
            "rate": suppression.rate(ratio.numerator, ratio.denominator),
            "of": ratio.denominator, "benchmark": benchmark}


def rates(outcomes: Outcomes) -> Table:
    return Table("rates", "Attendance and job outcomes", RATE_COLUMNS, [
        _rate("did_not_attend", "Did not attend (of first-appointment outcomes)",
              outcomes.did_not_attend),
        _rate("job_start_ips", "Started a job (of those who started support), against IPS",
              outcomes.job_starts, IPS_JOB_START_BENCHMARK),
        _rate("job_start_work_programme",
              "Started a job (of those who started support), against the Work Programme",
              outcomes.job_starts, WORK_PROGRAMME_SEED),
        _rate("whp_outcome", "Work and Health Programme job outcome (of job starts)",
              outcomes.whp_outcomes)],
        ("A Work and Health Programme job outcome is 26 weeks in work at 16 hours a week or "
         "more at or above the National Living Wage, or 26 weeks self-employed.",
         *BENCHMARK_NOTES))


def ips_measures(outcomes: Outcomes) -> Table:
    ips = outcomes.ips
    first = ips.to_first_employer_contact
    contacts_hidden = 0 < ips.employer_contacts < suppression.THRESHOLD

    def per_week(value: float | None) -> Cell:
        if value is None:
            return None
        return suppression.WITHHELD if contacts_hidden else round(value, 2)

    rows: list[dict[str, Cell]] = [
        {"key": "days_to_first_employer_contact",
         "label": "Days from first appointment to first employer contact (median)",
         "value": suppression.statistic(first.median, first.n), "target": "30 or fewer"},
        {"key": "first_employer_contact_within_30_days",
         "label": "Share with a first employer contact within 30 days",
         "value": suppression.rate(ips.first_employer_contact_within_30.numerator,
                                   ips.first_employer_contact_within_30.denominator),
         "target": "all", "unit": "share"},
        {"key": "employer_contacts_per_coach_week",
         "label": "Employer contacts per coach per week",
         "value": per_week(ips.contacts_per_coach_week), "target": None},
        {"key": "employer_contacts_per_full_time_week",
         "label": "Employer contacts per full-time-equivalent coach per week",
         "value": per_week(ips.contacts_per_full_time_week), "target": "6 or more"},
        {"key": "benefits_advice",
         "label": "Share of those in support with benefits advice recorded",
         "value": suppression.rate(ips.benefits_advice.numerator,
                                   ips.benefits_advice.denominator), "target": "all",
         "unit": "share"},
        {"key": "rejected_at_triage", "label": "Share of referrals rejected at triage",
         "value": suppression.rate(ips.rejected_at_triage.numerator,
                                   ips.rejected_at_triage.denominator),
         "target": "none for readiness (zero exclusion)", "unit": "share"},
        {"key": "rejected_by_a_person",
         "label": "Share of referrals rejected by a coach (not the age rule)",
         "value": suppression.rate(ips.rejected_by_a_person.numerator,
                                   ips.rejected_by_a_person.denominator), "target": "none",
         "unit": "share"},
    ]
    columns = (LABEL, Column("value", "Figure"), Column("target", "IPS target", numeric=False))
    return Table("ips", "IPS measures", columns, rows, (
        "Shares are percentages (from 0 to 1 in the CSV and the JSON). A full-time-equivalent "
        "week scales each coach's week by the days they work (five days is full time).",))


def caseloads(outcomes: Outcomes) -> Table:
    rows: list[dict[str, Cell]] = []
    for c in outcomes.ips.caseloads:
        active: Shown = suppression.primary(c.active)
        days = f"{c.days_per_week} day{'s' if c.days_per_week > 1 else ''} a week"
        rows.append({"key": c.coach_id, "label": f"{c.coach_id} ({days})",
                     "days_per_week": c.days_per_week,
                     "active": active, "ips_cap": round(c.ips_cap, 1),
                     "per_full_time": round(c.per_full_time, 1) if isinstance(active, int)
                     else suppression.WITHHELD})
    columns = (LABEL, Column("active", "Caseload"), Column("ips_cap", "IPS cap"),
               Column("per_full_time", "Per full-time"))
    return Table("caseloads", "Caseload per coach against the IPS cap", columns, rows, (
        "Caseload: the people a coach holds now. IPS: at most 20 people per full-time "
        "employment specialist, so the cap for a coach in surgery one day a week is 4; per "
        "full-time is the caseload scaled to five days.",))


NEED_LABELS = {"any": "Any communication need",
               **{str(kind): words(str(kind)) for kind in NeedKind}}


def communication_needs(outcomes: Outcomes) -> Table:
    """Whether the service reaches people with communication needs (the Accessible Information
    Standard). One row per group, a column per count: the needs met join as a column of
    their own, from the same rounded blocks."""
    rows: list[dict[str, Cell]] = [
        {"key": key, "label": NEED_LABELS.get(key, words(key)), "recorded": count,
         "met": outcomes.needs_met.get(key, 0)}
        for key, count in outcomes.needs_recorded.items()]
    return Table("communication_needs", "Referrals with communication needs recorded",
                 (LABEL, Column("recorded", "Recorded"), Column("met", "Met")), rows, (
                     "A referral counts once in each kind of need it has, and once under any "
                     "need, so there is no total. Kinds are the Accessible Information "
                     "Standard's: the format information comes in, a communication "
                     "professional, other support to communicate, and how to make contact.",
                     "Met: the referrals whose every need of that kind the service met (a "
                     "letter in their format, a text or email instead of a call, a longer "
                     "appointment, an interpreter arranged). Braille, audio and other needs the "
                     "service cannot yet meet by itself never count as met.",))


def build(outcomes: Outcomes, period: dict[str, str | None],
          practice_names: Mapping[str, str]) -> Report:
    return Report(period, [
        funnel(outcomes),
        times(outcomes),
        rates(outcomes),
        _counts("exits", "Why referrals ended", outcomes.exits, True),
        _counts("practices", "Referrals by practice", outcomes.by_practice, True,
                {k: f"{practice_names.get(k, k)} ({k})" for k in outcomes.by_practice}),
        _counts("conditions", "Referrals by condition category", outcomes.by_condition, False,
                notes=("A referral can name more than one condition, so there is no total.",)),
        _counts("age_bands", "Referrals by age band", outcomes.by_age_band, True),
        _counts("triage_rejections", "Rejected at triage, and why", outcomes.rejections,
                True, {"age_rule": f"Outside the age range ({MIN_AGE} to {MAX_AGE})",
                       "coach_decision": "A coach's decision"}),
        communication_needs(outcomes),
        ips_measures(outcomes),
        caseloads(outcomes),
    ])


def cell_text(value: Cell, column: Column, row: Mapping[str, Cell] | None = None) -> str:
    """A cell as words: the page, the CSV and the terminal all write cells this way."""
    if value is None:
        return "-" if column.numeric else ""
    share = column.percent or (column.key == "value" and (row or {}).get("unit") == "share")
    if isinstance(value, float) and share:
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rows_as_text(table: Table) -> list[list[str]]:
    rows = [*table.rows, *([table.total] if table.total else [])]
    return [[cell_text(row.get(c.key), c, row) for c in table.columns] for row in rows]


def header(table: Table) -> list[str]:
    return [c.label or "" for c in table.columns]


def names(practices: Sequence[Practice]) -> dict[str, str]:
    return {p.practice_ods: p.name for p in practices}
