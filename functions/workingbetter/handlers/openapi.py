"""The API describes itself: an OpenAPI 3.1 document (`GET /openapi.json`) whose request bodies
are the JSON Schemas of the very pydantic models that validate them, so the two cannot drift.
A test checks that every JSON route of the app is here and nothing else is."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from workingbetter.domain.channels import FailureReason
from workingbetter.domain.disclosure import ACCEPTED
from workingbetter.domain.human_steps import RECORDED, Answer
from workingbetter.domain.referral import Status
from workingbetter.notifications.receipts import STATUSES
from workingbetter.routing.request_body import MAX_BYTES, MAX_DEPTH
from workingbetter.services.case_record import (
    BenefitsAdvice,
    EmployerContact,
    Note,
    NoteEdit,
    Profile,
)
from workingbetter.services.coaches import NewCoach, NewSession
from workingbetter.services.follow_ups import FollowUpBooking, FollowUpOutcome
from workingbetter.services.intake import ReferralRequest
from workingbetter.services.listing import MAX_LIMIT
from workingbetter.services.practices import NewPractice
from workingbetter.services.subject_access import RecordedRequest
from workingbetter.services.withdrawal import WithdrawRequest

REF = "#/components/schemas/{model}"
STEP_ANSWERS = tuple(s.answer for s in RECORDED if s.answer is not None)
MODELS: tuple[type[BaseModel], ...] = (ReferralRequest, *(a.model() for a in STEP_ANSWERS),
                                       WithdrawRequest, Profile, EmployerContact, Note, NoteEdit,
                                       BenefitsAdvice, FollowUpBooking, FollowUpOutcome,
                                       RecordedRequest)

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
_RECORDED = {"type": "object", "required": ["referral_id"], "properties": {"referral_id": _ID}}
_ACCESS_REQUEST = {"type": "object", "required": ["referral_id", "request_id", "due_on"],
                   "properties": {"referral_id": _ID, "request_id": _ID,
                                  "due_on": {"type": "string", "format": "date"}}}
_KEYED = ({"name": "Idempotency-Key", "in": "header", "required": False,
           "description": "A repeat with the same key records once",
           "schema": {"type": "string", "minLength": 8, "maxLength": 128}},)
_WEEK = ({"name": "week", "in": "query", "required": False,
          "description": "Any day of the week (YYYY-MM-DD, from 2000 to 2999); this week if "
                         "left out",
          "schema": {"type": "string", "format": "date"}},)
_DIARY = {"type": "object", "required": ["week", "items"],
          "properties": {"week": {"type": "string"}, "items": _LIST}}
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
     "description": f"{ACCEPTED}: every status from a coach's place until support ends. A "
     "practice filters by what it sees of every referral: without the patient's consent it "
     f"sees those statuses as {ACCEPTED}, so it filters by {ACCEPTED} and not by them (400)",
     "schema": {"type": "string", "enum": [*(str(s) for s in Status), ACCEPTED]}},
    {"name": "practice_ods", "in": "query", "required": False,
     "description": "Only this practice's (a practice outside your scope lists nothing)",
     "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{3,10}$"}},
)
_NOTIFICATIONS = {"type": "array", "items": {
    "type": "object",
    "required": ["notification_id", "referral_id", "kind", "channel", "status", "due_at",
                 "sent_at", "receipt_at", "attempts", "failure_reason"],
    "properties": {"notification_id": _ID, "referral_id": _ID, "kind": {"type": "string"},
                   "channel": {"type": "string"}, "status": {"type": "string"},
                   "due_at": {"type": "string"}, "sent_at": {"type": ["string", "null"]},
                   "receipt_at": {"type": ["string", "null"]}, "attempts": {"type": "integer"},
                   "failure_reason": {"type": ["string", "null"],
                                      "enum": [*(str(r) for r in FailureReason), None]}}}}
_RECEIPT = {"type": "object", "required": ["id", "reference", "status"],
            "description": "GOV.UK Notify's delivery receipt: only these fields are read",
            "properties": {"id": {"type": "string"}, "reference": {"type": "string"},
                           "status": {"type": "string", "enum": list(STATUSES)}}}
_RECORDED = {"type": "object", "required": ["referral_id", "notification_id", "status"],
             "properties": {"referral_id": _ID, "notification_id": _ID,
                            "status": {"type": "string"}}}
# A report covers whole months (docs/outcomes.md): a month, or a date standing for its month.
_MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$"}
_PERIOD = (
    {"name": "from", "in": "query", "required": False, "schema": _MONTH,
     "description": "First month of referral, YYYY-MM (default: eleven months before `to`)"},
    {"name": "to", "in": "query", "required": False, "schema": _MONTH,
     "description": "Last month of referral, included (default: this month)"},
    {"name": "practice", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "One participating practice's ODS code (default: every practice)"},
)
_REPORT = {"type": "object", "required": ["period", "tables"],
           "properties": {"period": {"type": "object"}, "suppression": {"type": "string"},
                          "tables": {"type": "array", "items": {"type": "object"}}}}
_FIDELITY = {"type": "object", "required": ["period", "items", "needs_a_person"],
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


def _resource(resource_type: str) -> dict[str, Any]:
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
_TASK = {**_resource("Task"), "required": ["resourceType", "id", "status", "intent"]}
_JSON_PATCH = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["op", "path"],
    "properties": {"op": {"type": "string"}, "path": {"type": "string"}, "value": {}}}}
_CHANGE = (*AUTHENTICATED, 409, *WITH_BODY)
_INVITATION = {"type": "object", "required": ["email", "name", "role"], "properties": {
    "email": {"type": "string", "format": "email"}, "name": {"type": "string"},
    "role": {"enum": ["referrer", "coach", "ops", "commissioner", "manager"]},
    "practice_ods": {"type": "string", "description": "a referrer's practice"},
    "coach_id": {"type": "string", "description": "a coach's id"}}}
_READ = {"read": {"type": "string", "description": "`read` as the practice's GET answered: "
                  "a change made since is refused (409), never overwritten"}}
_DETAILS = {"type": "object", "required": ["read", "name", "email", "address", "phone"],
            "properties": {**_READ, **{f: {"type": "string"} for f in
                                       ("name", "email", "address", "phone")},
                           "rooms": {"type": "array", "items": {"type": "string"}}}}
_PAUSE = {"type": "object", "required": ["read", "reason"],
          "properties": {**_READ, "reason": {"type": "string"}}}
_STATUS = {"type": "object", "required": ["read"], "properties": _READ}
_LEAVE = {"type": "object", "required": ["read"], "properties": {**_READ, "open_referrals": {
    "type": "string", "enum": ["carry_on", "end"], "default": "carry_on",
    "description": "carry_on: they stay with their coaches; end: each ends now, the patient "
                   "told (the answer's referrals_ended counts them)"}}}
_MANAGED = "/practices/manage"
PRACTICE_OPERATIONS = (
    Operation("GET", _MANAGED, "The practices that take part, and whether each takes new "
              "referrals (manager)", result=_LIST),
    Operation("POST", _MANAGED, "Add a practice: its ODS code checked and not already taken "
              "(manager)", 201, body=NewPractice, errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("GET", f"{_MANAGED}/{{practice_ods}}", "One practice, its open referrals and the "
              "audit of what managers did to it (manager)"),
    Operation("POST", f"{_MANAGED}/{{practice_ods}}", "Change a practice's details, from what "
              "you read (manager)", errors=(*AUTHENTICATED, 409, *WITH_BODY),
              raw_body=_DETAILS),
    Operation("POST", f"{_MANAGED}/{{practice_ods}}/pause", "Pause its new referrals, saying "
              "why: the referral form shows it, intake refuses (manager)",
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_PAUSE),
    Operation("POST", f"{_MANAGED}/{{practice_ods}}/resume", "Take new referrals again "
              "(manager)", errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_STATUS),
    Operation("POST", f"{_MANAGED}/{{practice_ods}}/leave", "It leaves the pilot: no new "
              "referrals; its open ones carry on with their coaches, or end with each patient "
              "told (manager)",
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_LEAVE),
)
_COACHES = "/coaches/manage"
_COACH_DETAILS = {"type": "object", "required": ["read", "name", "days_a_week"],
                  "properties": {**_READ, "name": {"type": "string"},
                                 "days_a_week": {"type": "integer", "minimum": 1,
                                                 "maximum": 5}}}
_SESSION = {"type": "object", "required": ["read", "practice_ods", "weekday", "start", "end"],
            "properties": {**_READ, **NewSession.model_json_schema()["properties"]}}
_SESSION_GONE = {"type": "object", "required": ["read", "session"],
                 "properties": {**_READ, "session": {
                     "type": "string", "description": "one of the coach's `session_keys`"}}}
COACH_OPERATIONS = (
    Operation("GET", _COACHES, "The coaches, their sessions, days a week and caseload cap "
              "(manager)", result=_LIST),
    Operation("POST", _COACHES, "Add a coach: their id checked and not already taken "
              "(manager)", 201, body=NewCoach, errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("GET", f"{_COACHES}/{{coach_id}}", "One coach, their sessions and the audit of "
              "what managers did to them (manager)"),
    Operation("POST", f"{_COACHES}/{{coach_id}}", "Change a coach's name or days a week, from "
              "what you read (manager)", errors=(*AUTHENTICATED, 409, *WITH_BODY),
              raw_body=_COACH_DETAILS),
    Operation("POST", f"{_COACHES}/{{coach_id}}/sessions", "Add a weekly surgery session: "
              "booking uses it from now on (manager)",
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_SESSION),
    Operation("POST", f"{_COACHES}/{{coach_id}}/sessions/remove", "Remove a session: refused "
              "while appointments are booked in it (manager)",
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_SESSION_GONE),
)
_ABSENCES = "/coaches/{coach_id}/absences"
_ABSENCE = {"type": "object", "required": ["from", "to"], "properties": {
    "from": {"type": "string", "format": "date", "description": "the first day away"},
    "to": {"type": "string", "format": "date", "description": "the last day away (never why)"}}}
ABSENCE_OPERATIONS = (
    Operation("GET", _ABSENCES, "A coach's absences and the audit of what managers did "
              "(manager)"),
    Operation("POST", _ABSENCES, "Record the days a coach is away (never why): nothing is booked "
              "on them, and their appointments on them move, each patient told; answers how "
              "many moved (manager; Idempotency-Key)", 201,
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_ABSENCE),
    Operation("POST", f"{_ABSENCES}/{{absence_id}}/cancel", "Cancel an absence that has not "
              "started (manager)", errors=(*AUTHENTICATED, 409)),
    Operation("POST", "/referrals/{referral_id}/coach", "Move the referral to another coach at "
              "its practice with a free place: its place, and its appointments still to come; "
              "the patient told (manager)", errors=(*AUTHENTICATED, 409, *WITH_BODY),
              raw_body={"type": "object", "required": ["coach_id"],
                        "properties": {"coach_id": {"type": "string"}}}),
    Operation("GET", "/coaches/{coach_id}/caseload", "A coach's caseload by reference and status, "
              "and the practice's coaches with a free place (manager)"),
    Operation("POST", "/coaches/{coach_id}/leave", "A coach leaves: each referral handed to a "
              "named coach with a free place or to the waiting list, each patient told; the "
              "coach then gets no new referrals (manager)",
              errors=(*AUTHENTICATED, 409, *WITH_BODY),
              raw_body={"type": "object", "required": ["hand_over"], "properties": {
                  "hand_over": {"type": "object", "description": "referral id: a coach id, "
                                "or \"waitlist\"", "additionalProperties": {"type": "string"}}}}),
)
FHIR_OPERATIONS = (
    Operation("GET", "/fhir/metadata", "FHIR: this server's CapabilityStatement",
              result=_resource("CapabilityStatement"), public=True, errors=(500,),
              fhir=FhirBody(None)),
    Operation("POST", "/fhir/ServiceRequest", "FHIR: refer a patient with a ServiceRequest "
              "(referrer); answers the referral's Task", 201, _TASK, errors=_CHANGE,
              fhir=FhirBody(_resource("ServiceRequest"))),
    Operation("GET", "/fhir/Task/{referral_id}", "FHIR: the referral as a Task", result=_TASK,
              fhir=FhirBody(None)),
    Operation("PUT", "/fhir/Task/{referral_id}", "FHIR: cancel the Task (status cancelled) to "
              "withdraw the referral (referrer)", result=_TASK, errors=_CHANGE,
              fhir=FhirBody(_TASK)),
    Operation("PATCH", "/fhir/Task/{referral_id}", "FHIR: JSON Patch /status to cancelled to "
              "withdraw the referral (referrer)", result=_TASK, errors=_CHANGE,
              fhir=FhirBody(_JSON_PATCH, ("application/json-patch+json",))),
)


def _step(answer: Answer) -> Operation:
    """A human step a coach records, as its declaration says (domain/human_steps.py)."""
    return Operation("POST", answer.path, answer.summary, result=_STEP_DONE,
                     body=answer.model(), errors=(*AUTHENTICATED, 409, *WITH_BODY))


def _case(path: str, summary: str, model: type[BaseModel], ok: int = 200,
          parameters: tuple[dict[str, Any], ...] = ()) -> Operation:
    return Operation("POST", f"/referrals/{{referral_id}}/{path}", summary, ok, _RECORDED,
                     model, (*AUTHENTICATED, 409, *WITH_BODY), parameters=parameters)


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
    *(_step(answer) for answer in STEP_ANSWERS),
    Operation("POST", "/referrals/{referral_id}/withdraw", "Withdraw (referrer or coach)",
              result=_WITHDRAWN, body=WithdrawRequest,
              errors=(*AUTHENTICATED, 409, *WITH_BODY)),
    Operation("POST", "/notify/callbacks", "GOV.UK Notify's delivery receipt for a message "
              "(Notify's callback bearer token)", result=_RECORDED, errors=(
                  401, 404, 500, *WITH_BODY), security="notify", raw_body=_RECEIPT),
    Operation("GET", "/referrals/{referral_id}/profile", "The vocational profile and confidence "
              "over time (the referral's coach)"),
    _case("profile", "Save the vocational profile, whole (the referral's coach)", Profile),
    Operation("GET", "/referrals/{referral_id}/employer-contacts", "Employer contacts (the "
              "referral's coach)", result=_LIST),
    _case("employer-contacts", "Record an employer contact (the referral's coach)",
          EmployerContact, 201, _KEYED),
    Operation("GET", "/referrals/{referral_id}/notes", "The coach's notes (the referral's "
              "coach)", result=_LIST),
    _case("notes", "Add a note (the referral's coach)", Note, 201, _KEYED),
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
              _ACCESS_REQUEST, RecordedRequest, (*AUTHENTICATED, *WITH_BODY)),
    Operation("GET", "/referrals/{referral_id}/access-requests", "The patient's requests for "
              "a copy, with their due dates (the referral's coach, or a manager)",
              result=_LIST),
    Operation("GET", "/referrals/{referral_id}/copy", "Everything held about the patient, in "
              "sections, in words: produced (an audited read) it fulfils their open request "
              "(the referral's coach, or a manager)"),
    Operation("GET", "/diary", "The coach's appointments in one week (coach)", result=_DIARY,
              errors=(400, *AUTHENTICATED), parameters=_WEEK),
    Operation("GET", "/patient/withdraw/{token}", "The patient's leave page (HTML)",
              result=None, errors=(410, 500), public=True, pages=(200, 410, 500)),
    Operation("POST", "/patient/withdraw/{token}", "Leave, from the patient's link: JSON "
              "answers JSON, the page's form answers a page", result=_WITHDRAWN,
              body=WithdrawRequest, errors=(404, 409, 410, 500, *WITH_BODY), public=True,
              pages=(200, 409, 410, 500)),
    Operation("GET", "/reports/outcomes", "Outcomes for ops and commissioners: counts and "
              "rates, small numbers suppressed (\"<5\", \"[c]\")", result=_REPORT,
              errors=(400, *AUTHENTICATED), parameters=_PERIOD),
    Operation("GET", "/reports/ips-fidelity", "IPS fidelity items scored from live data, "
              "with their evidence (ops, commissioners)", result=_FIDELITY,
              errors=(400, *AUTHENTICATED), parameters=_PERIOD),
    Operation("GET", "/openapi.json", "This document", public=True, errors=(500,)),
    Operation("GET", "/people", "Everyone who can sign in: role, scope, enabled, last sign-in "
              "(manager)", result=_LIST),
    Operation("POST", "/people", "Invite someone into a role and scope: Cognito emails a "
              "temporary password (manager)", 201, {"type": "object"},
              errors=(*AUTHENTICATED, 409, *WITH_BODY), raw_body=_INVITATION),
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
