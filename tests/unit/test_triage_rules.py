"""Automatic triage: aged 16 to 66 on the referral date, and `other` alone goes to a person."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workingbetter.domain.referral import Condition
from workingbetter.domain.triage import (
    AgeBand,
    TriageFacts,
    TriageRoute,
    age_band,
    age_on,
    decide,
    facts_for,
)

REFERRAL_DATE = date(2026, 5, 12)


def born_years_before(years: int, on: date = REFERRAL_DATE) -> date:
    return on.replace(year=on.year - years)


# -- age on the referral date -------------------------------------------------------------------


def test_a_birthday_on_the_referral_date_counts() -> None:
    assert age_on(date(1990, 5, 12), REFERRAL_DATE) == 36


def test_the_day_before_a_birthday_the_patient_is_still_the_younger_age() -> None:
    assert age_on(date(1990, 5, 13), REFERRAL_DATE) == 35


def test_the_day_after_a_birthday_the_patient_is_the_older_age() -> None:
    assert age_on(date(1990, 5, 11), REFERRAL_DATE) == 36


def test_a_patient_whose_16th_birthday_is_the_referral_date_is_in_range() -> None:
    assert age_band(born_years_before(16), REFERRAL_DATE) is AgeBand.IN_RANGE


def test_a_patient_who_turns_16_tomorrow_is_under_16() -> None:
    assert age_band(date(2010, 5, 13), REFERRAL_DATE) is AgeBand.UNDER_16


def test_a_patient_whose_67th_birthday_is_the_referral_date_is_over_66() -> None:
    assert age_band(born_years_before(67), REFERRAL_DATE) is AgeBand.OVER_66


def test_a_patient_aged_66_and_364_days_is_in_range() -> None:
    # Turns 67 tomorrow (13 May 2026): still 66 today.
    assert age_on(date(1959, 5, 13), REFERRAL_DATE) == 66
    assert age_band(date(1959, 5, 13), REFERRAL_DATE) is AgeBand.IN_RANGE


def test_a_patient_aged_exactly_66_is_in_range() -> None:
    assert age_band(born_years_before(66), REFERRAL_DATE) is AgeBand.IN_RANGE


def test_a_patient_born_on_29_february_turns_67_on_1_march_in_a_common_year() -> None:
    leapling = date(1960, 2, 29)
    assert age_band(leapling, date(2027, 2, 28)) is AgeBand.IN_RANGE
    assert age_band(leapling, date(2027, 3, 1)) is AgeBand.OVER_66


def test_a_patient_born_on_29_february_turns_16_on_29_february_in_a_leap_year() -> None:
    leapling = date(2012, 2, 29)
    assert age_band(leapling, date(2028, 2, 28)) is AgeBand.UNDER_16
    assert age_band(leapling, date(2028, 2, 29)) is AgeBand.IN_RANGE


# -- the decision -------------------------------------------------------------------------------


def facts(band: AgeBand, only_other: bool = False) -> TriageFacts:
    return TriageFacts(age_band=band, only_other_condition=only_other)


@pytest.mark.parametrize("only_other", [False, True])
def test_a_referral_for_a_patient_under_16_is_rejected(only_other: bool) -> None:
    assert decide(facts(AgeBand.UNDER_16, only_other)) is TriageRoute.REJECT


@pytest.mark.parametrize("only_other", [False, True])
def test_a_referral_for_a_patient_over_66_is_rejected(only_other: bool) -> None:
    assert decide(facts(AgeBand.OVER_66, only_other)) is TriageRoute.REJECT


def test_a_referral_in_range_with_a_listed_condition_is_accepted() -> None:
    assert decide(facts(AgeBand.IN_RANGE)) is TriageRoute.ACCEPT


def test_a_referral_whose_only_condition_is_other_goes_to_a_person() -> None:
    assert decide(facts(AgeBand.IN_RANGE, only_other=True)) is TriageRoute.PERSON


def test_a_referral_for_a_patient_aged_67_is_rejected() -> None:
    decided = decide(facts_for(born_years_before(67), [Condition.MENTAL_HEALTH], REFERRAL_DATE))
    assert decided is TriageRoute.REJECT


def test_a_referral_for_a_patient_aged_15_is_rejected() -> None:
    decided = decide(facts_for(born_years_before(15), [Condition.DIABETES], REFERRAL_DATE))
    assert decided is TriageRoute.REJECT


@pytest.mark.parametrize("condition", [c for c in Condition if c is not Condition.OTHER])
def test_other_alone_goes_to_a_person_but_other_with_a_listed_condition_is_accepted(
    condition: Condition,
) -> None:
    dob = date(1985, 1, 1)
    alone = facts_for(dob, [Condition.OTHER], REFERRAL_DATE)
    with_listed = facts_for(dob, [Condition.OTHER, condition], REFERRAL_DATE)
    assert decide(alone) is TriageRoute.PERSON
    assert decide(with_listed) is TriageRoute.ACCEPT
    assert decide(facts_for(dob, [condition], REFERRAL_DATE)) is TriageRoute.ACCEPT


def test_age_is_worked_out_on_the_referral_date_not_on_another_day() -> None:
    dob = date(1959, 6, 1)
    assert decide(facts_for(dob, [Condition.CANCER], date(2026, 5, 31))) is TriageRoute.ACCEPT
    assert decide(facts_for(dob, [Condition.CANCER], date(2026, 6, 1))) is TriageRoute.REJECT


# -- properties ---------------------------------------------------------------------------------

referral_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31))


@given(referral_dates, st.integers(min_value=0, max_value=36_500),
       st.sets(st.sampled_from(list(Condition)), min_size=1))
def test_triage_rejects_only_outside_16_to_66_and_sends_other_alone_to_a_person(
    referral_date: date, days_old: int, conditions: set[Condition]
) -> None:
    born = referral_date - timedelta(days=days_old)
    route = decide(facts_for(born, sorted(conditions), referral_date))
    age = age_on(born, referral_date)
    if not 16 <= age <= 66:
        assert route is TriageRoute.REJECT
    elif conditions == {Condition.OTHER}:
        assert route is TriageRoute.PERSON
    else:
        assert route is TriageRoute.ACCEPT


@given(referral_dates, st.integers(min_value=0, max_value=36_500))
def test_age_goes_up_by_exactly_one_on_each_birthday(referral_date: date, days_old: int) -> None:
    born = referral_date - timedelta(days=days_old)
    assert age_on(born, referral_date + timedelta(days=1)) - age_on(born, referral_date) in (0, 1)
    assert age_on(born, born) == 0
