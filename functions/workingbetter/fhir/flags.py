"""Communication needs as FHIR Flags, the way NHS England's Reasonable Adjustment Flag carries
them: a Flag per need, category NRAF, coded in SNOMED CT from the flag's value set where the
need has a concept, and always in the service's own code system too (a spoken-language
interpreter and a longer appointment have no single concept). A need's own words (the
language, "something else") are the code's text. Read from a ServiceRequest's contained Flags
and written into the Task's, for a practice the patient agreed may see them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workingbetter.domain.communication_needs import NEEDS, CommunicationNeed, Need
from workingbetter.fhir import codes

Json = dict[str, Any]

RA_FLAG_CATEGORY = "https://fhir.nhs.uk/STU3/CodeSystem/RARecord-FlagCategory-1"
COMMUNICATION_NEED = f"{codes.BASE}/CodeSystem/communication-need"
_BY_SNOMED = {info.snomed: need for need, info in NEEDS.items() if info.snomed}


def need_for(system: str | None, code: str | None) -> Need | None:
    """The need a coding names, or None when neither table knows it."""
    if system == codes.SNOMED:
        return _BY_SNOMED.get(str(code))
    if system == COMMUNICATION_NEED and code in Need.__members__.values():
        return Need(str(code))
    return None


def flag(need: CommunicationNeed, at: int, subject: Json) -> Json:
    info = need.info
    codings = [{"system": codes.SNOMED, "code": info.snomed, "display": info.snomed_display}] \
        if info.snomed else []
    codings.append({"system": COMMUNICATION_NEED, "code": str(need.need), "display": info.words})
    code: Json = {"coding": codings}
    if need.language or need.detail:
        code["text"] = need.language or need.detail
    return {"resourceType": "Flag", "id": f"need-{at + 1}", "status": "active",
            "category": [{"coding": [{"system": RA_FLAG_CATEGORY, "code": "NRAF",
                                      "display": "National Reasonable Adjustments Flag"}]}],
            "code": code, "subject": subject}


def flags(needs: Iterable[CommunicationNeed], subject: Json) -> list[Json]:
    return [flag(need, at, subject) for at, need in enumerate(needs)]
