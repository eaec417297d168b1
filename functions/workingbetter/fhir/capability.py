"""`GET /fhir/metadata`: what this FHIR server does, as a CapabilityStatement. Public, like
`/openapi.json`: it describes the interface and holds no data."""

from __future__ import annotations

from functools import cache
from typing import Any

from workingbetter.fhir import codes

FORMATS = ["application/fhir+json", "application/json"]


@cache
def statement() -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-23",
        "publisher": "Working Better",
        "kind": "instance",
        "software": {"name": "Working Better"},
        "implementation": {"description": "Working Better: jobs on prescription. GP systems "
                                          "refer with a ServiceRequest and follow the referral "
                                          "as a Task."},
        "fhirVersion": "4.0.1",
        "format": FORMATS,
        "patchFormat": ["application/json-patch+json"],
        "rest": [{
            "mode": "server",
            "documentation": (
                "Bearer token of a referrer at the practice the ServiceRequest names (Cognito "
                "when deployed). Errors are OperationOutcomes; nothing personal is repeated in "
                "them. Resources are validated as FHIR R4 (R4B models)."),
            "security": {"service": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                "code": "OAuth", "display": "OAuth"}]}],
                "description": "Authorization: Bearer <token>"},
            "resource": [
                {"type": "ServiceRequest",
                 "documentation": (
                     "Create only: a referral with a contained Patient (NHS number "
                     f"{codes.NHS_NUMBER}), a contained Consent, reasons (SNOMED CT) and the "
                     f"requester's ODS code ({codes.ODS_CODE}). The identifier makes a resend "
                     "the same referral. Answers 201 with the Task."),
                 "interaction": [{"code": "create"}]},
                {"type": "Task",
                 "documentation": (
                     "The referral's progress (id = the referral id). Cancel it (status "
                     "cancelled, by PUT or by JSON Patch on /status) to withdraw the referral."),
                 "interaction": [{"code": "read"}, {"code": "update"}, {"code": "patch"}],
                 "updateCreate": False},
            ],
        }],
    }
