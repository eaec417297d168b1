"""The case record's bodies: bounded, enums only where the reports count, dates not ahead."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from workingbetter.domain.errors import InvalidInput
from workingbetter.domain.records.referral import JobFacts
from workingbetter.services.case_record import BenefitsAdvice, EmployerContact, Profile
from workingbetter.services.steps import Review, job_facts, parse_body

JOB = {"employer": "Acme Ltd", "hours_per_week": 16, "start_date": "2030-01-01"}


def fields(model: Any, body: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        parse_body(model, body)
    return [e.field for e in refused.value.errors]


def test_a_job_start_takes_a_pay_band_and_self_employment_as_enums() -> None:
    review = parse_body(Review, {"decision": "job_start", "employer_contacts": 1,
                                 "job": {**JOB, "pay_band": "nlw", "self_employed": True}})
    assert review.job is not None
    assert job_facts(review.job) == JobFacts(hours_per_week="16.0", start_date="2030-01-01",
                                             pay_band="nlw", self_employed=True)
    assert fields(Review, {"decision": "job_start", "employer_contacts": 1,
                           "job": {**JOB, "pay_band": "£12"}}) == ["job.pay_band"]
    assert fields(Review, {"decision": "job_start", "employer_contacts": 1,
                           "job": {**JOB, "self_employed": "yes"}}) == ["job.self_employed"]


def test_benefits_advice_is_a_yes_or_no_and_a_date_only() -> None:
    assert parse_body(BenefitsAdvice, {"given": False}).on is None
    assert fields(BenefitsAdvice, {"given": True}) == ["on"]
    assert fields(BenefitsAdvice, {"given": True, "on": "2026-01-01",
                                   "topic": "Universal Credit"}) == ["topic"]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert fields(BenefitsAdvice, {"given": True, "on": tomorrow}) == ["on"]


def test_an_employer_contact_is_dated_and_its_outcome_is_one_of_the_list() -> None:
    body = {"on": "2026-01-05", "kind_of_employer": "A bakery", "outcome": "interview"}
    assert parse_body(EmployerContact, body).outcome == "interview"
    assert fields(EmployerContact, {**body, "outcome": "hired"}) == ["outcome"]


def test_a_profile_is_bounded() -> None:
    assert fields(Profile, {"goals": [{"goal": "g"}] * 21}) == ["goals"]
    assert fields(Profile, {"confidence": 0}) == ["confidence"]
    assert fields(Profile, {"job_preferences": {"area": "x" * 201}}) == \
        ["job_preferences.area"]
