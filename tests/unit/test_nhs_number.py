"""NHS numbers: ten digits whose last is a modulus 11 check digit; typed with spaces or hyphens."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import referral_body
from workingbetter.domain import nhs_number
from workingbetter.domain.nhs_number import check_digit, display, keyed_hash, normalise, problem
from workingbetter.services.referrals import parse_referral

VALID = "4857773457"
KEY = "a-test-key-of-sixteen-plus-chars"

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    first_nine = draw(nine_digits)
    digit = check_digit(first_nine)
    assume(digit is not None)
    return f"{first_nine}{digit}"


# -- modulus 11 ---------------------------------------------------------------------------------


def test_the_nhs_example_number_485_777_3457_is_valid() -> None:
    assert problem("4857773457") is None


def test_485_777_3456_is_refused_because_its_check_digit_does_not_match() -> None:
    message = problem("4857773456")
    assert message is not None
    assert message.startswith("Enter a valid NHS number")
    assert "check digit" not in message  # no jargon: a receptionist reads it


@pytest.mark.parametrize("typed", ["485 777 3457", "485-777-3457", " 485 777 3457 ",
                                   "485  777-3457", "4857773457\n"])
def test_a_number_typed_with_spaces_or_hyphens_is_accepted(typed: str) -> None:
    assert problem(typed) is None
    assert normalise(typed) == VALID


@pytest.mark.parametrize("typed", ["485777345", "48577734570", "", "485 777 345",
                                   "4857773457 1"])
def test_a_number_that_is_not_ten_digits_long_is_refused(typed: str) -> None:
    message = problem(typed)
    assert message is not None
    assert "10 digits" in message


@pytest.mark.parametrize("typed", ["48577734A7", "485777345O", "ABCDEFGHIJ", "485.777.3457",
                                   "+485777345"])
def test_a_number_containing_letters_or_punctuation_is_refused(typed: str) -> None:
    assert problem(typed) is not None


@pytest.mark.parametrize(("first_nine", "expected"), [
    ("485777345", 7),  # the worked example: 485 777 3457
    ("000000000", 0),  # 11 - 0 is 11, written as 0
    ("000000001", 9),  # weight 2: total 2, 11 - 2
    ("100000000", 1),  # weight 10: total 10, 11 - 10
    ("000000006", None),  # weight 2: total 12, 12 % 11 = 1, 11 - 1 = 10: no valid ending
])
def test_the_check_digit_is_11_minus_the_weighted_sum_mod_11(
    first_nine: str, expected: int | None
) -> None:
    assert check_digit(first_nine) == expected


@pytest.mark.parametrize("last", list("0123456789"))
def test_a_number_whose_check_digit_would_be_10_is_never_valid(last: str) -> None:
    assert problem(f"000000006{last}") is not None


@given(nine_digits)
def test_check_digit_is_a_digit_or_none(first_nine: str) -> None:
    digit = check_digit(first_nine)
    assert digit is None or 0 <= digit <= 9


@given(nine_digits)
def test_appending_the_check_digit_always_makes_a_valid_number(first_nine: str) -> None:
    digit = check_digit(first_nine)
    assume(digit is not None)
    assert problem(f"{first_nine}{digit}") is None


@given(valid_numbers(), st.integers(min_value=0, max_value=9), st.integers(min_value=1,
                                                                           max_value=9))
def test_changing_any_single_digit_of_a_valid_number_makes_it_invalid(
    number: str, position: int, shift: int
) -> None:
    changed = str((int(number[position]) + shift) % 10)
    mistyped = number[:position] + changed + number[position + 1:]
    assert problem(mistyped) is not None


@given(valid_numbers(), st.integers(min_value=0, max_value=8))
def test_swapping_two_adjacent_different_digits_makes_a_valid_number_invalid(
    number: str, position: int
) -> None:
    assume(number[position] != number[position + 1])
    swapped = (number[:position] + number[position + 1] + number[position]
               + number[position + 2:])
    assert problem(swapped) is not None


# -- digits mean 0-9 ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["٤٨٥٧٧٧٣٤٥٧", "４８５７７７３４５７"])  # noqa: RUF001
def test_a_number_written_with_non_ascii_digits_is_refused(typed: str) -> None:
    assert problem(typed) is not None


def test_a_number_containing_a_superscript_digit_gets_a_message_not_a_crash() -> None:
    assert problem("485777345²") is not None


# -- shown and hashed ---------------------------------------------------------------------------


def test_a_number_is_shown_3_3_4() -> None:
    assert display("4857773457") == "485 777 3457"
    assert display("485-777-3457") == "485 777 3457"


def test_the_keyed_hash_is_stable_for_the_same_number_and_key() -> None:
    assert keyed_hash(VALID, KEY) == keyed_hash(VALID, KEY)


def test_the_keyed_hash_ignores_how_the_number_was_typed() -> None:
    assert keyed_hash("485 777 3457", KEY) == keyed_hash("485-777-3457", KEY) \
        == keyed_hash(VALID, KEY)


def test_the_keyed_hash_differs_by_key() -> None:
    assert keyed_hash(VALID, KEY) != keyed_hash(VALID, KEY + "-rotated")


def test_different_numbers_have_different_keyed_hashes() -> None:
    assert keyed_hash(VALID, KEY) != keyed_hash("9434765919", KEY)


@given(valid_numbers(), st.text(min_size=16, max_size=64))
def test_the_keyed_hash_never_contains_the_number(number: str, key: str) -> None:
    hashed = keyed_hash(number, key)
    assert number not in hashed
    assert nhs_number.display(number) not in hashed
    assert len(hashed) == 64


@given(valid_numbers())
def test_the_referral_form_accepts_every_valid_number_typed_3_3_4(number: str) -> None:
    typed = display(number)
    assert parse_referral(referral_body(patient__nhs_number=typed)).patient.nhs_number == number
