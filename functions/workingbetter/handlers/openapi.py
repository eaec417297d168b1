"""The API describes itself: an OpenAPI 3.1 document (`GET /openapi.json`) whose request bodies
are the JSON Schemas of the very pydantic models that validate them, so the two cannot drift.
A test checks that every JSON route of the app is here and nothing else is. The shapes it is
made of are in openapi_shapes.py, the service manager's operations in openapi_manage.py."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from workingbetter.domain.human_steps import RECORDED, Answer
from workingbetter.handlers.openapi_manage import (
    ABSENCE_OPERATIONS,
    COACH_OPERATIONS,
    PRACTICE_OPERATIONS,
)
from workingbetter.handlers.openapi_shapes import (
    ACCESS_REQUEST,
    AUTHENTICATED,
    CHANGE,
    DIARY,
    ERRORS,
    FHIR_JSON,
    FIDELITY,
    INVITATION,
    JSON_PATCH,
    KEYED,
    LIST,
    NOTIFICATIONS,
    OPERATION_OUTCOME,
    PAGE,
    PAGING,
    PERIOD,
    PROBLEM,
    RECEIPT,
    RECEIPT_RECORDED,
    REFERRAL_SUMMARY,
    REPORT,
    SAVED,
    STEP_DONE,
    TASK,
    WEEK,
    WITH_BODY,
    WITHDRAWN,
    FhirBody,
    Operation,
    resource,
)
from workingbetter.routing.request_body import MAX_BYTES, MAX_DEPTH
from workingbetter.services.case_record import (
    BenefitsAdvice,
    EmployerContact,
    Note,
    NoteEdit,
    Profile,
)
from workingbetter.services.follow_ups import FollowUpBooking, FollowUpOutcome
from workingbetter.services.intake import ReferralRequest
from workingbetter.services.subject_access import RecordedRequest
from workingbetter.services.withdrawal import WithdrawRequest

REF = "#/components/schemas/{model}"
STEP_ANSWERS = tuple(s.answer for s in RECORDED if s.answer is not None)
MODELS: tuple[type[BaseModel], ...] = (ReferralRequest, *(a.model() for a in STEP_ANSWERS),
                                       WithdrawRequest, Profile, EmployerContact, Note, NoteEdit,
                                       BenefitsAdvice, FollowUpBooking, FollowUpOutcome,
                                       RecordedRequest)

FHIR_OPERATIONS = (
    Operation("GET", "/fhir/metadata", "FHIR: this server's CapabilityStatement",
              result=resource("CapabilityStatement"), public=True, errors=(500,),
              fhir=FhirBody(None)),
    Operation("POST", "/fhir/ServiceRequest", "FHIR: refer a patient with a ServiceRequest "
              "(referrer); answers the referral's Task", 201, TASK, errors=CHANGE,
              fhir=FhirBody(resource("ServiceRequest"))),
    Operation("GET", "/fhir/Task/{referral_id}", "FHIR: the referral as a Task", result=TASK,
              fhir=FhirBody(None)),
    Operation("PUT", "/fhir/Task/{referral_id}", "FHIR: cancel the Task (status cancelled) to "
              "withdraw the referral (referrer)", result=TASK, errors=CHANGE,
              fhir=FhirBody(TASK)),
    Operation("PATCH", "/fhir/Task/{referral_id}", "FHIR: JSON Patch /status to cancelled to "
              "withdraw the referral (referrer)", result=TASK, errors=CHANGE,
              fhir=FhirBody(JSON_PATCH, ("application/json-patch+json",))),
)


def _step(answer: Answer) -> Operation:
    """A human step a coach records, as its declaration says (domain/human_steps.py)."""
    return Operation("POST", answer.path, answer.summary, result=STEP_DONE,
                     body=answer.model(), errors=(*AUTHENTICATED, 409, *WITH_BODY))


def _case(path: str, summary: str, model: type[BaseModel], ok: int = 200,
          parameters: tuple[dict[str, Any], ...] = ()) -> Operation:
    return Operation("POST", f"/referrals/{{referral_id}}/{path}", summary, ok, SAVED,
                     model, (*AUTHENTICATED, 409, *WITH_BODY), parameters=parameters)


OPERATIONS = (
    Operation("POST", "/referrals", "Refer a patient (referrer)", 201, REFERRAL_SUMMARY,
              ReferralRequest, (*AUTHENTICATED, 409, *WITH_BODY), parameters=({
                  "name": "Idempotency-Key", "in": "header", "required": False,
                  "description": "A repeat with the same key returns the same referral",
                  "schema": {"type": "string", "minLength": 8, "maxLength": 128}},)),
    Operation("GET", "/referrals", "The caller's referrals, newest first, a page at a time",
              result=PAGE, errors=(400, *AUTHENTICATED), parameters=PAGING),
    Operation("GET", "/referrals/{referral_id}", "One referral, as the caller may see it",
              result={**REFERRAL_SUMMARY, "type": "object"}),
    Operation("POST", "/referrals/{referral_id}/retry", "Run a failed step again (ops; the "
              "same as resume)", result=STEP_DONE, errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("POST", "/referrals/{referral_id}/resume", "Pick up a stalled or failed "
              "referral where its run stopped (ops)", result=STEP_DONE,
              errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("GET", "/referrals/{referral_id}/audit", "Reads of the referral's personal data "
              "(ops)", result=LIST),
    Operation("GET", "/practices", "Participating practices and their coaches' sessions",
              result=LIST),
    Operation("GET", "/ops/notifications", "Messages sent or due: no content (ops)",
              result=NOTIFICATIONS, parameters=({
                  "name": "referral_id", "in": "query", "required": False,
                  "schema": {"type": "string"}},)),
    *(_step(answer) for answer in STEP_ANSWERS),
    Operation("POST", "/referrals/{referral_id}/withdraw", "Withdraw (referrer or coach)",
              result=WITHDRAWN, body=WithdrawRequest,
              errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("POST", "/notify/callbacks", "GOV.UK Notify's delivery receipt for a message "
              "(Notify's callback bearer token)", result=RECEIPT_RECORDED, errors=(
                  401, 404, 500, *WITH_BODY), security="notify", raw_body=RECEIPT),
    Operation("GET", "/referrals/{referral_id}/profile", "The vocational profile and confidence "
              "over time (the referral's coach)"),
    _case("profile", "Save the vocational profile, whole (the referral's coach)", Profile),
    Operation("GET", "/referrals/{referral_id}/employer-contacts", "Employer contacts (the "
              "referral's coach)", result=LIST),
    _case("employer-contacts", "Record an employer contact (the referral's coach)",
          EmployerContact, 201, KEYED),
    Operation("GET", "/referrals/{referral_id}/notes", "The coach's notes (the referral's "
              "coach)", result=LIST),
    _case("notes", "Add a note (the referral's coach)", Note, 201, KEYED),
    _case("notes/{note_id}", "Change a note's text, from the version you read (the referral's "
          "coach; 409 with the note as it is now, `current`, if it was changed meanwhile)",
          NoteEdit),
    _case("benefits-advice", "Record whether benefits advice was given, and when (the "
          "referral's coach)", BenefitsAdvice),
    _case("follow-ups", "Book a follow-up appointment (the referral's coach)",
          FollowUpBooking, 201),
    _case("follow-ups/{follow_up_id}", "Record a follow-up appointment's outcome (the "
          "referral's coach)", FollowUpOutcome),
    Operation("POST", "/referrals/{referral_id}/access-requests", "Record the patient's "
              "request for a copy of what is held, made by phone, letter, in person or email: "
              "due one calendar month after it was received (the referral's coach, or a "
              "manager; the open one, if the patient has one, as a repeat answers)", 201,
              ACCESS_REQUEST, RecordedRequest, (*AUTHENTICATED, *WITH_BODY)),
    Operation("GET", "/referrals/{referral_id}/access-requests", "The patient's requests for "
              "a copy, with their due dates (the referral's coach, or a manager)",
              result=LIST),
    Operation("GET", "/referrals/{referral_id}/copy", "Everything held about the patient, in "
              "sections, in words: produced (an audited read) it fulfils their open request "
              "(the referral's coach, or a manager)"),
    Operation("GET", "/diary", "The coach's appointments in one week (coach)", result=DIARY,
              errors=(400, *AUTHENTICATED), parameters=WEEK),
    Operation("GET", "/patient/withdraw/{token}", "The patient's leave page (HTML)",
              result=None, errors=(410, 500), public=True, pages=(200, 410, 500)),
    Operation("POST", "/patient/withdraw/{token}", "Leave, from the patient's link: JSON "
              "answers JSON, the page's form answers a page", result=WITHDRAWN,
              body=WithdrawRequest, errors=(404, 409, 410, 500, *WITH_BODY), public=True,
              pages=(200, 409, 410, 500)),
    Operation("GET", "/reports/outcomes", "Outcomes for ops and commissioners: counts and "
              "rates, small numbers suppressed (\"<5\", \"[c]\")", result=REPORT,
              errors=(400, *AUTHENTICATED), parameters=PERIOD),
    Operation("GET", "/reports/ips-fidelity", "IPS fidelity items scored from live data, "
              "with their evidence (ops, commissioners)", result=FIDELITY,
              errors=(400, *AUTHENTICATED), parameters=PERIOD),
    Operation("GET", "/openapi.json", "This document", public=True, errors=(500,)),
    Operation("GET", "/people", "Everyone who can sign in: role, scope, enabled, last sign-in "
              "(manager)", result=LIST),
    Operation("POST", "/people", "Invite someone into a role and scope: Cognito emails a "
              "temporary password (manager)", 201, {"type": "object"},
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=INVITATION),
    Operation("GET", "/people/{person_id}", "One person's account and the audit of what "
              "managers did to it (manager)"),
    Operation("POST", "/people/{person_id}/disable", "Disable a leaver and sign them out "
              "everywhere: their tokens are refused from the next request (manager)",
              errors=(*AUTHENTICATED, *WITH_BODY)),
    Operation("POST", "/people/{person_id}/enable", "Enable again an account disabled by "
              "mistake: the tokens it held stay refused (manager)",
              errors=(*AUTHENTICATED, *WITH_BODY)),
    Operation("POST", "/people/{person_id}/reset-authenticator", "Remove a lost authenticator "
              "app: they set up a new one before any token (manager)",
              errors=(*AUTHENTICATED, *WITH_BODY)),
    *PRACTICE_OPERATIONS,
    *COACH_OPERATIONS,
    *ABSENCE_OPERATIONS,
    *FHIR_OPERATIONS,
)


def _content(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {media: {"schema": schema}}


def _response(op: Operation, status: int) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if op.fhir is not None:
        schema = op.result if status == op.ok else {"$ref": "#/components/schemas/"
                                                    "OperationOutcome"}
        content = _content(schema or {}, FHIR_JSON)
    elif status == op.ok and op.result is not None:
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
    if op.security:
        document["security"] = [{op.security: []}]
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                   **({"description": "The referral's id, or its short reference however it "
                                      "is typed (case, hyphens, I or L for 1, O for 0)"}
                      if name == "referral_id" else {})}
                  for name in ("referral_id", "token", "note_id", "follow_up_id")
                  if f"{{{name}}}" in op.path]
    parameters += op.parameters
    if parameters:
        document["parameters"] = parameters
    if op.fhir is not None and op.fhir.schema is not None:
        document["requestBody"] = {"required": True, "content": {
            media: {"schema": op.fhir.schema} for media in op.fhir.media}}
    if op.body is not None:
        content = _content({"$ref": REF.format(model=op.body.__name__)})
        if op.pages:  # the patient's page posts its one checkbox as a form
            content["application/x-www-form-urlencoded"] = {"schema": {
                "type": "object", "properties": {"erase": {"type": "string", "enum": ["yes"]}}}}
        document["requestBody"] = {"required": op.body is ReferralRequest, "content": content}
    if op.raw_body is not None:
        document["requestBody"] = {"required": True, "content": _content(op.raw_body)}
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
                "description": "A Cognito ID token (RS256) of the service's user pool, on AWS "
                               "and locally (the local stack's pool); groups referrer, coach, "
                               "ops, commissioner"},
                "notify": {"type": "http", "scheme": "bearer",
                           "description": "The callback token set in GOV.UK Notify"}},
            "schemas": {**definitions.get("$defs", {}), "Problem": PROBLEM,
                        "OperationOutcome": OPERATION_OUTCOME},
        },
    }
