"""The service manager's routes as the API's description gives them: practices, coaches, their
sessions, absences and caseloads. Each change carries `read`, as the record's GET answered."""

from __future__ import annotations

from workingbetter.handlers.openapi_shapes import AUTHENTICATED, LIST, WITH_BODY, Operation
from workingbetter.services.coaches import NewCoach, NewSession
from workingbetter.services.practices import NewPractice

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
              "referrals (manager)", result=LIST),
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
              "(manager)", result=LIST),
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
