"""Automatic triage: the eligibility rules, and when a person must decide instead.

IPS zero exclusion: nobody is turned away as "not ready". The only automatic rejection is the
age range; a referral whose only condition is `other` goes to a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workingbetter.domain.referral import Condition

MIN_AGE = 16
MAX_AGE = 66


class AgeBand(StrEnum):
    UNDER_16 = "under_16"
    IN_RANGE = "16_to_66"
    OVER_66 = "over_66"


class TriageRoute(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    PERSON = "person"


@dataclass(frozen=True)
class TriageFacts:
    """What triage needs, derived at intake so the workflow never reads personal data."""

    age_band: AgeBand
    only_other_condition: bool


def age_on(date_of_birth: date, on: date) -> int:
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def age_band(date_of_birth: date, referral_date: date) -> AgeBand:
    age = age_on(date_of_birth, referral_date)
    if age < MIN_AGE:
        return AgeBand.UNDER_16
    if age > MAX_AGE:
        return AgeBand.OVER_66
    return AgeBand.IN_RANGE


def facts_for(
    date_of_birth: date, conditions: list[Condition], referral_date: date
) -> TriageFacts:
    return TriageFacts(
        age_band=age_band(date_of_birth, referral_date),
        only_other_condition=set(conditions) == {Condition.OTHER},
    )


def decide(facts: TriageFacts) -> TriageRoute:
    if facts.age_band is not AgeBand.IN_RANGE:
        return TriageRoute.REJECT
    if facts.only_other_condition:
        return TriageRoute.PERSON
    return TriageRoute.ACCEPT
