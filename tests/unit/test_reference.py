"""Short references: WB- and eight Crockford base-32 symbols, the last a mod-37 check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workingbetter.domain import reference
from workingbetter.domain.reference import ALPHABET, check_symbol, normalise


def test_a_new_reference_reads_as_wb_and_two_groups_of_four() -> None:
    made = reference.new()
    assert len(made) == 12
    assert made[:3] == "WB-"
    assert made[7] == "-"
    assert all(c in ALPHABET for c in made[3:7] + made[8:])
    assert normalise(made) == made


def test_references_are_random_not_sequential() -> None:
    assert len({reference.new() for _ in range(200)}) == 200


def test_the_check_symbol_is_crockfords_modulus_37() -> None:
    # 0000001 is worth 1; 000000Z is 31; 0000010 is 32; 0000011 is 33, whose check is "~".
    assert check_symbol("0000001") == "1"
    assert check_symbol("000000Z") == "Z"
    assert check_symbol("0000010") == "*"
    assert check_symbol("0000011") == "~"


@given(st.text(alphabet=ALPHABET, min_size=7, max_size=7))
def test_any_valid_reference_survives_how_people_type_it(body: str) -> None:
    check = check_symbol(body)
    if check not in ALPHABET:
        return
    shown = reference.display(body + check)
    assert normalise(shown.lower()) == shown
    assert normalise(shown.replace("-", " ")) == shown
    assert normalise(shown.removeprefix("WB-")) == shown
    assert normalise(shown.replace("1", "l").replace("0", "O")) == shown


@given(st.text(alphabet=ALPHABET, min_size=7, max_size=7), st.integers(0, 7),
       st.sampled_from(ALPHABET))
def test_one_mistyped_symbol_is_never_another_reference(body: str, at: int, typo: str) -> None:
    code = body + check_symbol(body)
    wrong = code[:at] + typo + code[at + 1:]
    if wrong != code and code[-1] in ALPHABET:
        assert normalise(wrong) is None


@given(st.text(alphabet=ALPHABET, min_size=7, max_size=7), st.integers(0, 6))
def test_two_neighbours_swapped_are_never_another_reference(body: str, at: int) -> None:
    code = body + check_symbol(body)
    swapped = code[:at] + code[at + 1] + code[at] + code[at + 2:]
    if swapped != code and code[-1] in ALPHABET:
        assert normalise(swapped) is None


@pytest.mark.parametrize("typed", ["", "WB-", "0e4f9a7c-1d2b-4c3a-9e8f-0a1b2c3d4e5f",
                                   "WB-7KQ4-M2X", "WB-7KQ4-M2XPP", "WB-UUUU-UUUU", "x" * 100])
def test_what_is_not_a_reference_is_none(typed: str) -> None:
    assert normalise(typed) is None
