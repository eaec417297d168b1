"""The referral form's contract: what a practice must send, checked field by field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from workingbetter.domain import nhs_number
from workingbetter.domain.errors import FieldError
from workingbetter.domain.referral import Condition, ContactPreference, EmploymentStatus
from workingbetter.domain.text import CONTROL, Name, Paragraph, unprintable

OdsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]\d{5}$")]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(BaseModel):
    """How to reach the patient: the channel they chose and the detail it needs."""

    model_config = _STRICT

    phone: str | None = None
    email: str | None = None
    contact_preference: ContactPreference

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not (_PHONE.match(value) and sum(c.isdigit() for c in value) >= 10):
            raise ValueError("Enter a UK phone number, like 07700 900 982")
        return value or None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and (len(value) > 254 or not _EMAIL.match(value) or unprintable(value)):
            raise ValueError("Enter an email address, like name@example.com")
        return value or None

    @model_validator(mode="after")
    def _reachable_by_chosen_channel(self) -> Contact:
        missing = unreachable(self.model_dump(mode="json"))
        if missing:
            raise ValueError(f"{missing.field.removeprefix('patient.')}: {missing.message}")
        return self


class Patient(Contact):
    nhs_number: str
    given_name: Name
    family_name: Name
    date_of_birth: date

    @field_validator("nhs_number")
    @classmethod
    def _valid_nhs_number(cls, value: str) -> str:
        problem = nhs_number.problem(value)
        if problem:
            raise ValueError(problem)
        return nhs_number.normalise(value)

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _written_as_a_date(cls, value: object) -> object:
        # Only YYYY-MM-DD: no Unix timestamps, no date-times, no 19800401.
        if isinstance(value, date) or (isinstance(value, str) and _DATE.fullmatch(value)):
            return value
        raise ValueError("Enter a real date as YYYY-MM-DD")

    @field_validator("date_of_birth")
    @classmethod
    def _real_past_date(cls, value: date) -> date:
        if value >= datetime.now(UTC).date():
            raise ValueError("Date of birth must be in the past")
        if value.year < 1900:
            raise ValueError("Date of birth must be after 1900")
        return value


CHANNEL_NEEDS = {ContactPreference.SMS: ("phone", "a mobile number"),
                 ContactPreference.PHONE: ("phone", "a phone number"),
                 ContactPreference.EMAIL: ("email", "an email address")}


def unreachable(patient: Any, within: str = "patient.") -> FieldError | None:
    """The contact detail the chosen channel needs, when it was left out. Also checked on a
    patient with other errors, so that a form shows every error in one round."""
    if not isinstance(patient, dict) or patient.get("contact_preference") not in CHANNEL_NEEDS:
        return None
    field, words = CHANNEL_NEEDS[ContactPreference(patient["contact_preference"])]
    if patient.get(field):
        return None
    return FieldError(f"{within}{field}",
                      f"Enter {words} so we can contact the patient the way they chose")


YES_OR_NO = "Answer true or false"
CONSENT_NEEDED = "The patient must agree to the referral"


def _json_boolean(value: Any) -> Any:
    # A Literal accepts 1 for True (they compare equal); consent must be said in so many words.
    if not isinstance(value, bool):
        raise ValueError(YES_OR_NO)
    return value


class Consent(BaseModel):
    model_config = _STRICT

    referral: Annotated[Literal[True], BeforeValidator(_json_boolean)] = Field(
        description="The patient agreed to be referred: the service is voluntary."
    )
    share_outcome_with_gp: StrictBool


class ReferralRequest(BaseModel):
    model_config = _STRICT

    practice_ods: OdsCode
    patient: Patient
    employment_status: EmploymentStatus
    health_conditions: list[Condition] = Field(min_length=1, max_length=len(Condition))
    consent: Consent
    reason: Paragraph

    @field_validator("health_conditions")
    @classmethod
    def _no_repeats(cls, value: list[Condition]) -> list[Condition]:
        if len(set(value)) != len(value):
            raise ValueError("List each condition once")
        return value


_FRIENDLY = {
    "missing": "This field is required",
    "extra_forbidden": "This field is not part of a referral",
    "date_from_datetime_parsing": "Enter a real date as YYYY-MM-DD",
    "date_parsing": "Enter a real date as YYYY-MM-DD",
    "date_type": "Enter a real date as YYYY-MM-DD",
    "too_short": "Enter at least one",
    "bool_type": YES_OR_NO,
    "string_unicode": CONTROL,  # a lone surrogate, which JSON allows and UTF-8 does not
    "string_pattern_mismatch": "Enter a practice ODS code, like F83004",
}


def choose(options: Iterable[object]) -> str:
    """The message for a value outside a fixed set: the set, in words."""
    *rest, last = [str(o) for o in options]
    return f"Choose {', '.join(rest)} or {last}" if rest else f"Choose {last}"


def _message(item: ErrorDetails) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        # pydantic lists the set as "'a', 'b' or 'c'": the allowed values, never the input.
        expected = str(ctx.get("expected", ""))
        return CONSENT_NEEDED if expected == "True" else "Choose " + expected.replace("'", "")
    if kind == "string_too_long":
        return f"Must be {ctx['max_length']} characters or fewer"
    if kind == "too_long":
        return f"Give {ctx['max_length']} or fewer"
    return _FRIENDLY.get(kind, item["msg"].removeprefix("Value error, "))


def referral_errors(error: ValidationError, body: dict[str, Any],
                    within: str = "patient.") -> list[FieldError]:
    """Every error of a referral (or of a patient's contact details, `within` "") in one
    round: pydantic's, and the chosen channel's missing detail (which pydantic checks only
    once every field is valid)."""
    errors = field_errors(error)
    missing = unreachable(body.get("patient") if within else body, within)
    if missing and all(e.field != missing.field for e in errors):
        errors.append(missing)
    return errors


def field_errors(error: ValidationError) -> list[FieldError]:
    """Pydantic's errors as {field, message}, never echoing what was typed (it may be personal)."""
    result = []
    for item in error.errors(include_input=False, include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        message = _message(item)
        if item["type"] == "value_error" and ": " in message and item["loc"] in (("patient",),
                                                                               ()):
            # A cross-field rule names the field it is about before the colon.
            name, _, message = message.partition(": ")
            loc = ".".join([*map(str, item["loc"]), name])
        result.append(FieldError(field=loc, message=message))
    return result
