"""The facts intake records for the outcome reports: an age band and the condition categories,
enums only, so that reports never read the personal-data table (both go with an erasure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from workingbetter.domain.records.referral import ReferralChange
from workingbetter.domain.referral import Condition
from workingbetter.domain.triage import age_on

AGE_BANDS = ("16-24", "25-34", "35-49", "50-64", "65+")
_LOWEST = (16, 25, 35, 50, 65)
# What the referral loses when the patient's personal data is erased.
ERASED_WITH_PERSONAL_DATA = ReferralChange(
    personal_data_erased=True, age_band=None, condition_categories=None, need_kinds=None,
    needs_met=None,
    # The keyed hashes of the NHS number and of the date of birth: with the key they re-identify.
    patient_key=None, birth_key=None)


def age_band(date_of_birth: date, referral_date: date) -> str | None:
    """The band of the patient's age on the referral date; None under 16 (never eligible)."""
    age = age_on(date_of_birth, referral_date)
    found = None
    for band, lowest in zip(AGE_BANDS, _LOWEST, strict=True):
        if age >= lowest:
            found = band
    return found


def condition_categories(conditions: Iterable[Condition]) -> list[str]:
    return sorted({str(c) for c in conditions})
