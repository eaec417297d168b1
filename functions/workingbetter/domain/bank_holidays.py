"""England and Wales bank holidays, 2020 to 2045, written by
`python -m infra.bank_holidays` from the `holidays` package (country GB, subdivision ENG: Wales
keeps England's list). Do not edit by hand. A holiday that falls at a weekend is listed too,
beside the weekday that stands in for it."""

from __future__ import annotations

from datetime import date

FIRST_YEAR, LAST_YEAR = 2020, 2045
ENGLAND_AND_WALES = frozenset({
    date(2020, 1, 1),  # New Year's Day
    date(2020, 4, 10),  # Good Friday
    date(2020, 4, 13),  # Easter Monday
    date(2020, 5, 8),  # May Day
    date(2020, 5, 25),  # Spring Bank Holiday
    date(2020, 8, 31),  # Late Summer Bank Holiday
    date(2020, 12, 25),  # Christmas Day
    date(2020, 12, 26),  # Boxing Day
    date(2020, 12, 28),  # Boxing Day (observed)
    date(2021, 1, 1),  # New Year's Day
    date(2021, 4, 2),  # Good Friday
    date(2021, 4, 5),  # Easter Monday
    date(2021, 5, 3),  # May Day
    date(2021, 5, 31),  # Spring Bank Holiday
    date(2021, 8, 30),  # Late Summer Bank Holiday
    date(2021, 12, 25),  # Christmas Day
    date(2021, 12, 26),  # Boxing Day
    date(2021, 12, 27),  # Christmas Day (observed)
    date(2021, 12, 28),  # Boxing Day (observed)
    date(2022, 1, 1),  # New Year's Day
    date(2022, 1, 3),  # New Year's Day (observed)
    date(2022, 4, 15),  # Good Friday
    date(2022, 4, 18),  # Easter Monday
    date(2022, 5, 2),  # May Day
    date(2022, 6, 2),  # Spring Bank Holiday
    date(2022, 6, 3),  # Platinum Jubilee of Elizabeth II
    date(2022, 8, 29),  # Late Summer Bank Holiday
    date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
    date(2022, 12, 25),  # Christmas Day
    date(2022, 12, 26),  # Boxing Day
    date(2022, 12, 27),  # Christmas Day (observed)
    date(2023, 1, 1),  # New Year's Day
    date(2023, 1, 2),  # New Year's Day (observed)
    date(2023, 4, 7),  # Good Friday
    date(2023, 4, 10),  # Easter Monday
    date(2023, 5, 1),  # May Day
    date(2023, 5, 8),  # Coronation of Charles III
    date(2023, 5, 29),  # Spring Bank Holiday
    date(2023, 8, 28),  # Late Summer Bank Holiday
    date(2023, 12, 25),  # Christmas Day
    date(2023, 12, 26),  # Boxing Day
    date(2024, 1, 1),  # New Year's Day
    date(2024, 3, 29),  # Good Friday
    date(2024, 4, 1),  # Easter Monday
    date(2024, 5, 6),  # May Day
    date(2024, 5, 27),  # Spring Bank Holiday
    date(2024, 8, 26),  # Late Summer Bank Holiday
    date(2024, 12, 25),  # Christmas Day
    date(2024, 12, 26),  # Boxing Day
    date(2025, 1, 1),  # New Year's Day
    date(2025, 4, 18),  # Good Friday
    date(2025, 4, 21),  # Easter Monday
    date(2025, 5, 5),  # May Day
    date(2025, 5, 26),  # Spring Bank Holiday
    date(2025, 8, 25),  # Late Summer Bank Holiday
    date(2025, 12, 25),  # Christmas Day
    date(2025, 12, 26),  # Boxing Day
    date(2026, 1, 1),  # New Year's Day
    date(2026, 4, 3),  # Good Friday
    date(2026, 4, 6),  # Easter Monday
    date(2026, 5, 4),  # May Day
    date(2026, 5, 25),  # Spring Bank Holiday
    date(2026, 8, 31),  # Late Summer Bank Holiday
    date(2026, 12, 25),  # Christmas Day
    date(2026, 12, 26),  # Boxing Day
    date(2026, 12, 28),  # Boxing Day (observed)
    date(2027, 1, 1),  # New Year's Day
    date(2027, 3, 26),  # Good Friday
    date(2027, 3, 29),  # Easter Monday
    date(2027, 5, 3),  # May Day
    date(2027, 5, 31),  # Spring Bank Holiday
    date(2027, 8, 30),  # Late Summer Bank Holiday
    date(2027, 12, 25),  # Christmas Day
    date(2027, 12, 26),  # Boxing Day
    date(2027, 12, 27),  # Christmas Day (observed)
    date(2027, 12, 28),  # Boxing Day (observed)
    date(2028, 1, 1),  # New Year's Day
    date(2028, 1, 3),  # New Year's Day (observed)
    date(2028, 4, 14),  # Good Friday
    date(2028, 4, 17),  # Easter Monday
    date(2028, 5, 1),  # May Day
    date(2028, 5, 29),  # Spring Bank Holiday
    date(2028, 8, 28),  # Late Summer Bank Holiday
    date(2028, 12, 25),  # Christmas Day
    date(2028, 12, 26),  # Boxing Day
    date(2029, 1, 1),  # New Year's Day
    date(2029, 3, 30),  # Good Friday
    date(2029, 4, 2),  # Easter Monday
    date(2029, 5, 7),  # May Day
    date(2029, 5, 28),  # Spring Bank Holiday
    date(2029, 8, 27),  # Late Summer Bank Holiday
    date(2029, 12, 25),  # Christmas Day
    date(2029, 12, 26),  # Boxing Day
    date(2030, 1, 1),  # New Year's Day
    date(2030, 4, 19),  # Good Friday
    date(2030, 4, 22),  # Easter Monday
    date(2030, 5, 6),  # May Day
    date(2030, 5, 27),  # Spring Bank Holiday
    date(2030, 8, 26),  # Late Summer Bank Holiday
    date(2030, 12, 25),  # Christmas Day
    date(2030, 12, 26),  # Boxing Day
    date(2031, 1, 1),  # New Year's Day
    date(2031, 4, 11),  # Good Friday
    date(2031, 4, 14),  # Easter Monday
    date(2031, 5, 5),  # May Day
    date(2031, 5, 26),  # Spring Bank Holiday
    date(2031, 8, 25),  # Late Summer Bank Holiday
    date(2031, 12, 25),  # Christmas Day
    date(2031, 12, 26),  # Boxing Day
    date(2032, 1, 1),  # New Year's Day
    date(2032, 3, 26),  # Good Friday
    date(2032, 3, 29),  # Easter Monday
    date(2032, 5, 3),  # May Day
    date(2032, 5, 31),  # Spring Bank Holiday
    date(2032, 8, 30),  # Late Summer Bank Holiday
    date(2032, 12, 25),  # Christmas Day
    date(2032, 12, 26),  # Boxing Day
    date(2032, 12, 27),  # Christmas Day (observed)
    date(2032, 12, 28),  # Boxing Day (observed)
    date(2033, 1, 1),  # New Year's Day
    date(2033, 1, 3),  # New Year's Day (observed)
    date(2033, 4, 15),  # Good Friday
    date(2033, 4, 18),  # Easter Monday
    date(2033, 5, 2),  # May Day
    date(2033, 5, 30),  # Spring Bank Holiday
    date(2033, 8, 29),  # Late Summer Bank Holiday
    date(2033, 12, 25),  # Christmas Day
    date(2033, 12, 26),  # Boxing Day
    date(2033, 12, 27),  # Christmas Day (observed)
    date(2034, 1, 1),  # New Year's Day
    date(2034, 1, 2),  # New Year's Day (observed)
    date(2034, 4, 7),  # Good Friday
    date(2034, 4, 10),  # Easter Monday
    date(2034, 5, 1),  # May Day
    date(2034, 5, 29),  # Spring Bank Holiday
    date(2034, 8, 28),  # Late Summer Bank Holiday
    date(2034, 12, 25),  # Christmas Day
    date(2034, 12, 26),  # Boxing Day
    date(2035, 1, 1),  # New Year's Day
    date(2035, 3, 23),  # Good Friday
    date(2035, 3, 26),  # Easter Monday
    date(2035, 5, 7),  # May Day
    date(2035, 5, 28),  # Spring Bank Holiday
    date(2035, 8, 27),  # Late Summer Bank Holiday
    date(2035, 12, 25),  # Christmas Day
    date(2035, 12, 26),  # Boxing Day
    date(2036, 1, 1),  # New Year's Day
    date(2036, 4, 11),  # Good Friday
    date(2036, 4, 14),  # Easter Monday
    date(2036, 5, 5),  # May Day
    date(2036, 5, 26),  # Spring Bank Holiday
    date(2036, 8, 25),  # Late Summer Bank Holiday
    date(2036, 12, 25),  # Christmas Day
    date(2036, 12, 26),  # Boxing Day
    date(2037, 1, 1),  # New Year's Day
    date(2037, 4, 3),  # Good Friday
    date(2037, 4, 6),  # Easter Monday
    date(2037, 5, 4),  # May Day
    date(2037, 5, 25),  # Spring Bank Holiday
    date(2037, 8, 31),  # Late Summer Bank Holiday
    date(2037, 12, 25),  # Christmas Day
    date(2037, 12, 26),  # Boxing Day
    date(2037, 12, 28),  # Boxing Day (observed)
    date(2038, 1, 1),  # New Year's Day
    date(2038, 4, 23),  # Good Friday
    date(2038, 4, 26),  # Easter Monday
    date(2038, 5, 3),  # May Day
    date(2038, 5, 31),  # Spring Bank Holiday
    date(2038, 8, 30),  # Late Summer Bank Holiday
    date(2038, 12, 25),  # Christmas Day
    date(2038, 12, 26),  # Boxing Day
    date(2038, 12, 27),  # Christmas Day (observed)
    date(2038, 12, 28),  # Boxing Day (observed)
    date(2039, 1, 1),  # New Year's Day
    date(2039, 1, 3),  # New Year's Day (observed)
    date(2039, 4, 8),  # Good Friday
    date(2039, 4, 11),  # Easter Monday
    date(2039, 5, 2),  # May Day
    date(2039, 5, 30),  # Spring Bank Holiday
    date(2039, 8, 29),  # Late Summer Bank Holiday
    date(2039, 12, 25),  # Christmas Day
    date(2039, 12, 26),  # Boxing Day
    date(2039, 12, 27),  # Christmas Day (observed)
    date(2040, 1, 1),  # New Year's Day
    date(2040, 1, 2),  # New Year's Day (observed)
    date(2040, 3, 30),  # Good Friday
    date(2040, 4, 2),  # Easter Monday
    date(2040, 5, 7),  # May Day
    date(2040, 5, 28),  # Spring Bank Holiday
    date(2040, 8, 27),  # Late Summer Bank Holiday
    date(2040, 12, 25),  # Christmas Day
    date(2040, 12, 26),  # Boxing Day
    date(2041, 1, 1),  # New Year's Day
    date(2041, 4, 19),  # Good Friday
    date(2041, 4, 22),  # Easter Monday
    date(2041, 5, 6),  # May Day
    date(2041, 5, 27),  # Spring Bank Holiday
    date(2041, 8, 26),  # Late Summer Bank Holiday
    date(2041, 12, 25),  # Christmas Day
    date(2041, 12, 26),  # Boxing Day
    date(2042, 1, 1),  # New Year's Day
    date(2042, 4, 4),  # Good Friday
    date(2042, 4, 7),  # Easter Monday
    date(2042, 5, 5),  # May Day
    date(2042, 5, 26),  # Spring Bank Holiday
    date(2042, 8, 25),  # Late Summer Bank Holiday
    date(2042, 12, 25),  # Christmas Day
    date(2042, 12, 26),  # Boxing Day
    date(2043, 1, 1),  # New Year's Day
    date(2043, 3, 27),  # Good Friday
    date(2043, 3, 30),  # Easter Monday
    date(2043, 5, 4),  # May Day
    date(2043, 5, 25),  # Spring Bank Holiday
    date(2043, 8, 31),  # Late Summer Bank Holiday
    date(2043, 12, 25),  # Christmas Day
    date(2043, 12, 26),  # Boxing Day
    date(2043, 12, 28),  # Boxing Day (observed)
    date(2044, 1, 1),  # New Year's Day
    date(2044, 4, 15),  # Good Friday
    date(2044, 4, 18),  # Easter Monday
    date(2044, 5, 2),  # May Day
    date(2044, 5, 30),  # Spring Bank Holiday
    date(2044, 8, 29),  # Late Summer Bank Holiday
    date(2044, 12, 25),  # Christmas Day
    date(2044, 12, 26),  # Boxing Day
    date(2044, 12, 27),  # Christmas Day (observed)
    date(2045, 1, 1),  # New Year's Day
    date(2045, 1, 2),  # New Year's Day (observed)
    date(2045, 4, 7),  # Good Friday
    date(2045, 4, 10),  # Easter Monday
    date(2045, 5, 1),  # May Day
    date(2045, 5, 29),  # Spring Bank Holiday
    date(2045, 8, 28),  # Late Summer Bank Holiday
    date(2045, 12, 25),  # Christmas Day
    date(2045, 12, 26),  # Boxing Day
})
