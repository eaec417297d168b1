"""Every request body is bounded and typed strictly: free text has a length limit and no control
characters, lists have a size limit, a yes/no is a JSON boolean, a name has a visible letter.
Each mistake is named by its field in plain English, never repeating what was typed."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pytest
from pydantic import BaseModel, ValidationError

from tests.conftest import referral_body
from workingbetter.domain import parsing
from workingbetter.domain.errors import FieldError, InvalidInput
from workingbetter.domain.parsing import field_errors
from workingbetter.services.referrals import parse_referral
from workingbetter.services.steps import AppointmentOutcome, Review, Sustainment, TriageDecision
from workingbetter.services.withdrawal import WithdrawRequest


def errors_of(model: type[BaseModel], body: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body)
    return field_errors(raised.value)


def referral_errors(**changes: Any) -> list[FieldError]:
    with pytest.raises(InvalidInput) as raised:
        parse_referral(referral_body(**changes))
    return raised.value.errors


def review(**changes: Any) -> dict[str, Any]:
    return {"decision": "continue", "employer_contacts": 1, **changes}


def job(**changes: Any) -> dict[str, Any]:
    return {"employer": "Acme Ltd", "hours_per_week": 16, "start_date": "2030-01-01",
            **changes}


# -- free text and lists are bounded ------------------------------------------------------------


def test_a_review_with_twenty_goals_of_25000_characters_is_refused() -> None:
    errors = errors_of(Review, review(goals=["g" * 25_000] * 20))
    assert {e.field for e in errors} == {f"goals.{i}" for i in range(20)}
    assert errors[0].message == "Must be 200 characters or fewer"


def test_a_review_with_twenty_goals_of_200_characters_is_accepted() -> None:
    assert len(Review.model_validate(review(goals=["g" * 200] * 20)).goals or []) == 20


def test_a_review_with_twenty_one_goals_is_refused() -> None:
    (error,) = errors_of(Review, review(goals=["a goal"] * 21))
    assert error == FieldError("goals", "Give 20 or fewer")


def test_an_employer_over_200_characters_is_refused() -> None:
    (error,) = errors_of(Review, review(decision="job_start", job=job(employer="e" * 201)))
    assert error == FieldError("job.employer", "Must be 200 characters or fewer")


@pytest.mark.parametrize(("model", "body", "field"), [
    pytest.param(TriageDecision, {"decision": "accept", "reason": "r" * 1001}, "reason",
                 id="triage reason"),
    pytest.param(WithdrawRequest, {"reason": "r" * 1001}, "reason", id="withdrawal reason"),
])
def test_a_reason_over_1000_characters_is_refused(model: type[BaseModel], body: dict[str, Any],
                                                  field: str) -> None:
    assert errors_of(model, body) == [FieldError(field, "Must be 1000 characters or fewer")]


def test_a_triage_reason_of_1000_characters_over_several_lines_is_accepted() -> None:
    reason = ("a line\n\tindented\r\n" * 60)[:1000]
    assert TriageDecision.model_validate({"decision": "accept", "reason": reason})


# -- a yes or no is a JSON boolean --------------------------------------------------------------


@pytest.mark.parametrize("value", [1, "yes", "true", 0, "no"])
def test_consent_must_be_a_json_boolean(value: Any) -> None:
    fields = {e.field for e in referral_errors(consent__referral=value,
                                               consent__share_outcome_with_gp=value)}
    assert fields == {"consent.referral", "consent.share_outcome_with_gp"}


@pytest.mark.parametrize(("model", "body", "field"), [
    pytest.param(WithdrawRequest, {"erase_personal_data": "yes"}, "erase_personal_data",
                 id="erase"),
    pytest.param(WithdrawRequest, {"erase_personal_data": 1}, "erase_personal_data",
                 id="erase as 1"),
    pytest.param(Sustainment, {"still_in_work": "true"}, "still_in_work", id="still in work"),
    pytest.param(Sustainment, {"still_in_work": 0}, "still_in_work", id="still in work as 0"),
])
def test_a_yes_or_no_must_be_a_json_boolean(model: type[BaseModel], body: dict[str, Any],
                                           field: str) -> None:
    assert errors_of(model, body) == [FieldError(field, "Answer true or false")]


# -- names and text a person can read -----------------------------------------------------------


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200b\u200b", "\x00", "Ada\x00",
                                  "A\u202eda", "Ada\nLovelace"])
def test_a_name_with_invisible_or_control_characters_is_refused(name: str) -> None:
    (error,) = referral_errors(patient__given_name=name)
    assert error == FieldError("patient.given_name", "Remove invisible characters (like line "
                                                     "breaks or zero-width spaces)")


@pytest.mark.parametrize("name", ["-", "''", "123", "..."])
def test_a_name_without_a_letter_is_refused(name: str) -> None:
    (error,) = referral_errors(patient__family_name=name)
    assert error == FieldError("patient.family_name", "Enter a name with at least one letter")


@pytest.mark.parametrize("name", ["Zoë", "O'Brien", "Nguyễn", "李", "Jean-Luc", "Ng", "St. John"])
def test_names_from_every_language_are_accepted(name: str) -> None:
    assert parse_referral(referral_body(patient__given_name=name)).patient.given_name == name


@pytest.mark.parametrize("text", ["Needs help\x00", "\x1b[31mred", "bell\x07", "\ud800"])
def test_free_text_with_control_characters_is_refused(text: str) -> None:
    (error,) = referral_errors(reason=text)
    assert error == FieldError("reason", "Remove control characters (invisible characters "
                                         "that cannot be shown)")


def test_a_goal_or_an_employer_must_be_one_line() -> None:
    errors = errors_of(Review, review(decision="job_start", goals=["two\nlines"],
                                      job=job(employer="Acme\nLtd")))
    assert {e.field for e in errors} == {"goals.0", "job.employer"}


def test_an_email_with_a_control_character_is_refused() -> None:
    fields = {e.field for e in referral_errors(patient__contact_preference="email",
                                               patient__email="ada\x00@example.com")}
    assert fields == {"patient.email"}


# -- each choice says what the choices are ------------------------------------------------------


def test_an_unknown_appointment_outcome_names_the_outcomes() -> None:
    assert errors_of(AppointmentOutcome, {"outcome": "late"}) == [
        FieldError("outcome", "Choose attended, did_not_attend or cancelled")]


def test_an_unknown_triage_decision_names_the_decisions() -> None:
    assert errors_of(TriageDecision, {"decision": "maybe", "reason": "r"}) == [
        FieldError("decision", "Choose accept or reject")]


def test_a_referral_not_consented_still_says_the_patient_must_agree() -> None:
    (error,) = referral_errors(consent__referral=False)
    assert error == FieldError("consent.referral", "The patient must agree to the referral")


def test_a_model_may_word_the_message_for_one_of_its_fields() -> None:
    class Booking(BaseModel):
        field_messages: ClassVar[dict[str, str]] = {"slot": "Choose a time in the session"}
        slot: Literal["09:00", "09:45"]
        room: Literal["a", "b"]

    with pytest.raises(InvalidInput) as refused:
        parsing.parse(Booking, {"slot": "noon", "room": "c"}, "The booking has errors")
    assert refused.value.errors == [FieldError("slot", "Choose a time in the session"),
                                    FieldError("room", "Choose a or b")]
