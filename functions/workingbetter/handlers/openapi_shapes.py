"""The shapes the API's description is made of: what each error status means, the JSON Schemas
of answers and parameters that no pydantic model gives, and an operation as the document
describes it (handlers/openapi.py puts them together)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from workingbetter.domain.channels import FailureReason
from workingbetter.domain.disclosure import ACCEPTED
from workingbetter.domain.referral import Status
from workingbetter.notifications.receipts import STATUSES
from workingbetter.routing.request_body import MAX_BYTES
from workingbetter.services.listing import MAX_LIMIT

# What each error status means here; every one is problem+json.
ERRORS = {
    400: "The body or query cannot be read (JSON nested too deeply; a list's limit, status, "
         "practice or cursor that does not fit; on a FHIR route, not valid FHIR R4)",
    401: "No valid bearer token",
    403: "Your role may not use this route",
    404: "No such record, or one outside your scope (answered alike, so ids cannot be probed)",
    409: "The referral is not in a state to take this now",
    410: "The patient's link has expired or was already used (the page)",
    413: f"The body is over {MAX_BYTES // 1024} KB",
    415: "The body is not of a type this route takes",
    422: "The body has field errors; nothing was written",
    500: "Something went wrong; nothing was changed twice",
}
AUTHENTICATED = (401, 403, 404, 500)
WITH_BODY = (400, 413, 415, 422)

ID = {"type": "string"}
REFERENCE = {"type": ["string", "null"], "pattern": "^WB-[0-9A-Z]{4}-[0-9A-Z]{4}$",
             "description": "The short reference people read out and type, like WB-7KQ4-M2XP"}
REFERRAL_SUMMARY = {"type": "object", "required": ["referral_id", "status"],
                    "properties": {"referral_id": ID, "reference": REFERENCE,
                                   "status": {"type": "string"}}}
STEP_DONE = {"type": "object", "required": ["referral_id", "status", "next"],
             "properties": {"referral_id": ID, "status": {"type": "string"},
                            "next": {"type": "string"}}}
WITHDRAWN = {"type": "object", "required": ["referral_id", "status", "personal_data_erased"],
             "properties": {"referral_id": ID, "status": {"type": "string"},
                            "personal_data_erased": {"type": "boolean"}}}
LIST = {"type": "array", "items": {"type": "object"}}
# What recording something in a coach's case record answers (with the new item's id or values).
SAVED = {"type": "object", "required": ["referral_id"], "properties": {"referral_id": ID}}
ACCESS_REQUEST = {"type": "object", "required": ["referral_id", "request_id", "due_on"],
                  "properties": {"referral_id": ID, "request_id": ID,
                                 "due_on": {"type": "string", "format": "date"}}}
KEYED = ({"name": "Idempotency-Key", "in": "header", "required": False,
          "description": "A repeat with the same key records once",
          "schema": {"type": "string", "minLength": 8, "maxLength": 128}},)
WEEK = ({"name": "week", "in": "query", "required": False,
         "description": "Any day of the week (YYYY-MM-DD, from 2000 to 2999); this week if "
                        "left out",
         "schema": {"type": "string", "format": "date"}},)
DIARY = {"type": "object", "required": ["week", "items"],
         "properties": {"week": {"type": "string"}, "items": LIST}}
CURSOR = {"type": ["string", "null"]}
PAGE = {"type": "object", "required": ["items", "next"],
        "properties": {"items": {"type": "array", "items": REFERRAL_SUMMARY},
                       "next": CURSOR, "previous": CURSOR}}
PAGING = (
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}},
    {"name": "cursor", "in": "query", "required": False,
     "description": "`next` (older referrals) or `previous` (newer) from the last page",
     "schema": {"type": "string"}},
    {"name": "status", "in": "query", "required": False,
     "description": f"{ACCEPTED}: every status from a coach's place until support ends. A "
     "practice filters by what it sees of every referral: without the patient's consent it "
     f"sees those statuses as {ACCEPTED}, so it filters by {ACCEPTED} and not by them (400)",
     "schema": {"type": "string", "enum": [*(str(s) for s in Status), ACCEPTED]}},
    {"name": "practice_ods", "in": "query", "required": False,
     "description": "Only this practice's (a practice outside your scope lists nothing)",
     "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{3,10}$"}},
)
NOTIFICATIONS = {"type": "array", "items": {
    "type": "object",
    "required": ["notification_id", "referral_id", "kind", "channel", "status", "due_at",
                 "sent_at", "receipt_at", "attempts", "failure_reason"],
    "properties": {"notification_id": ID, "referral_id": ID, "kind": {"type": "string"},
                   "channel": {"type": "string"}, "status": {"type": "string"},
                   "due_at": {"type": "string"}, "sent_at": {"type": ["string", "null"]},
                   "receipt_at": {"type": ["string", "null"]}, "attempts": {"type": "integer"},
                   "failure_reason": {"type": ["string", "null"],
                                      "enum": [*(str(r) for r in FailureReason), None]}}}}
RECEIPT = {"type": "object", "required": ["id", "reference", "status"],
           "description": "GOV.UK Notify's delivery receipt: only these fields are read",
           "properties": {"id": {"type": "string"}, "reference": {"type": "string"},
                          "status": {"type": "string", "enum": list(STATUSES)}}}
RECEIPT_RECORDED = {"type": "object",
                    "required": ["referral_id", "notification_id", "status"],
                    "properties": {"referral_id": ID, "notification_id": ID,
                                   "status": {"type": "string"}}}
# A report covers whole months (docs/outcomes.md): a month, or a date standing for its month.
MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$"}
PERIOD = (
    {"name": "from", "in": "query", "required": False, "schema": MONTH,
     "description": "First month of referral, YYYY-MM (default: eleven months before `to`)"},
    {"name": "to", "in": "query", "required": False, "schema": MONTH,
     "description": "Last month of referral, included (default: this month)"},
    {"name": "practice", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "One participating practice's ODS code (default: every practice)"},
)
REPORT = {"type": "object", "required": ["period", "tables"],
          "properties": {"period": {"type": "object"}, "suppression": {"type": "string"},
                         "tables": {"type": "array", "items": {"type": "object"}}}}
FIDELITY = {"type": "object", "required": ["period", "items", "needs_a_person"],
            "properties": {"period": {"type": "object"},
                           "items": {"type": "array", "items": {"type": "object"}},
                           "needs_a_person": {"type": "array", "items": {"type": "string"}}}}
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    ok: int = 200
    result: dict[str, Any] | None = field(default_factory=lambda: {"type": "object"})
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = AUTHENTICATED
    public: bool = False  # no bearer token (the patient's link, this document)
    security: str | None = None  # a scheme other than the service's own bearer token
    parameters: tuple[dict[str, Any], ...] = ()
    pages: tuple[int, ...] = ()  # statuses answered with an HTML page (the patient's form)
    fhir: FhirBody | None = None  # a FHIR route: FHIR JSON in and out, OperationOutcomes
    raw_body: dict[str, Any] | None = None  # a body described here, not by a model


@dataclass(frozen=True)
class FhirBody:
    """A FHIR route's body: a resource (or a JSON Patch), validated by `fhir.resources`
    rather than by a schema here; the document names the resource type only."""

    schema: dict[str, Any] | None
    media: tuple[str, ...] = ("application/fhir+json", "application/json")


FHIR_JSON = "application/fhir+json"


def resource(resource_type: str) -> dict[str, Any]:
    return {"type": "object", "required": ["resourceType"],
            "properties": {"resourceType": {"const": resource_type}}}


OPERATION_OUTCOME = {
    "type": "object", "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["severity", "code"],
            "properties": {"severity": {"type": "string"}, "code": {"type": "string"},
                           "diagnostics": {"type": "string"},
                           "expression": {"type": "array", "items": {"type": "string"}}}}},
    },
}
TASK = {**resource("Task"), "required": ["resourceType", "id", "status", "intent"]}
JSON_PATCH = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["op", "path"],
    "properties": {"op": {"type": "string"}, "path": {"type": "string"}, "value": {}}}}
CHANGE = (*AUTHENTICATED, 409, *WITH_BODY)
INVITATION = {"type": "object", "required": ["email", "name", "role"], "properties": {
    "email": {"type": "string", "format": "email"}, "name": {"type": "string"},
    "role": {"enum": ["referrer", "coach", "ops", "commissioner", "manager"]},
    "practice_ods": {"type": "string", "description": "a referrer's practice"},
    "coach_id": {"type": "string", "description": "a coach's id"}}}
