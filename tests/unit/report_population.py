"""Typed referral records for the report tests: a population whose right answers are known."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from workingbetter.domain.referral import Status
from workingbetter.reports.measures import Clock, CoachCaseload, Period
from workingbetter.reports.population import Job, Referral

START = datetime(2026, 1, 5, tzinfo=UTC)
PERIOD = Period(START, START + timedelta(days=70))
NOW = START + timedelta(days=70)
CLOCK = Clock(86400)
COACHES = [CoachCaseload("coach-amara", 1, 3), CoachCaseload("coach-bilal", 1, 0)]


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def referred(n: int = 0, practice: str = "F83001", age_band: str | None = "25-34",
             conditions: tuple[str, ...] = ("mental_health",)) -> Referral:
    return Referral(f"r{n}", practice, day(0), Status.RECEIVED, age_band=age_band,
                    conditions=conditions)


def rejected(r: Referral, by: str = "age_rule") -> Referral:
    return replace(r, status=Status.REJECTED, exit_reason="ineligible",
                   rejected_at_triage=by, ended_at=day(1))


def attended(r: Referral, booked_day: float = 2, attended_day: float = 9,
             missed: int = 0) -> Referral:
    return replace(r, status=Status.IN_SUPPORT, accepted=True, allocated=True,
                   coach_id="coach-amara", first_contact_at=day(booked_day),
                   first_attended_at=day(attended_day), did_not_attend=missed)


def job(r: Referral, hours: float = 30, pay_band: str | None = "nlw",
        self_employed: bool = False, weeks: frozenset[int] = frozenset({13, 26}),
        contact_day: float = 20) -> Referral:
    ended = Status.EXITED if 26 in weeks else Status.IN_WORK
    return replace(r, status=ended, reviewed=True, job_started_at=day(40),
                   job=Job(hours, pay_band, self_employed), in_work_weeks=weeks,
                   employer_contacts=(day(contact_day),), employer_contact_count=1,
                   exit_reason="job_sustained_26_weeks" if 26 in weeks else None,
                   ended_at=day(40 + 26 * 7) if 26 in weeks else None)
