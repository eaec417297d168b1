"""The API describes itself: an OpenAPI 3.1 document (`GET /openapi.json`) whose request bodies
are the JSON Schemas of the very pydantic models that validate them, so the two cannot drift.
A test checks that every JSON route of the app is here and nothing else is."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from workingbetter.domain.referral import Status
from workingbetter.intake import ReferralRequest
from workingbetter.listing import MAX_LIMIT
from workingbetter.request_body import MAX_BYTES, MAX_DEPTH
from workingbetter.steps import AppointmentOutcome, Review, Sustainment, TriageDecision
from workingbetter.withdrawal import WithdrawRequest

REF = "#/components/schemas/{model}"
MODELS: tuple[type[BaseModel], ...] = (ReferralRequest, TriageDecision, AppointmentOutcome,
                                       Review, Sustainment, WithdrawRequest)

# What each error status means here; every one is problem+json.
ERRORS = {
    400: "The body or query cannot be read (JSON nested too deeply; a list's limit, status, "
         "practice or cursor that does not fit)",
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

_ID = {"type": "string"}
_REFERENCE = {"type": ["string", "null"], "pattern": "^WB-[0-9A-Z]{4}-[0-9A-Z]{4}$",
              "description": "The short reference people read out and type, like WB-7KQ4-M2XP"}
_REFERRAL_SUMMARY = {"type": "object", "required": ["referral_id", "status"],
                     "properties": {"referral_id": _ID, "reference": _REFERENCE,
                                    "status": {"type": "string"}}}
_STEP_DONE = {"type": "object", "required": ["referral_id", "status", "next"],
              "properties": {"referral_id": _ID, "status": {"type": "string"},
                             "next": {"type": "string"}}}
_WITHDRAWN = {"type": "object", "required": ["referral_id", "status", "personal_data_erased"],
              "properties": {"referral_id": _ID, "status": {"type": "string"},
                             "personal_data_erased": {"type": "boolean"}}}
_LIST = {"type": "array", "items": {"type": "object"}}
_CURSOR = {"type": ["string", "null"]}
_PAGE = {"type": "object", "required": ["items", "next"],
         "properties": {"items": {"type": "array", "items": _REFERRAL_SUMMARY},
                        "next": _CURSOR, "previous": _CURSOR}}
_PAGING = (
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}},
    {"name": "cursor", "in": "query", "required": False,
     "description": "`next` (older referrals) or `previous` (newer) from the last page",
     "schema": {"type": "string"}},
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": [str(s) for s in Status]}},
    {"name": "practice_ods", "in": "query", "required": False,
     "description": "Only this practice's (a practice outside your scope lists nothing)",
     "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{3,10}$"}},
)
_NOTIFICATIONS = {"type": "array", "items": {
    "type": "object",
    "required": ["notification_id", "referral_id", "kind", "channel", "status", "due_at",
                 "sent_at", "attempts"],
    "properties": {"notification_id": _ID, "referral_id": _ID, "kind": {"type": "string"},
                   "channel": {"type": "string"}, "status": {"type": "string"},
                   "due_at": {"type": "string"}, "sent_at": {"type": ["string", "null"]},
                   "attempts": {"type": "integer"}}}}
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
    parameters: tuple[dict[str, Any], ...] = ()
    pages: tuple[int, ...] = ()  # statuses answered with an HTML page (the patient's form)


def _step(path: str, summary: str, model: type[BaseModel]) -> Operation:
    return Operation("POST", f"/referrals/{{referral_id}}/{path}", summary, result=_STEP_DONE,
                     body=model, errors=(*AUTHENTICATED, 409, *WITH_BODY))


OPERATIONS = (
    Operation("POST", "/referrals", "Refer a patient (referrer)", 201, _REFERRAL_SUMMARY,
              ReferralRequest, (*AUTHENTICATED, 409, *WITH_BODY), parameters=({
                  "name": "Idempotency-Key", "in": "header", "required": False,
                  "description": "A repeat with the same key returns the same referral",
                  "schema": {"type": "string", "minLength": 8, "maxLength": 128}},)),
    Operation("GET", "/referrals", "The caller's referrals, newest first, a page at a time",
              result=_PAGE, errors=(400, *AUTHENTICATED), parameters=_PAGING),
    Operation("GET", "/referrals/{referral_id}", "One referral, as the caller may see it",
              result={**_REFERRAL_SUMMARY, "type": "object"}),
    Operation("POST", "/referrals/{referral_id}/retry", "Run a failed step again (ops; the "
              "same as resume)", result=_STEP_DONE, errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("POST", "/referrals/{referral_id}/resume", "Pick up a stalled or failed "
              "referral where its run stopped (ops)", result=_STEP_DONE,
              errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("GET", "/referrals/{referral_id}/audit", "Reads of the referral's personal data "
              "(ops)", result=_LIST),
    Operation("GET", "/practices", "Participating practices and their coaches' sessions",
              result=_LIST),
    Operation("GET", "/ops/notifications", "Messages sent or due: no content (ops)",
              result=_NOTIFICATIONS, parameters=({
                  "name": "referral_id", "in": "query", "required": False,
                  "schema": {"type": "string"}},)),
    _step("triage", "Accept or reject a referral rules could not decide (coach)",
          TriageDecision),
    _step("appointment-outcome", "Record the first appointment's outcome (coach)",
          AppointmentOutcome),
    _step("reviews", "Record a review (coach)", Review),
    _step("sustainment", "Record an in-work check (coach)", Sustainment),
    Operation("POST", "/referrals/{referral_id}/withdraw", "Withdraw (referrer or coach)",
              result=_WITHDRAWN, body=WithdrawRequest,
              errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("GET", "/patient/withdraw/{token}", "The patient's leave page (HTML)",
              result=None, errors=(410, 500), public=True, pages=(200, 410, 500)),
    Operation("POST", "/patient/withdraw/{token}", "Leave, from the patient's link: JSON "
              "answers JSON, the page's form answers a page", result=_WITHDRAWN,
              body=WithdrawRequest, errors=(404, 409, 410, 500, *WITH_BODY), public=True,
              pages=(200, 409, 410, 500)),
    Operation("GET", "/openapi.json", "This document", public=True, errors=(500,)),
)


def _content(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {media: {"schema": schema}}


def _response(op: Operation, status: int) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if status == op.ok and op.result is not None:
        content = _content(op.result)
    elif status != op.ok and status != 410:  # 410 is only ever the patient's page
        content = _content({"$ref": "#/components/schemas/Problem"}, "application/problem+json")
    if status in op.pages:
        content["text/html"] = {"schema": {"type": "string"}}
    return {"description": "OK" if status == op.ok else ERRORS[status], "content": content}


def _operation(op: Operation) -> dict[str, Any]:
    responses = {str(s): _response(op, s) for s in (op.ok, *sorted(op.errors))}
    document: dict[str, Any] = {"summary": op.summary, "responses": responses}
    if op.public:
        document["security"] = []
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                   **({"description": "The referral's id, or its short reference however it "
                                      "is typed (case, hyphens, I or L for 1, O for 0)"}
                      if name == "referral_id" else {})}
                  for name in ("referral_id", "token") if f"{{{name}}}" in op.path]
    parameters += op.parameters
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        content = _content({"$ref": REF.format(model=op.body.__name__)})
        if op.pages:  # the patient's page posts its one checkbox as a form
            content["application/x-www-form-urlencoded"] = {"schema": {
                "type": "object", "properties": {"erase": {"type": "string", "enum": ["yes"]}}}}
        document["requestBody"] = {"required": op.body is ReferralRequest, "content": content}
    return document


@cache
def document() -> dict[str, Any]:
    _, definitions = models_json_schema([(m, "validation") for m in MODELS],
                                        ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Working Better",
            "version": "1",
            "description": (
                "Jobs on prescription: voluntary employment coaching in GP surgeries. Errors "
                "are RFC 9457 problem+json with field errors. Bodies are at most "
                f"{MAX_BYTES // 1024} KB and nest at most {MAX_DEPTH} levels."),
        },
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "Cognito when deployed (groups referrer, coach, ops); locally an "
                               "HS256 token with the same claims"}},
            "schemas": {**definitions.get("$defs", {}), "Problem": PROBLEM},
        },
    }
