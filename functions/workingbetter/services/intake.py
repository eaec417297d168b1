"""The referral form's contract: what a practice must send, checked field by field."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from workingbetter.domain import nhs_number, triage
from workingbetter.domain.communication_needs import (
    DETAIL_NEEDED,
    LANGUAGE_NEEDED,
    NEEDS_DETAIL,
    NEEDS_LANGUAGE,
    CommunicationNeed,
    Need,
)
from workingbetter.domain.errors import FieldError
from workingbetter.domain.parsing import YES_OR_NO
from workingbetter.domain.phone import uk_mobile
from workingbetter.domain.referral import Condition, ContactPreference, EmploymentStatus
from workingbetter.domain.text import EmailAddress, Line, Name, Paragraph, PostalLine

OdsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]\d{5}$")]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")


class PostalAddress(BaseModel):
    """Where letters go (GOV.UK Notify posts them): 2 to 5 lines and a UK postcode."""

    model_config = _STRICT

    lines: list[PostalLine] = Field(min_length=2, max_length=5, description=(
        "The building and street first, then the town; the postcode goes in `postcode`"))
    postcode: str

    @field_validator("postcode")
    @classmethod
    def _uk_postcode(cls, value: str) -> str:
        found = _POSTCODE.match(value.upper())
        if not found:
            raise ValueError("Enter a real UK postcode, like SW1A 1AA")
        return f"{found.group(1)} {found.group(2)}"


class Contact(BaseModel):
    """How to reach the patient: the channel they chose and the detail it needs."""

    model_config = _STRICT

    phone: str | None = None
    email: EmailAddress | None = None
    address: PostalAddress | None = None
    contact_preference: ContactPreference

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not (_PHONE.match(value) and sum(c.isdigit() for c in value) >= 10):
            raise ValueError("Enter a UK phone number, like 07700 900 982")
        return value or None

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email_is_none(cls, value: object) -> object:
        # A form's empty box is no address, not a bad one.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _reachable_by_chosen_channel(self) -> Contact:
        missing = unreachable(self.model_dump(mode="json"), within="")
        if missing:
            raise ValueError(f"{missing.field}: {missing.message}")
        return self

    @classmethod
    def errors_across_fields(cls, body: dict[str, Any]) -> list[FieldError]:
        """The chosen channel's missing detail, even when other fields are wrong (pydantic
        checks it only once every field is valid): a form shows every error in one round."""
        missing = unreachable(body, within="")
        return [missing] if missing else []


NOT_FOR_THIS_NEED = "Leave this out: it is only for {}"


class CommunicationNeedRequest(BaseModel):
    """One need in the Accessible Information Standard's terms (domain/communication_needs.py):
    the language for a spoken-language interpreter, the words for "something else"."""

    model_config = _STRICT

    need: Need
    language: Name | None = Field(default=None, max_length=60, description=(
        "The language a spoken-language interpreter must speak (only with "
        "`language_interpreter`)"))
    detail: Line | None = Field(default=None, description=(
        "What the patient needs, in words (only with `other`)"))

    @field_validator("language", "detail", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # An empty box is no answer: the need then says what it is missing.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _detail_fits_need(self) -> CommunicationNeedRequest:
        if self.need in NEEDS_LANGUAGE and not self.language:
            raise ValueError(f"language: {LANGUAGE_NEEDED}")
        if self.need not in NEEDS_LANGUAGE and self.language:
            raise ValueError("language: " + NOT_FOR_THIS_NEED.format("a spoken language "
                                                                     "interpreter"))
        if self.need in NEEDS_DETAIL and not self.detail:
            raise ValueError(f"detail: {DETAIL_NEEDED}")
        if self.need not in NEEDS_DETAIL and self.detail:
            raise ValueError("detail: " + NOT_FOR_THIS_NEED.format("something else"))
        return self

    def record(self) -> CommunicationNeed:
        return CommunicationNeed(self.need, self.language, self.detail)


def _each_need_once(value: list[CommunicationNeedRequest]) -> list[CommunicationNeedRequest]:
    needs = [n.need for n in value]
    if len(set(needs)) != len(needs):
        raise ValueError("List each need once")
    return value


CommunicationNeeds = Annotated[list[CommunicationNeedRequest],
                               Field(max_length=len(Need), description=(
                                   "The patient's information and communication needs "
                                   "(Accessible Information Standard); none if they have none"
                               )), AfterValidator(_each_need_once)]


class Patient(Contact):
    nhs_number: str
    given_name: Name
    family_name: Name
    date_of_birth: date
    communication_needs: CommunicationNeeds = []

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
        problem = triage.age_problem(value, datetime.now(UTC).date())
        if problem:
            raise ValueError(problem)
        return value


CHANNEL_NEEDS = {ContactPreference.SMS: ("phone", "a mobile number"),
                 ContactPreference.PHONE: ("phone", "a phone number"),
                 ContactPreference.EMAIL: ("email", "an email address"),
                 ContactPreference.LETTER: ("address", "a postal address")}


NOT_A_MOBILE = "Enter a mobile number, like 07700 900 982: text messages go only to a mobile"


def unreachable(patient: Any, within: str = "patient.") -> FieldError | None:
    """The contact detail the chosen channel needs, when it was left out (or, for text
    messages, is no mobile number). Also checked on a patient with other errors, so that a
    form shows every error in one round."""
    if not isinstance(patient, dict) or patient.get("contact_preference") not in CHANNEL_NEEDS:
        return None
    chosen = ContactPreference(patient["contact_preference"])
    field, words = CHANNEL_NEEDS[chosen]
    given = patient.get(field)
    if given and chosen is ContactPreference.SMS and isinstance(given, str) \
            and _PHONE.match(given) and not uk_mobile(given):
        return FieldError(f"{within}{field}", NOT_A_MOBILE)
    if given:
        return None
    return FieldError(f"{within}{field}",
                      f"Enter {words} so we can contact the patient the way they chose")


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
    # Its own question: the Accessible Information Standard shares needs only with consent,
    # and a patient may want the practice to know they need an interpreter without sharing
    # how they are getting on (or the other way round).
    share_needs_with_practice: StrictBool = Field(default=False, description=(
        "The patient agreed that their practice may see their communication needs"))


class ReferralRequest(BaseModel):
    model_config = _STRICT
    field_messages: ClassVar[dict[str, str]] = {"consent.referral": CONSENT_NEEDED,
                                                "practice_ods": "Enter a practice ODS code, "
                                                "like F83004"}

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

    @classmethod
    def errors_across_fields(cls, body: dict[str, Any]) -> list[FieldError]:
        """The patient's missing contact detail, reported with every other mistake at once."""
        missing = unreachable(body.get("patient"))
        return [missing] if missing else []
