"""Errors as FHIR OperationOutcomes: the FHIR routes' problem+json.

The same domain errors as the JSON API, with the same statuses (problems.STATUS); each field
error is an issue whose expression is the FHIRPath of the element at fault. Messages are the
service's own words and never repeat what was sent.
"""

from __future__ import annotations

import re
from typing import Any

from workingbetter.domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)
from workingbetter.routing.problems import status_of

CONTENT_TYPE = "application/fhir+json"

# OperationOutcome.issue.code (http://hl7.org/fhir/issue-type) for each kind of refusal.
ISSUE_TYPE: dict[type[DomainError], str] = {
    BadRequest: "structure",
    Unauthenticated: "login",
    Forbidden: "forbidden",
    NotFound: "not-found",
    MethodNotAllowed: "not-supported",
    Conflict: "conflict",
    TooLarge: "too-costly",
    UnsupportedMediaType: "not-supported",
    InvalidInput: "business-rule",
}
# A FHIRPath into a resource: ServiceRequest.contained[0].birthDate. Anything else a field
# error names (a header, "body") is said in the diagnostics only.
_FHIRPATH = re.compile(r"^[A-Z][A-Za-z]*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?)*$")


def issue(severity: str, code: str, diagnostics: str,
          expression: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        found["expression"] = [expression]
    return found


def _issue_for(code: str, error: FieldError) -> dict[str, Any]:
    if _FHIRPATH.match(error.field):
        return issue("error", code, error.message, error.field)
    return issue("error", code, f"{error.field}: {error.message}")


def from_error(error: DomainError) -> tuple[int, dict[str, Any]]:
    status = status_of(error)
    code = ISSUE_TYPE.get(type(error), "processing")
    issues = [_issue_for(code, e) for e in error.errors]
    # The summary first, then one issue per element at fault.
    issues.insert(0, issue("error", code, error.detail))
    return status, outcome(issues)


def failure() -> dict[str, Any]:
    return outcome([issue("fatal", "exception",
                          "Something went wrong: the request was not completed and nothing "
                          "was changed twice. Try again, or tell the service desk.")])


def outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": issues}
