"""The patient's personal data, in its own table only."""

from __future__ import annotations

from dataclasses import dataclass

from workingbetter.domain.communication_needs import CommunicationNeed
from workingbetter.domain.referral import ContactPreference


@dataclass(frozen=True, slots=True)
class PostalAddress:
    lines: tuple[str, ...]
    postcode: str


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """The patient as the practice gave them: personal data, in its own table only."""

    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: str
    contact_preference: ContactPreference
    phone: str | None = None
    email: str | None = None
    address: PostalAddress | None = None
    # The Accessible Information Standard's needs (domain/communication_needs.py).
    communication_needs: tuple[CommunicationNeed, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonalData:
    """A referral's personal-data item: the patient, their conditions, the GP's reason."""

    referral_id: str
    patient: PatientDetails
    health_conditions: tuple[str, ...] = ()
    reason: str = ""

