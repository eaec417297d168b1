"""The outcome measures, worked out from typed referral records: pure, no AWS.

Every duration is in service days (a compressed clock's seconds scaled back to days).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

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
    """Median and 90th percentile (nearest rank) of a set of durations in days."""

    n: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        if not values:
            return cls(0, None, None)
        ordered = sorted(values)
        rank = math.ceil(0.9 * len(ordered))
        return cls(len(ordered), float(statistics.median(ordered)), ordered[rank - 1])


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


def _count(values: Iterable[str], order: Sequence[str]) -> dict[str, int]:
    counted = Counter(values)
    keys = [*order, *sorted(k for k in counted if k not in order)]
    return {k: counted.get(k, 0) for k in keys}


def _days(clock: Clock, pairs: Iterable[tuple[datetime | None, datetime | None]]) -> list[float]:
    return [clock.days(a, b) for a, b in pairs if a is not None and b is not None]


def funnel(referrals: Sequence[Referral]) -> list[Stage]:
    stages = [Stage(key, label, sum(1 for r in referrals if reached(r)))
              for key, label, reached in FUNNEL]
    return stages


def ips(referrals: Sequence[Referral], caseloads: list[CoachCaseload], period: Period,
        now: datetime, clock: Clock) -> Ips:
    started = [r for r in referrals if r.first_attended_at is not None]
    to_contact = _days(clock, ((r.first_attended_at, r.first_employer_contact_at)
                               for r in started))
    # The weeks the service ran within the period: from its first referral, not the period's
    # first day (a pilot that started mid-period has not had coaches for all of it).
    since = max(period.start, min((r.created_at for r in referrals), default=period.start))
    until = min(period.end, now)
    weeks = clock.days(since, until) / 7 if until > since else 0.0
    contacts = sum(1 for r in referrals for at in r.employer_contacts
                   if period.start <= at < period.end)
    # Contacts recorded only as a number (before the dates) count where no dates exist.
    contacts += sum(r.employer_contact_count for r in referrals if not r.employer_contacts)
    rejected = [r for r in referrals if r.rejected_at_triage]
    in_work = _days(clock, ((r.job_started_at, r.ended_at) for r in referrals
                            if r.job_started_at and r.ended_at))
    return Ips(
        caseloads=caseloads,
        to_first_employer_contact=Distribution.of(to_contact),
        first_employer_contact_within_30=Ratio(
            sum(1 for d in to_contact if d <= RAPID_SEARCH_DAYS), len(started)),
        employer_contacts=contacts,
        coach_weeks=weeks * len(caseloads),
        full_time_weeks=weeks * sum(c.days_per_week for c in caseloads) / FULL_TIME_DAYS,
        benefits_advice=Ratio(sum(1 for r in started if r.benefits_advice_at), len(started)),
        rejected_at_triage=Ratio(len(rejected), len(referrals)),
        rejected_by_a_person=Ratio(
            sum(1 for r in rejected if r.rejected_at_triage == "coach_decision"),
            len(referrals)),
        in_work_support_weeks=Distribution.of([d / 7 for d in in_work]),
    )


def outcomes(referrals: Sequence[Referral], caseloads: list[CoachCaseload], period: Period,
             now: datetime, clock: Clock, practices: Sequence[str] = ()) -> Outcomes:
    started = [r for r in referrals if r.first_attended_at is not None]
    starters = [r for r in referrals if r.job_started_at is not None]
    ended = [r for r in referrals if r.status in TERMINAL]
    dnas = sum(r.did_not_attend for r in referrals)
    return Outcomes(
        funnel=funnel(referrals),
        to_first_contact=Distribution.of(_days(clock, ((r.created_at, r.first_contact_at)
                                                       for r in referrals))),
        to_first_attended=Distribution.of(_days(clock, ((r.created_at, r.first_attended_at)
                                                        for r in referrals))),
        did_not_attend=Ratio(dnas, dnas + len(started)),
        job_starts=Ratio(len(starters), len(started)),
        whp_outcomes=Ratio(sum(1 for r in starters if whp_outcome(r)), len(starters)),
        exits=_count((r.exit_reason or NOT_RECORDED for r in ended), list(ExitReason)),
        ended=len(ended),
        by_practice=_count((r.practice_ods for r in referrals), practices),
        by_condition=_count((c for r in referrals for c in r.conditions), list(Condition)),
        by_age_band=_count((r.age_band or NOT_RECORDED for r in referrals),
                           [*AGE_BANDS, NOT_RECORDED]),
        rejections=_count((r.rejected_at_triage for r in referrals if r.rejected_at_triage),
                          ["age_rule", "coach_decision"]),
        ips=ips(referrals, caseloads, period, now, clock),
    )
