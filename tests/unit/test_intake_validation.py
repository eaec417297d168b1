"""The referral form: each mistake is named by its field, and no message repeats what was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import DELETE, referral_body
from workingbetter.domain.errors import FieldError, InvalidInput
from workingbetter.domain.referral import Condition, ContactPreference, EmploymentStatus
from workingbetter.services.referrals import parse_referral


def errors_for(body: Any) -> list[FieldError]:
    with pytest.raises(InvalidInput) as raised:
        parse_referral(body)
    assert raised.value.errors, "an InvalidInput must say which fields are wrong"
    return raised.value.errors


def fields_for(body: Any) -> set[str]:
    return {e.field for e in errors_for(body)}


def tomorrow() -> str:
    return (datetime.now(UTC).date() + timedelta(days=1)).isoformat()


# -- a good referral ----------------------------------------------------------------------------


def test_a_valid_referral_is_accepted_and_its_nhs_number_normalised() -> None:
    request = parse_referral(referral_body())
    assert request.patient.nhs_number == "4857773457"
    assert request.practice_ods == "F83001"
    assert request.employment_status is EmploymentStatus.UNEMPLOYED
    assert request.health_conditions == [Condition.MENTAL_HEALTH]
    assert request.patient.contact_preference is ContactPreference.SMS
    assert request.consent.referral is True


def test_a_hyphenated_nhs_number_is_normalised_too() -> None:
    request = parse_referral(referral_body(patient__nhs_number="485-777-3457"))
    assert request.patient.nhs_number == "4857773457"


LETTER_ADDRESS = {"lines": ["1 Upper Street", "London"], "postcode": "n1 0pn"}


def test_a_letter_preference_needs_a_postal_address_but_neither_phone_nor_email() -> None:
    body = referral_body(patient__contact_preference="letter", patient__phone=DELETE,
                         patient__address=LETTER_ADDRESS)
    patient = parse_referral(body).patient
    assert patient.contact_preference is ContactPreference.LETTER
    assert patient.address is not None
    assert patient.address.postcode == "N1 0PN"  # as Royal Mail writes it


def test_a_letter_preference_without_an_address_is_refused_against_the_address() -> None:
    body = referral_body(patient__contact_preference="letter", patient__phone=DELETE)
    assert errors_for(body) == [FieldError(
        "patient.address",
        "Enter a postal address so we can contact the patient the way they chose")]


@pytest.mark.parametrize(("address", "field"), [
    ({"lines": ["1 Upper Street"], "postcode": "N1 0PN"}, "patient.address.lines"),
    ({"lines": ["1 Upper Street", "London"], "postcode": "not a postcode"},
     "patient.address.postcode"),
    ({"lines": ["1 Upper Street", "Lon\x00don"], "postcode": "N1 0PN"},
     "patient.address.lines.1"),
    ({"lines": ["1 Upper Street", "x" * 81], "postcode": "N1 0PN"}, "patient.address.lines.1"),
])
def test_a_postal_address_needs_two_lines_and_a_real_uk_postcode(
        address: dict[str, Any], field: str) -> None:
    body = referral_body(patient__contact_preference="letter", patient__address=address)
    assert fields_for(body) == {field}


def test_an_email_preference_with_an_email_is_accepted() -> None:
    body = referral_body(patient__contact_preference="email", patient__email="ada@example.com")
    assert parse_referral(body).patient.email == "ada@example.com"


def test_a_reason_of_exactly_1000_characters_is_accepted() -> None:
    assert len(parse_referral(referral_body(reason="r" * 1000)).reason) == 1000


def test_every_listed_condition_at_once_is_accepted() -> None:
    everything = [str(c) for c in Condition]
    assert len(parse_referral(referral_body(health_conditions=everything)).health_conditions) \
        == len(Condition)


# -- each mistake names its field ---------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    pytest.param({"patient__nhs_number": "485 777 3456"}, "patient.nhs_number",
                 id="nhs number with a wrong check digit"),
    pytest.param({"patient__nhs_number": "48577734"}, "patient.nhs_number",
                 id="nhs number too short"),
    pytest.param({"patient__date_of_birth": "1980-02-30"}, "patient.date_of_birth",
                 id="date of birth that does not exist"),
    pytest.param({"patient__date_of_birth": "01/04/1980"}, "patient.date_of_birth",
                 id="date of birth not as YYYY-MM-DD"),
    pytest.param({"patient__date_of_birth": "1899-12-31"}, "patient.date_of_birth",
                 id="date of birth before 1900"),
    pytest.param({"colour": "blue"}, "colour", id="unknown top-level field"),
    pytest.param({"patient__shoe_size": 9}, "patient.shoe_size", id="unknown patient field"),
    pytest.param({"consent__referral": False}, "consent.referral", id="referral not consented"),
    pytest.param({"consent__referral": DELETE}, "consent.referral", id="consent missing"),
    pytest.param({"health_conditions": []}, "health_conditions", id="no conditions"),
    pytest.param({"health_conditions": ["diabetes", "diabetes"]}, "health_conditions",
                 id="a condition listed twice"),
    pytest.param({"reason": "r" * 1001}, "reason", id="reason over 1000 characters"),
    pytest.param({"reason": ""}, "reason", id="empty reason"),
    pytest.param({"practice_ods": "f83001"}, "practice_ods", id="lower-case ODS code"),
    pytest.param({"practice_ods": "F8300"}, "practice_ods", id="ODS code too short"),
    pytest.param({"practice_ods": "83001F"}, "practice_ods", id="ODS code back to front"),
    pytest.param({"employment_status": "employed"}, "employment_status",
                 id="in work already"),
    pytest.param({"patient__contact_preference": "pigeon"}, "patient.contact_preference",
                 id="unknown contact preference"),
    pytest.param({"patient__given_name": " "}, "patient.given_name", id="blank given name"),
    pytest.param({"patient__family_name": DELETE}, "patient.family_name",
                 id="family name missing"),
    pytest.param({"patient__phone": "phone me"}, "patient.phone", id="phone not a number"),
    pytest.param({"patient__email": "ada.example.com"}, "patient.email",
                 id="email without an at sign"),
    pytest.param({"patient__contact_preference": "sms", "patient__phone": DELETE},
                 "patient.phone", id="sms preference without a phone"),
    pytest.param({"patient__contact_preference": "phone", "patient__phone": DELETE},
                 "patient.phone", id="phone preference without a phone"),
    pytest.param({"patient__contact_preference": "email"}, "patient.email",
                 id="email preference without an email"),
])
def test_a_mistake_in_the_form_is_reported_against_its_field(
    changes: dict[str, Any], field: str
) -> None:
    assert fields_for(referral_body(**changes)) == {field}


def years_ago(years: int, days: int = 0) -> str:
    today = datetime.now(UTC).date()
    return (today.replace(year=today.year - years) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize("born", [
    pytest.param("1950-01-01", id="aged 76"),
    pytest.param(years_ago(67), id="67 today"),
    pytest.param(years_ago(16, days=1), id="16 tomorrow"),
])
def test_a_patient_outside_the_age_range_is_refused_at_intake_naming_the_date_of_birth(
        born: str) -> None:
    (error,) = errors_for(referral_body(patient__date_of_birth=born))
    assert error.field == "patient.date_of_birth"
    assert error.message.startswith("Working Better is for people aged 16 to 66")
    assert born not in error.message


@pytest.mark.parametrize("born", [years_ago(16), years_ago(67, days=1)])
def test_a_patient_at_either_end_of_the_age_range_is_taken(born: str) -> None:
    assert str(parse_referral(referral_body(patient__date_of_birth=born)).patient
               .date_of_birth) == born


def test_the_age_rule_is_reported_in_the_same_round_as_every_other_mistake() -> None:
    fields = fields_for(referral_body(patient__date_of_birth="1950-01-01",
                                      patient__nhs_number="485 777 3456", reason="",
                                      employment_status="employed"))
    assert fields == {"patient.date_of_birth", "patient.nhs_number", "reason",
                      "employment_status"}


def test_a_date_of_birth_in_the_future_is_refused() -> None:
    errors = errors_for(referral_body(patient__date_of_birth=tomorrow()))
    assert [e.field for e in errors] == ["patient.date_of_birth"]
    assert "past" in errors[0].message


def test_an_unknown_condition_is_reported_against_health_conditions() -> None:
    fields = fields_for(referral_body(health_conditions=["mental_health", "gout"]))
    assert len(fields) == 1
    (field,) = fields
    assert field.startswith("health_conditions")


def test_a_missing_consent_to_refer_says_the_patient_must_agree() -> None:
    (error,) = errors_for(referral_body(consent__referral=False))
    assert "agree" in error.message


def test_several_mistakes_are_all_reported_at_once() -> None:
    body = referral_body(practice_ods="nope", reason="", health_conditions=[],
                         patient__nhs_number="123")
    assert fields_for(body) >= {"practice_ods", "reason", "health_conditions",
                                "patient.nhs_number"}


@pytest.mark.parametrize("body", [None, [], "a referral", 42])
def test_a_body_that_is_not_a_json_object_is_refused(body: Any) -> None:
    assert fields_for(body) == {"body"}


# -- what was typed is never repeated -----------------------------------------------------------

TYPED = {
    "practice_ods": "ZEBEDEE1",
    "patient": {
        "nhs_number": "9999999990",
        "given_name": "Zebedee" * 150,
        "family_name": "Quixotically" * 20,
        "date_of_birth": "Florentine-1980",
        "phone": "Zanzibar-phone",
        "email": "xylophone@@",
        "contact_preference": "carrierpigeon",
        "favourite_colour": "Vermilion",
    },
    "employment_status": "juggling",
    "health_conditions": ["Hypochondria", "Hypochondria"],
    "consent": {"referral": "Kumquat", "share_outcome_with_gp": "Marmalade"},
    "reason": "Wibblewobble" * 100,
    "mood": "Persnickety",
}
DISTINCTIVE = ["ZEBEDEE1", "9999999990", "999 999 9990", "Zebedee", "Quixotically",
               "Florentine", "Zanzibar", "xylophone", "carrierpigeon", "Vermilion", "juggling",
               "Hypochondria", "Kumquat", "Marmalade", "Wibblewobble", "Persnickety"]


def assert_nothing_typed_is_repeated(error: InvalidInput) -> None:
    said = [error.detail, str(error)] + [e.message for e in error.errors]
    for text in said:
        for typed in DISTINCTIVE:
            assert typed.lower() not in text.lower(), f"{typed!r} echoed in {text!r}"


def test_no_error_message_repeats_what_was_typed() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_referral(TYPED)
    assert len(raised.value.errors) >= 8
    assert_nothing_typed_is_repeated(raised.value)


@pytest.mark.parametrize("changes", [
    {"patient__given_name": "Zebedee" * 150},
    {"patient__family_name": "Quixotically" * 20},
    {"patient__nhs_number": "9999999990"},
    {"patient__nhs_number": "Zebedee"},
    {"patient__nhs_number": "999 999 9990"},
    {"patient__date_of_birth": "Florentine-1980"},
    {"patient__phone": "Zanzibar-phone"},
    {"patient__email": "xylophone@@"},
    {"patient__contact_preference": "carrierpigeon"},
    {"employment_status": "juggling"},
    {"health_conditions": ["Hypochondria"]},
    {"consent__referral": "Kumquat"},
    {"consent__share_outcome_with_gp": "Marmalade"},
    {"reason": "Wibblewobble" * 100},
    {"practice_ods": "ZEBEDEE1"},
    {"patient": "Zebedee"},
    {"patient__nhs_number": "485777345²"},
], ids=lambda changes: ",".join(changes))
def test_no_error_message_repeats_a_single_wrong_value(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_referral(referral_body(**changes))
    assert_nothing_typed_is_repeated(raised.value)
    for error in raised.value.errors:
        assert "²" not in error.message


# -- input that once slipped through ------------------------------------------------------------


@pytest.mark.parametrize("phone", ["----------", "(((((())))))", "( ) - ( ) - ( )"])
def test_a_phone_number_without_digits_is_refused(phone: str) -> None:
    assert fields_for(referral_body(patient__phone=phone)) == {"patient.phone"}


@pytest.mark.parametrize("date_of_birth", [315532800, 19800401, "1980-01-01T00:00:00"])
def test_a_date_of_birth_must_be_written_as_yyyy_mm_dd(date_of_birth: Any) -> None:
    (error,) = errors_for(referral_body(patient__date_of_birth=date_of_birth))
    assert error.field == "patient.date_of_birth"
    assert error.message == "Enter a real date as YYYY-MM-DD"


def test_the_missing_email_message_reads_as_english() -> None:
    (error,) = errors_for(referral_body(patient__contact_preference="email"))
    assert error.message.startswith("Enter an email")


def test_a_missing_contact_detail_is_reported_with_every_other_mistake_at_once() -> None:
    # Without this, the form would need a second round: first the NHS number, then the phone.
    body = referral_body(patient__nhs_number="485 777 3456", patient__contact_preference="sms",
                         patient__phone=DELETE)
    errors = errors_for(body)
    assert {e.field for e in errors} == {"patient.nhs_number", "patient.phone"}
    assert [e.message for e in errors if e.field == "patient.phone"] == \
        ["Enter a mobile number so we can contact the patient the way they chose"]


def test_a_mistyped_phone_is_reported_once_whatever_the_channel() -> None:
    errors = errors_for(referral_body(patient__nhs_number="485 777 3456",
                                      patient__contact_preference="sms", patient__phone="12"))
    assert [e.field for e in errors].count("patient.phone") == 1
