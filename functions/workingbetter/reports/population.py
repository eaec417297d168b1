"""The referrals a report counts, as typed records read from the workflow item (never the
personal-data table): one Query on an index, projected to what the measures need, paged.

Instants on a compressed service clock (WB_SECONDS_PER_DAY) are turned into service days when
measured, so a demo that runs a year in minutes reports in days, as production does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from workingbetter.domain.bands import AGE_BANDS
from workingbetter.domain.records.referral import JobFacts, TimelineEvent
from workingbetter.domain.records.referral import Referral as Stored
from workingbetter.domain.referral import Status

__all__ = ["AGE_BANDS", "FIELDS", "Job", "Referral", "from_item", "instant"]

# What the report reads of each referral: the item's own fields, never the personal data.
FIELDS = ("referral_id", "practice_ods", "created_at", "status", "exit_reason", "coach_id",
          "age_band", "condition_categories", "employment_status", "timeline", "job",
          "employer_contacts", "employer_contact_dates", "first_employer_contact_at",
          "benefits_advice_on", "need_kinds", "needs_met")

ACCEPTED_EVENTS = frozenset({"triage_accepted", "coach_allocated", "awaiting_capacity"})
DNA_EVENTS = frozenset({"did_not_attend_outreach", "did_not_attend_exit"})
REVIEW_EVENTS = frozenset({"review_continue", "review_exit", "job_started",
                           "support_period_ended"})


def instant(text: str) -> datetime:
    """An ISO instant, or an ISO date (midnight UTC): the contract's dates are YYYY-MM-DD."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Job:
    hours_per_week: float
    pay_band: str | None  # "below_nlw" | "nlw" | "llw", once the coach records it
    self_employed: bool


@dataclass(frozen=True)
class Referral:
    """One referral as the reports see it: enums, instants and counts only."""

    referral_id: str
    practice_ods: str
    created_at: datetime
    status: Status
    exit_reason: str | None = None
    coach_id: str | None = None
    age_band: str | None = None
    conditions: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # the communication needs recorded (enum values)
    needs_met: tuple[str, ...] = ()  # those the service met
    accepted: bool = False
    allocated: bool = False
    rejected_at_triage: str | None = None  # "age_rule" or "coach_decision"
    first_contact_at: datetime | None = None  # the first appointment offered (booked)
    first_attended_at: datetime | None = None
    did_not_attend: int = 0
    reviewed: bool = False
    job_started_at: datetime | None = None
    job: Job | None = None
    in_work_weeks: frozenset[int] = frozenset()  # sustainment checks passed: 13, 26 (52)
    employer_contacts: tuple[datetime, ...] = ()
    employer_contact_count: int = 0
    benefits_advice_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def first_employer_contact_at(self) -> datetime | None:
        return min(self.employer_contacts) if self.employer_contacts else None


class _Timeline:
    """One pass over a referral's timeline: how often each event happened, and when first
    (ISO instants sort as text, so only the instants used are parsed)."""

    def __init__(self, events: Iterable[TimelineEvent]) -> None:
        self.counts: Counter[str] = Counter()
        self.firsts: dict[str, str] = {}
        self.rejected_by: str | None = None
        self.last_at: str | None = None
        for e in events:
            name, at = e.event, e.at
            self.counts[name] += 1
            if name not in self.firsts or at < self.firsts[name]:
                self.firsts[name] = at
            if name == "triage_rejected" and self.rejected_by is None:
                self.rejected_by = e.by
            self.last_at = at

    def first(self, name: str) -> datetime | None:
        at = self.firsts.get(name)
        return None if at is None else instant(at)

    def count(self, names: Iterable[str]) -> int:
        return sum(self.counts[n] for n in names)

    def has(self, names: Iterable[str]) -> bool:
        return self.count(names) > 0

    def rejection(self) -> str | None:
        if self.rejected_by is None:
            return None
        return "age_rule" if self.rejected_by == "system" else "coach_decision"


def _job(job: JobFacts | None) -> Job | None:
    if job is None:
        return None
    return Job(hours_per_week=float(job.hours_per_week or 0), pay_band=job.pay_band or None,
               self_employed=bool(job.self_employed))


def _contacts(item: Stored) -> tuple[datetime, ...]:
    dates = [instant(d) for d in item.employer_contact_dates]
    if not dates and item.first_employer_contact_at:
        dates = [instant(item.first_employer_contact_at)]  # before the dates list
    return tuple(sorted(dates))


def from_item(item: Stored) -> Referral:
    """The report's record of one referral, as the workflow left it."""
    timeline = _Timeline(item.timeline)
    status = item.status
    contacts = _contacts(item)
    ended = timeline.last_at if status.terminal else None
    weeks = frozenset(w for w in (13, 26, 52) if timeline.has([f"in_work_{w}_weeks"]))
    advice = item.benefits_advice_on
    return Referral(
        referral_id=item.referral_id,
        practice_ods=item.practice_ods,
        created_at=instant(item.created_at),
        status=status,
        exit_reason=str(item.exit_reason) if item.exit_reason else None,
        coach_id=item.coach_id or None,
        age_band=item.age_band or None,
        conditions=item.condition_categories,
        needs=item.need_kinds,
        needs_met=item.needs_met,
        accepted=timeline.has(ACCEPTED_EVENTS),
        allocated=bool(item.coach_id),
        rejected_at_triage=timeline.rejection(),
        first_contact_at=timeline.first("appointment_booked"),
        first_attended_at=timeline.first("first_appointment_attended"),
        did_not_attend=timeline.count(DNA_EVENTS),
        reviewed=timeline.has(REVIEW_EVENTS),
        job_started_at=timeline.first("job_started"),
        job=_job(item.job),
        in_work_weeks=weeks,
        employer_contacts=contacts,
        employer_contact_count=max(len(contacts), item.employer_contacts),
        benefits_advice_at=instant(advice) if advice else None,
        ended_at=instant(str(ended)) if ended else None,
    )
