"""Automatic triage: the eligibility rules, and when a person must decide instead.

IPS zero exclusion: nobody is turned away as "not ready". The only automatic rejection is the
age range; a referral whose only condition is `other` goes to a person. Intake checks the age
range too, so that a practice hears of it on the form, not later as "Not accepted"; triage
keeps its own check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workingbetter.domain.referral import Condition

MIN_AGE = 16
MAX_AGE = 66
AGE_RANGE = f"aged {MIN_AGE} to {MAX_AGE}"


@dataclass(frozen=True)
class Eligibility:
    """One of the service's rules of who it is for, in plain words."""

    who: str  # "aged 16 to 66"
    detail: str  # "on the day they are referred"

    def __str__(self) -> str:
        return f"{self.who} {self.detail}"


# Who the service is for: the referral form states these, intake checks the age and that the
# patient is out of work (its employment statuses are the two ways of being out of work),
# triage checks the age again and sends a condition the form does not list to a coach.
ELIGIBILITY = (
    Eligibility(AGE_RANGE, "on the day they are referred"),
    Eligibility("out of work", "(unemployed, or not working and not looking for work)"),
    Eligibility("living with a long-term health condition",
                "(a coach checks one the form does not list)"),
    Eligibility("happy to be referred", "(it is voluntary)"),
)
WHO_IT_IS_FOR = ", ".join(rule.who for rule in ELIGIBILITY[:3])
OUTSIDE_AGE_RANGE = (f"Working Better is for people {AGE_RANGE}: check the date of birth, or "
                     "talk to the patient about other support")


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


def age_problem(date_of_birth: date, referral_date: date) -> str | None:
    """Why intake refuses this date of birth under the age rule (None: within the range)."""
    in_range = age_band(date_of_birth, referral_date) is AgeBand.IN_RANGE
    return None if in_range else OUTSIDE_AGE_RANGE


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
