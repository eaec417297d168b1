"""The code systems and identifiers the FHIR interface speaks, and the small tables that map
them onto the service's own enums. Pure data: no FHIR library, no AWS."""

from __future__ import annotations

from workingbetter.domain.disclosure import ACCEPTED
from workingbetter.domain.referral import Condition, ContactPreference, EmploymentStatus, Status

# NHS England's identifier systems.
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"

SNOMED = "http://snomed.info/sct"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
UK_CONTACT_PREFERENCE = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference"
UK_CONTACT_METHOD = "https://fhir.hl7.org.uk/CodeSystem/UKCore-PreferredContactMethod"

# The service's own code systems and identifiers. A deployment that registers a canonical base
# with its FHIR registry changes it here, in one place.
BASE = "https://working-better.example/fhir"
REFERRAL_ID = f"{BASE}/Id/referral"
REFERRAL_REFERENCE = f"{BASE}/Id/referral-reference"
HEALTH_CONDITION = f"{BASE}/CodeSystem/health-condition"
EMPLOYMENT_STATUS = f"{BASE}/CodeSystem/employment-status"
REFERRAL_STAGE = f"{BASE}/CodeSystem/referral-stage"
EXIT_REASON = f"{BASE}/CodeSystem/exit-reason"
OUTCOME = f"{BASE}/CodeSystem/task-output"
# A disclosure Consent whose provision.code is this says the practice may see the patient's
# communication needs (a question of its own, apart from sharing how they get on).
CONSENT_TO_SHARE = f"{BASE}/CodeSystem/consent-to-share"
NEEDS = "communication-needs"

# SNOMED CT concepts a GP system is likely to send as the reason for referral, by the
# service's condition category. A small table, not a terminology server: any other code (or
# text alone) is 'other', which a coach triages by hand.
SNOMED_CONDITIONS: dict[str, Condition] = {
    "74732009": Condition.MENTAL_HEALTH,  # Mental disorder
    "35489007": Condition.MENTAL_HEALTH,  # Depressive disorder
    "197480006": Condition.MENTAL_HEALTH,  # Anxiety disorder
    "928000": Condition.MUSCULOSKELETAL,  # Disorder of musculoskeletal system
    "279039007": Condition.MUSCULOSKELETAL,  # Low back pain
    "49601007": Condition.CARDIOVASCULAR,  # Disorder of cardiovascular system
    "50043002": Condition.RESPIRATORY,  # Disorder of respiratory system
    "13645005": Condition.RESPIRATORY,  # Chronic obstructive lung disease
    "195967001": Condition.RESPIRATORY,  # Asthma
    "73211009": Condition.DIABETES,  # Diabetes mellitus
    "46635009": Condition.DIABETES,  # Diabetes mellitus type 1
    "44054006": Condition.DIABETES,  # Diabetes mellitus type 2
    "118940003": Condition.NEUROLOGICAL,  # Disorder of nervous system
    "84757009": Condition.NEUROLOGICAL,  # Epilepsy
    "363346000": Condition.CANCER,  # Malignant neoplastic disease
    "110359009": Condition.LEARNING_DISABILITY,  # Intellectual disability
}

SNOMED_UNEMPLOYED = "73438004"  # Unemployed (finding)

# UK Core's PreferredContactMethod codes the service can act on.
UK_CONTACT_METHODS: dict[str, ContactPreference] = {
    "1": ContactPreference.LETTER,
    "3": ContactPreference.PHONE,
    "4": ContactPreference.EMAIL,
}

# ContactPoint.system of the patient's preferred (rank 1) telecom.
TELECOM_PREFERENCES: dict[str, ContactPreference] = {
    "sms": ContactPreference.SMS,
    "phone": ContactPreference.PHONE,
    "email": ContactPreference.EMAIL,
}


def condition_for(system: str | None, code: str | None) -> Condition | None:
    """The category a coding names, or None when the table does not know it."""
    if system == SNOMED and code:
        return SNOMED_CONDITIONS.get(code)
    if system == HEALTH_CONDITION and code in Condition.__members__.values():
        return Condition(str(code))
    return None


def employment_status_for(system: str | None, code: str | None) -> EmploymentStatus | None:
    if system == SNOMED and code == SNOMED_UNEMPLOYED:
        return EmploymentStatus.UNEMPLOYED
    if system == EMPLOYMENT_STATUS and code in EmploymentStatus.__members__.values():
        return EmploymentStatus(str(code))
    return None


# The stage a referral is at, as Task.businessStatus; a practice the patient has not agreed to
# share outcomes with sees 'accepted' from a coach's place until support ends
# (domain/disclosure.py).
STAGE_WORDS: dict[str, str] = {
    Status.RECEIVED: "Referral received",
    Status.TRIAGE: "Being triaged",
    Status.AWAITING_TRIAGE_DECISION: "Waiting for a coach to triage",
    Status.WAITLISTED: "Accepted: waiting for a place",
    Status.ALLOCATED: "Accepted: coach allocated",
    Status.APPOINTMENT_BOOKED: "First appointment booked",
    Status.IN_SUPPORT: "In support",
    Status.IN_WORK: "In work, with in-work support",
    Status.EXITED: "Support ended",
    Status.REJECTED: "Not accepted",
    Status.WITHDRAWN: "Withdrawn",
    ACCEPTED: "Accepted",
}
