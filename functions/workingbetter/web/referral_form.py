"""The referral form as the API's referral body, and the API's field errors as the form's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workingbetter.domain import dates, nhs_number
from workingbetter.domain.referral import Condition, ContactPreference, EmploymentStatus
from workingbetter.web import needs_form
from workingbetter.web.date_input import date_from_parts as date_from_parts  # its old home
from workingbetter.web.http import Form
from workingbetter.web.needs_form import NeedsErrorMap
from workingbetter.web.render import need_words

CONDITIONS = [
    (Condition.MENTAL_HEALTH, "Mental health", "For example depression or anxiety"),
    (Condition.MUSCULOSKELETAL, "Musculoskeletal", "For example back pain or arthritis"),
    (Condition.CARDIOVASCULAR, "Heart or circulation", ""),
    (Condition.RESPIRATORY, "Breathing", "For example COPD or asthma"),
    (Condition.DIABETES, "Diabetes", ""),
    (Condition.NEUROLOGICAL, "Neurological", "For example epilepsy or MS"),
    (Condition.CANCER, "Cancer", ""),
    (Condition.LEARNING_DISABILITY, "Learning disability", ""),
    (Condition.OTHER, "Another long-term condition", "A coach will check the referral"),
]
CONTACT = [
    (ContactPreference.SMS, "Text message", "We need a mobile number"),
    (ContactPreference.PHONE, "Phone call", "We need a phone number"),
    (ContactPreference.EMAIL, "Email", "We need an email address"),
    (ContactPreference.LETTER, "Letter", "We need a postal address"),
]
EMPLOYMENT = [
    (EmploymentStatus.UNEMPLOYED, "Unemployed", "Out of work and looking for work"),
    (EmploymentStatus.ECONOMICALLY_INACTIVE, "Not working and not looking for work",
     "For example because of their health"),
]
DATE_MESSAGE = "Enter a real date as YYYY-MM-DD"

ERRORS = NeedsErrorMap(
    anchors={
        "practice_ods": "referral-form",
        "patient.nhs_number": "nhs-number",
        "patient.given_name": "given-name",
        "patient.family_name": "family-name",
        "patient.date_of_birth": "dob-day",
        "employment_status": "employment-status",
        "health_conditions": "conditions",
        "patient.contact_preference": "contact-preference",
        "patient.phone": "phone",
        "patient.email": "email",
        "patient.address": "address-line-1",
        "patient.address.lines": "address-line-1",
        "patient.address.postcode": "address-postcode",
        **needs_form.error_map("needs", within="patient.").anchors,
        "consent.share_needs_with_practice": "consent-needs",
        "reason": "reason",
        "consent.referral": "consent-referral",
        "consent.share_outcome_with_gp": "consent-referral",
    },
    required={
        "patient.nhs_number": "Enter the patient's NHS number",
        "patient.given_name": "Enter the patient's first name",
        "patient.family_name": "Enter the patient's last name",
        "patient.date_of_birth": "Enter the patient's date of birth",
        "employment_status": "Select whether the patient is looking for work",
        "health_conditions": "Select at least one long-term health condition",
        "patient.contact_preference": "Select how the patient would like to be contacted",
        "reason": "Enter why you are referring the patient",
    },
    reworded={
        "patient.date_of_birth": {
            DATE_MESSAGE: "Date of birth must be a real date, like 31 3 1980"},
        "health_conditions": {
            "Enter at least one": "Select at least one long-term health condition"},
        "consent.referral": {"The patient must agree to the referral":
                             "Confirm the patient agrees to be referred"},
        "patient.address.lines": {"Give at least 2": "Enter the building and street, and the "
                                                     "town or city"},
    },
    fallback="referral-form",
)


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    """Leave empty answers out: the API then names the missing field."""
    if value not in (None, "", []):
        target[name] = value


def address_from(form: Form) -> dict[str, Any] | None:
    """The address inputs as the API's address; None when all are empty."""
    lines = [form.get(name) for name in ("address_line_1", "address_line_2", "address_town")]
    postcode = form.get("address_postcode")
    if not (any(lines) or postcode):
        return None
    return {"lines": [line for line in lines if line], "postcode": postcode}


def referral_body(form: Form, practice_ods: str | None) -> dict[str, Any]:
    patient: dict[str, Any] = {}
    for name in ("nhs_number", "given_name", "family_name", "phone", "email",
                 "contact_preference"):
        _set(patient, name, form.get(name))
    _set(patient, "date_of_birth",
         date_from_parts(form.get("dob_day"), form.get("dob_month"), form.get("dob_year")))
    _set(patient, "address", address_from(form))
    _set(patient, "communication_needs", needs_form.answers(form))
    body: dict[str, Any] = {
        "practice_ods": practice_ods or "",
        "patient": patient,
        "consent": {"referral": form.get("consent_referral") == "yes",
                    "share_outcome_with_gp": form.get("consent_share") == "yes",
                    "share_needs_with_practice": form.get("consent_needs") == "yes"},
    }
    _set(body, "employment_status", form.get("employment_status"))
    _set(body, "health_conditions", form.all("conditions"))
    _set(body, "reason", form.get("reason"))
    return body


@dataclass(frozen=True)
class Answer:
    """A row of "check your answers": what was asked, what was answered, and the input its
    Change button goes back to."""

    question: str
    answer: list[str]
    field: str


def _label(choices: list[tuple[Any, str, str]], value: str) -> str:
    return next((label for code, label, _ in choices if str(code) == value), value)


def _typed_date(form: Form) -> str:
    day, month, year = (form.get(f"dob_{p}") for p in ("day", "month", "year"))
    try:
        return dates.day(date(int(year), int(month), int(day)))
    except ValueError:
        return f"{day} {month} {year}"


def answers(form: Form) -> list[Answer]:
    """The answers as the person gave them, in the form's order, for checking before they
    are sent (only a form the service has checked is shown this way)."""
    address = address_from(form)
    consent = "Yes" if form.get("consent_referral") == "yes" else "No"
    share = "Yes" if form.get("consent_share") == "yes" else "No"
    return [
        Answer("NHS number", [nhs_number.display(form.get("nhs_number"))], "nhs-number"),
        Answer("Name", [f"{form.get('given_name')} {form.get('family_name')}"], "given-name"),
        Answer("Date of birth", [_typed_date(form)], "dob-day"),
        Answer("Looking for work", [_label(EMPLOYMENT, form.get("employment_status"))],
               "employment-status"),
        Answer("Long-term health conditions",
               [_label(CONDITIONS, c) for c in form.all("conditions")], "conditions"),
        Answer("How to contact them", [_label(CONTACT, form.get("contact_preference"))],
               "contact-preference"),
        Answer("Phone number", [form.get("phone") or "Not given"], "phone"),
        Answer("Email address", [form.get("email") or "Not given"], "email"),
        Answer("Postal address", [*address["lines"], address["postcode"]] if address
               else ["Not given"], "address-line-1"),
        Answer("Communication needs", [need_words(n) for n in needs_form.answers(form)]
               or ["None"], "needs"),
        Answer("The practice can see their communication needs",
               ["Yes" if form.get("consent_needs") == "yes" else "No"], "consent-needs"),
        Answer("Why you are referring them", [form.get("reason")], "reason"),
        Answer("The patient agrees to be referred", [consent], "consent-referral"),
        Answer("The practice is told how the support ends", [share], "consent-share"),
    ]


# What the check-your-answers page sends on besides the answers: never carried twice.
NOT_ANSWERS = frozenset({"nonce", "csrf", "confirmed", "change"})


def carried(form: Form) -> list[tuple[str, str]]:
    """The answers as hidden inputs (name, value), every value of a repeated name kept."""
    return [(name, value) for name, values in form.values.items() if name not in NOT_ANSWERS
            for value in values]
