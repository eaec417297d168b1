"""The outcome measures, worked out from typed referral records: pure, no AWS.

Every duration is in service days (a compressed clock's seconds scaled back to days).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from workingbetter.domain.communication_needs import NEEDS, Need, NeedKind
from workingbetter.domain.referral import TERMINAL, Condition, ExitReason
from workingbetter.reports.population import AGE_BANDS, Referral

# IPS: at most 20 clients per full-time employment specialist, five days a week.
IPS_FULL_TIME_CASELOAD = 20
FULL_TIME_DAYS = 5
# Work and Health Programme job outcome: 16 hours a week at or above the National Living Wage
# for 26 weeks, or 6 months (26 weeks) self-employed.
WHP_HOURS = 16
WHP_PAY_BANDS = frozenset({"nlw", "llw"})
RAPID_SEARCH_DAYS = 30


@dataclass(frozen=True)
class Clock:
    """Service days between instants: production's day is 86,400 s; a demo's may be 1 s."""

    seconds_per_day: float

    def days(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds() / self.seconds_per_day)


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Distribution:
    """Median and 90th percentile (nearest rank) of a set of durations in days, of n people;
    `people` is how many the report says they are (n, rounded where the report is protected:
    suppression.py), while n alone decides whether the median may be shown."""

    n: int
    median: float | None
    p90: float | None
    people: int | None = None

    @classmethod
    def of(cls, values: Sequence[float], people: int | None = None) -> Distribution:
        if not values:
            return cls(0, None, None, people)
        ordered = sorted(values)
        rank = math.ceil(0.9 * len(ordered))
        return cls(len(ordered), float(statistics.median(ordered)), ordered[rank - 1], people)


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int | None  # None: the pathway does not collect it (yet)


@dataclass(frozen=True)
class CoachCaseload:
    coach_id: str
    days_per_week: int
    active: int

    @property
    def ips_cap(self) -> float:
        """The IPS cap scaled by the coach's days: 20 for five days, 4 for one."""
        return IPS_FULL_TIME_CASELOAD * self.days_per_week / FULL_TIME_DAYS

    @property
    def per_full_time(self) -> float:
        return self.active * FULL_TIME_DAYS / self.days_per_week


@dataclass(frozen=True)
class Ips:
    caseloads: list[CoachCaseload]
    to_first_employer_contact: Distribution
    first_employer_contact_within_30: Ratio
    employer_contacts: int
    coach_weeks: float  # weeks of the period times coaches
    full_time_weeks: float  # the same, scaled by each coach's days
    benefits_advice: Ratio
    rejected_at_triage: Ratio
    rejected_by_a_person: Ratio
    in_work_support_weeks: Distribution

    @property
    def contacts_per_coach_week(self) -> float | None:
        return self.employer_contacts / self.coach_weeks if self.coach_weeks else None

    @property
    def contacts_per_full_time_week(self) -> float | None:
        return self.employer_contacts / self.full_time_weeks if self.full_time_weeks else None


@dataclass(frozen=True)
class Outcomes:
    funnel: list[Stage]
    to_first_contact: Distribution
    to_first_attended: Distribution
    did_not_attend: Ratio
    job_starts: Ratio
    whp_outcomes: Ratio
    exits: dict[str, int]
    ended: int
    by_practice: dict[str, int]
    by_condition: dict[str, int]
    by_age_band: dict[str, int]
    rejections: dict[str, int]
    ips: Ips
    # Referrals with a communication need recorded: any, and by the standard's four kinds.
    needs_recorded: dict[str, int] = field(default_factory=dict)
    # ... and of those, referrals whose every need of that kind the service met.
    needs_met: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


NOT_RECORDED = "not recorded"
FUNNEL: list[tuple[str, str, Callable[[Referral], bool]]] = [
    ("referred", "Referred", lambda r: True),
    ("accepted", "Accepted at triage", lambda r: r.accepted),
    ("allocated", "Coach allocated", lambda r: r.allocated),
    ("attended", "First appointment attended", lambda r: r.first_attended_at is not None),
    ("in_support", "In support (reached a review)", lambda r: r.reviewed),
    ("job_start", "Started a job", lambda r: r.job_started_at is not None),
    ("in_work_13", "In work at 13 weeks", lambda r: 13 in r.in_work_weeks),
    ("in_work_26", "In work at 26 weeks", lambda r: 26 in r.in_work_weeks),
    ("in_work_52", "In work at 52 weeks", lambda r: 52 in r.in_work_weeks),
]


def whp_outcome(r: Referral) -> bool:
    """A Work and Health Programme job outcome: 26 weeks in work at 16 hours or more a week,
    paid at least the National Living Wage, or 26 weeks self-employed."""
    if r.job is None or 26 not in r.in_work_weeks:
        return False
    if r.job.self_employed:
        return True
    return r.job.hours_per_week >= WHP_HOURS and r.job.pay_band in WHP_PAY_BANDS


def _days(clock: Clock, pairs: Iterable[tuple[datetime | None, datetime | None]]) -> list[float]:
    return [clock.days(a, b) for a, b in pairs if a is not None and b is not None]


def _to_first_employer_contact(clock: Clock, referrals: Iterable[Referral]) -> list[float]:
    return _days(clock, ((r.first_attended_at, r.first_employer_contact_at) for r in referrals
                         if r.first_attended_at is not None))


ANY_NEED = "any"
NEED_GROUPS = (ANY_NEED, *(str(k) for k in NeedKind))


def need_groups(needs: Iterable[str]) -> set[str]:
    """The rows a referral's recorded needs count in: any need, and each kind it has."""
    kinds = {str(NEEDS[Need(n)].kind) for n in needs if n in Need.__members__.values()}
    return kinds | {ANY_NEED} if kinds else set()


def met_groups(needs: Iterable[str], met: Iterable[str]) -> set[str]:
    """The rows a referral counts as met in: each kind whose every recorded need the service
    met, and any need when all were (a need it has no way to meet yet, such as braille, is
    never met: the report shows the gap)."""
    recorded = set(needs)
    return need_groups(recorded) - need_groups(recorded - set(met))


def counts(referrals: Sequence[Referral], clock: Clock) -> Counter[str]:
    """Every count a report publishes, each under one name: a count shown in two tables (the
    funnel's "attended" is the job-start rate's denominator too) is one count, so that a
    protected report rounds it once (suppression.py) and no two roundings of it can be set
    side by side. Counts are to date: they do not depend on the period's end."""
    found: Counter[str] = Counter()
    for key, _, reached in FUNNEL:
        found[key] = sum(1 for r in referrals if reached(r))
    for r in referrals:
        found["first_contact"] += r.first_contact_at is not None
        found["dna_events"] += r.did_not_attend
        found["whp_outcome"] += r.job_started_at is not None and whp_outcome(r)
        found["benefits_advice"] += r.first_attended_at is not None and \
            r.benefits_advice_at is not None
        found["in_work_ended"] += r.job_started_at is not None and r.ended_at is not None
        found[f"age:{r.age_band or NOT_RECORDED}"] += 1
        found.update(f"condition:{c}" for c in r.conditions)
        found.update(f"needs:{group}" for group in need_groups(r.needs))
        found.update(f"needs_met:{group}" for group in met_groups(r.needs, r.needs_met))
        if r.status in TERMINAL:
            found[f"exit:{r.exit_reason or NOT_RECORDED}"] += 1
        if r.rejected_at_triage:
            found[f"rejected:{r.rejected_at_triage}"] += 1
        # Contacts recorded only as a number (before the dates) count where no dates exist.
        found["employer_contacts"] += len(r.employer_contacts) or r.employer_contact_count
    to_contact = _to_first_employer_contact(clock, referrals)
    found["employer_contacted"] = len(to_contact)
    found["contact_within_30"] = sum(1 for d in to_contact if d <= RAPID_SEARCH_DAYS)
    return found


@dataclass(frozen=True)
class Counted:
    """The counts of a report's referrals, by practice: true counts, or the protected ones
    (suppression.protected) that every figure of a published report is made of."""

    by_practice: Mapping[str, Counter[str]]

    @classmethod
    def of(cls, referrals: Sequence[Referral], clock: Clock) -> Counted:
        practices = sorted({r.practice_ods for r in referrals})
        return cls({p: counts([r for r in referrals if r.practice_ods == p], clock)
                    for p in practices})

    def total(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for counted in self.by_practice.values():
            found.update(counted)
        return found


def _named(total: Mapping[str, int], kind: str, order: Sequence[str]) -> dict[str, int]:
    """The counts named `kind:…`, in `order` then any others, the empty ones too."""
    seen = [name.partition(":")[2] for name in total if name.startswith(f"{kind}:")]
    keys = [*order, *sorted(k for k in seen if k not in order)]
    return {k: total.get(f"{kind}:{k}", 0) for k in keys}


def funnel(total: Mapping[str, int]) -> list[Stage]:
    return [Stage(key, label, total.get(key, 0)) for key, label, _ in FUNNEL]


def ips(referrals: Sequence[Referral], total: Mapping[str, int],
        caseloads: list[CoachCaseload], period: Period, now: datetime, clock: Clock) -> Ips:
    # The weeks the service ran within the period: from its first referral, not the period's
    # first day (a pilot that started mid-period has not had coaches for all of it).
    since = max(period.start, min((r.created_at for r in referrals), default=period.start))
    until = min(period.end, now)
    weeks = clock.days(since, until) / 7 if until > since else 0.0
    in_work = _days(clock, ((r.job_started_at, r.ended_at) for r in referrals
                            if r.job_started_at and r.ended_at))
    rejected = sum(_named(total, "rejected", ()).values())
    return Ips(
        caseloads=caseloads,
        to_first_employer_contact=Distribution.of(_to_first_employer_contact(clock, referrals),
                                                  total.get("employer_contacted", 0)),
        first_employer_contact_within_30=Ratio(total.get("contact_within_30", 0),
                                               total.get("attended", 0)),
        employer_contacts=total.get("employer_contacts", 0),
        coach_weeks=weeks * len(caseloads),
        full_time_weeks=weeks * sum(c.days_per_week for c in caseloads) / FULL_TIME_DAYS,
        benefits_advice=Ratio(total.get("benefits_advice", 0), total.get("attended", 0)),
        rejected_at_triage=Ratio(rejected, total.get("referred", 0)),
        rejected_by_a_person=Ratio(total.get("rejected:coach_decision", 0),
                                   total.get("referred", 0)),
        in_work_support_weeks=Distribution.of([d / 7 for d in in_work],
                                              total.get("in_work_ended", 0)),
    )


def outcomes(referrals: Sequence[Referral], caseloads: list[CoachCaseload], period: Period,
             now: datetime, clock: Clock, practices: Sequence[str] = (),
             counted: Counted | None = None) -> Outcomes:
    """The measures of these referrals. Every count comes from `counted` (the true counts
    when not given); medians and centiles come from the referrals themselves."""
    counted = counted or Counted.of(referrals, clock)
    total = counted.total()
    dnas, started = total.get("dna_events", 0), total.get("attended", 0)
    exits = _named(total, "exit", list(ExitReason))
    by_practice = {p: counted.by_practice.get(p, Counter()).get("referred", 0)
                   for p in [*practices, *sorted(set(counted.by_practice) - set(practices))]}
    return Outcomes(
        funnel=funnel(total),
        to_first_contact=Distribution.of(_days(clock, ((r.created_at, r.first_contact_at)
                                                       for r in referrals)),
                                         total.get("first_contact", 0)),
        to_first_attended=Distribution.of(_days(clock, ((r.created_at, r.first_attended_at)
                                                        for r in referrals)), started),
        did_not_attend=Ratio(dnas, dnas + started),
        job_starts=Ratio(total.get("job_start", 0), started),
        whp_outcomes=Ratio(total.get("whp_outcome", 0), total.get("job_start", 0)),
        exits=exits,
        ended=sum(exits.values()),
        by_practice=by_practice,
        by_condition=_named(total, "condition", list(Condition)),
        by_age_band=_named(total, "age", [*AGE_BANDS, NOT_RECORDED]),
        rejections=_named(total, "rejected", ["age_rule", "coach_decision"]),
        ips=ips(referrals, total, caseloads, period, now, clock),
        needs_recorded=_named(total, "needs", NEED_GROUPS),
        needs_met=_named(total, "needs_met", NEED_GROUPS),
    )
