"""Made-up people for the demo population and tests: valid NHS numbers from the 999 range
(the test range: never a real patient), realistic ages, conditions and practices."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from workingbetter.domain.nhs_number import check_digit
from workingbetter.domain.referral import Condition

# Rough shares of people referred to employment support in primary care (the demo's guess:
# working age, more in their thirties to fifties, mental health the most common condition).
# All within the age range: intake refuses anyone outside it.
AGES = ((17, 24, 0.16), (25, 34, 0.24), (35, 49, 0.32), (50, 64, 0.24), (65, 66, 0.03))
CONDITIONS = ((Condition.MENTAL_HEALTH, 0.55), (Condition.MUSCULOSKELETAL, 0.30),
              (Condition.CARDIOVASCULAR, 0.08), (Condition.RESPIRATORY, 0.08),
              (Condition.DIABETES, 0.08), (Condition.NEUROLOGICAL, 0.05),
              (Condition.CANCER, 0.03), (Condition.LEARNING_DISABILITY, 0.04),
              (Condition.OTHER, 0.05))


def nhs_numbers(first: int = 999_000_000) -> Iterator[str]:
    """Valid NHS numbers in order from `first` (nine digits), skipping impossible ones."""
    stem = first
    while True:
        digits = f"{stem:09d}"
        check = check_digit(digits)
        if check is not None:
            yield digits + str(check)
        stem += 1


def date_of_birth(rng: random.Random, today: date) -> date:
    low, high, _ = rng.choices(AGES, weights=[w for *_, w in AGES])[0]
    age_days = rng.randint(low * 365 + 1, high * 365 + 300)
    return today - timedelta(days=age_days)


def conditions(rng: random.Random) -> list[str]:
    chosen = [str(c) for c, share in CONDITIONS if rng.random() < share]
    return chosen or [str(Condition.MENTAL_HEALTH)]
