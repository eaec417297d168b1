"""The HTTP API: a Chalice app, deployed by SAM as an ordinary function (its handler is `app`).

Routes are thin: who is calling, parse, call the domain, return. Errors become problem+json in
`_guarded`; nothing else turns an exception into a response, and no exception text is sent.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from chalice.app import CaseInsensitiveMapping, Chalice, Request, Response

from workingbetter.domain import idempotency
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import (
    BadRequest,
    DomainError,
    FieldError,
    MethodNotAllowed,
    NotFound,
    UnsupportedMediaType,
)
from workingbetter.domain.human_steps import RECORDED, HumanStep
from workingbetter.fhir.routes import blueprint as fhir_routes
from workingbetter.observability import logger
from workingbetter.routing import answers, callers, request_body
from workingbetter.routing import headers as headers_for
from workingbetter.web import blueprint as web_pages
from workingbetter.wiring import services, settings

# Init imports what routing needs. Settings (pydantic-settings), the services and their models
# (pydantic), boto3, PyJWT (checking tokens) and Jinja2 are imported inside the routes by the
# first request that needs them: a cold start pays only for what its request uses.

JSON = ["application/json"]
MAX_ID_LENGTH = 500  # ids are UUIDs; 500 characters stay under DynamoDB's 2 KB key in UTF-8
FORM = "application/x-www-form-urlencoded"


class ThreadSafeChalice(Chalice):
    """Chalice keeps the request being served on the app object. Lambda serves one request
    per container, but the local server and tests serve several at once: keep it per thread."""

    _served = threading.local()

    @property
    def current_request(self) -> Request | None:
        return getattr(self._served, "request", None)

    @current_request.setter
    def current_request(self, request: Request | None) -> None:
        self._served.request = request


app = ThreadSafeChalice(app_name="working-better-api", configure_logs=False)
app.register_blueprint(web_pages)
app.register_blueprint(fhir_routes)


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only called while serving a request"
    return request


def caller() -> Principal:
    return callers.bearer(_request())


def _guarded(view: Callable[..., tuple[int, Any]]) -> Callable[..., Response]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            if "referral_id" in kwargs:
                # Every /referrals/{referral_id}/... route takes the short reference too.
                kwargs["referral_id"] = services().referrals.resolve(kwargs["referral_id"])
            status, body = view(*args, **kwargs)
            return answers.json_answer(status, body)
        except DomainError as error:
            return answers.refusal(error, _request())
        except Exception:
            logger.exception("unhandled error")
            return answers.failure(_request())

    return wrapper


@app.middleware("http")
def _https_only(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every response, JSON or page, tells a browser to come back over HTTPS only, when the
    service is served over HTTPS (deployed; the local stack speaks plain HTTP)."""
    response = get_response(request)
    response.headers.update(headers_for.transport(settings().deployed))
    return response


@app.middleware("http")
def _edges(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Before any route: a body too big is refused unread. After: what Chalice answers in its
    own words ({"Code": ...}: a wrong method, a wrong content type, a crash) becomes ours."""
    try:
        request_body.check_size(request.headers.get("content-length"), request.raw_body)
        _check_ids(request)
    except DomainError as error:
        return answers.refusal(error, request)
    response = get_response(request)
    if not _chalices_own(response):
        return response
    if response.status_code == 415 and not request.raw_body:
        # A Content-Type with no body describes nothing (some FHIR clients send one on every
        # request). Chalice refused it before the route ran: ask again naming a type it takes.
        response = get_response(_naming(request, _route_content_types(request)[0]))
        if not _chalices_own(response):
            return response
    if response.status_code == 405:
        allowed = str(response.headers.get("Allow", ""))
        return answers.refusal(MethodNotAllowed(f"Use {allowed}", []), request, {"Allow": allowed})
    if response.status_code == 415:
        accepted = " or ".join(_route_content_types(request))
        return answers.refusal(UnsupportedMediaType(
            f"Send the body as {accepted}", [FieldError("Content-Type", f"Send {accepted}")]),
            request)
    if response.status_code == 400:
        return answers.refusal(BadRequest("The request cannot be answered as asked", []),
                               request)
    return answers.failure(request)


def _chalices_own(response: Response) -> bool:
    """An answer Chalice gave in its own words, before or instead of a route."""
    return isinstance(response.body, dict) and "Code" in response.body


def _naming(request: Request, content_type: str) -> Request:
    named = {**dict(request.headers.items()), "content-type": content_type}
    request.headers = CaseInsensitiveMapping(named)
    return request


def _check_ids(request: Request) -> None:
    """No referral has an id this long; DynamoDB would refuse it as a key (a 500), so say 404.
    (A patient's link token is checked by its own page, which answers with a page.)"""
    path: dict[str, str] = request.uri_params or {}
    query: dict[str, str] = dict(request.query_params or {})
    given = (path.get("referral_id"), query.get("referral_id"))
    if any(len(value) > MAX_ID_LENGTH for value in given if value):
        raise NotFound("No referral has an id that long")


def _route_content_types(request: Request) -> list[str]:
    context = request.context or {}
    route = app.routes.get(context.get("resourcePath", ""), {}).get(request.method)
    return route.content_types if route and route.content_types else JSON


def _is_form() -> bool:
    return str(_request().headers.get("content-type", "")).startswith(FORM)


def _patient_form() -> dict[str, bool]:
    """The patient page's form: one checkbox (erase=yes)."""
    raw = _request().raw_body or b""
    form = parse_qs(raw.decode(errors="replace") if isinstance(raw, bytes) else raw)
    return {"erase_personal_data": form.get("erase") == ["yes"]}


def _json_body() -> Any:
    return request_body.parse_json(_request().raw_body)


@app.route("/referrals", methods=["POST"], content_types=JSON)
@_guarded
def submit_referral() -> tuple[int, Any]:
    principal = caller()
    key = _request().headers.get("idempotency-key")
    return 201, services().referrals.submit(principal, _json_body(), key, app.lambda_context)


@app.route("/referrals", methods=["GET"])
@_guarded
def list_referrals() -> tuple[int, Any]:
    who = caller()
    return 200, services().referrals.listed(who, dict(_request().query_params or {}))


@app.route("/referrals/{referral_id}", methods=["GET"])
@_guarded
def get_referral(referral_id: str) -> tuple[int, Any]:
    return 200, services().referrals.get(caller(), referral_id)


@app.route("/referrals/{referral_id}/retry", methods=["POST"], content_types=JSON)
@_guarded
def retry_failed_step(referral_id: str) -> tuple[int, Any]:
    return 200, services().steps.retry_failed_step(caller(), referral_id)


@app.route("/referrals/{referral_id}/resume", methods=["POST"], content_types=JSON)
@_guarded
def resume_referral(referral_id: str) -> tuple[int, Any]:
    return 200, services().steps.resume(caller(), referral_id)


@app.route("/referrals/{referral_id}/audit", methods=["GET"])
@_guarded
def audit_trail(referral_id: str) -> tuple[int, Any]:
    return 200, services().referrals.audit(caller(), referral_id)


@app.route("/ops/notifications", methods=["GET"])
@_guarded
def list_notifications() -> tuple[int, Any]:
    """What was sent or is due, to whom by role and channel: never the words or an address."""
    from workingbetter.notifications.outbox import Outbox, public_view

    caller().require(Role.OPS)
    outbox = Outbox(services().store)
    query: dict[str, str] = dict(_request().query_params or {})
    referral_id = query.get("referral_id")
    # Without a referral: everything still waiting to go, and what failed.
    rows = outbox.for_referral(referral_id) if referral_id else \
        outbox.due("9999-12-31T23:59:59Z") + outbox.failed()
    return 200, [public_view(row) for row in rows]


@app.route("/notify/callbacks", methods=["POST"], content_types=JSON)
@_guarded
def notify_delivery_receipt() -> tuple[int, Any]:
    """GOV.UK Notify's delivery receipt for a text or email: no login, Notify's bearer token."""
    from workingbetter.notifications.notices import Notices
    from workingbetter.notifications.receipts import Receipts, check_bearer
    s = services()
    check_bearer(_request().headers.get("authorization"),
                 s.settings.secret("notify_callback_token"))
    return 200, Receipts(s.store, Notices.of(s.store, s.settings)).record(_json_body())


@app.route("/reports/outcomes", methods=["GET"])
@_guarded
def outcome_report() -> tuple[int, Any]:
    """Counts and rates for ops and commissioners, small numbers suppressed; no referral."""
    query: dict[str, str] = dict(_request().query_params or {})
    return 200, services().reports.outcomes(caller(), query).as_json()


@app.route("/reports/ips-fidelity", methods=["GET"])
@_guarded
def ips_fidelity_report() -> tuple[int, Any]:
    """The IPS fidelity items the data can score, with their evidence (ops, commissioners)."""
    query: dict[str, str] = dict(_request().query_params or {})
    return 200, services().reports.fidelity(caller(), query)


@app.route("/patient/withdraw/{token}", methods=["GET"])
def patient_withdraw_page(token: str) -> Response:
    """The page a patient's link opens: one button, and nothing happens until it is pressed."""
    from workingbetter.web import patient_leave

    return patient_leave.show(token)


@app.route("/patient/withdraw/{token}", methods=["POST"], content_types=[*JSON, FORM])
def patient_withdraw(token: str) -> Response:
    """The page's form gets a page back; an API client posting JSON gets JSON."""
    from workingbetter.web import patient_leave

    if _is_form():
        return patient_leave.leave(token, _patient_form())
    return _patient_withdraw_json(token)


@_guarded
def _patient_withdraw_json(token: str) -> tuple[int, Any]:
    return 200, services().withdrawals.withdraw_by_link(token, _json_body())


@app.route("/openapi.json", methods=["GET"])
@_guarded
def openapi_document() -> tuple[int, Any]:
    """The API's own description, generated from the models that validate its bodies."""
    from workingbetter.handlers import openapi

    return 200, openapi.document()


@app.route("/practices", methods=["GET"])
@_guarded
def list_practices() -> tuple[int, Any]:
    caller()
    return 200, services().referrals.practices()


def _step_route(step: HumanStep) -> Callable[..., Response]:
    """POST /referrals/{referral_id}/<route>: a coach records the step (its declaration)."""
    awaiting = step.awaiting

    def record_step(referral_id: str) -> tuple[int, Any]:
        return 200, services().steps.record(caller(), referral_id, awaiting, _json_body())

    record_step.__name__ = record_step.__qualname__ = f"record_{awaiting}"
    return _guarded(record_step)


for _step in RECORDED:
    assert _step.answer is not None
    app.route(_step.answer.path, methods=["POST"], content_types=JSON,
              name=f"record_{_step.awaiting}")(_step_route(_step))


@app.route("/referrals/{referral_id}/withdraw", methods=["POST"], content_types=JSON)
@_guarded
def withdraw_referral(referral_id: str) -> tuple[int, Any]:
    return 200, services().withdrawals.withdraw(caller(), referral_id, _json_body())


# -- the coach's case record and diary (the coach of the referral only) ---------------------


def _key() -> str | None:
    """The Idempotency-Key (domain/idempotency.py: a repeat records once, a key reused for a
    different request is refused)."""
    return idempotency.checked(_request().headers.get("idempotency-key"))


def _case_read(referral_id: str, route: str) -> Any:
    return services().case_records.read(caller(), referral_id, route)


@app.route("/referrals/{referral_id}/profile", methods=["GET"])
@_guarded
def read_profile(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.case_record import profile_view

    return 200, profile_view(_case_read(referral_id, "GET /referrals/{referral_id}/profile"))


@app.route("/referrals/{referral_id}/profile", methods=["POST"], content_types=JSON)
@_guarded
def save_profile(referral_id: str) -> tuple[int, Any]:
    return 200, services().case_records.save_profile(caller(), referral_id, _json_body())


@app.route("/referrals/{referral_id}/employer-contacts", methods=["GET"])
@_guarded
def list_employer_contacts(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.case_record import contacts_view

    return 200, contacts_view(_case_read(referral_id,
                                         "GET /referrals/{referral_id}/employer-contacts"))


@app.route("/referrals/{referral_id}/employer-contacts", methods=["POST"], content_types=JSON)
@_guarded
def add_employer_contact(referral_id: str) -> tuple[int, Any]:
    return 201, services().case_records.add_contact(caller(), referral_id, _json_body(), _key())


@app.route("/referrals/{referral_id}/notes", methods=["GET"])
@_guarded
def list_notes(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.case_record import notes_view

    return 200, notes_view(_case_read(referral_id, "GET /referrals/{referral_id}/notes"))


@app.route("/referrals/{referral_id}/notes", methods=["POST"], content_types=JSON)
@_guarded
def add_note(referral_id: str) -> tuple[int, Any]:
    return 201, services().case_records.add_note(caller(), referral_id, _json_body(), _key())


@app.route("/referrals/{referral_id}/notes/{note_id}", methods=["POST"], content_types=JSON)
@_guarded
def edit_note(referral_id: str, note_id: str) -> tuple[int, Any]:
    return 200, services().case_records.edit_note(caller(), referral_id, note_id, _json_body())


@app.route("/referrals/{referral_id}/benefits-advice", methods=["POST"], content_types=JSON)
@_guarded
def record_benefits_advice(referral_id: str) -> tuple[int, Any]:
    return 200, services().case_records.record_benefits_advice(caller(), referral_id, _json_body())


@app.route("/referrals/{referral_id}/follow-ups", methods=["POST"], content_types=JSON)
@_guarded
def book_follow_up(referral_id: str) -> tuple[int, Any]:
    return 201, services().follow_ups.book(caller(), referral_id, _json_body())


@app.route("/referrals/{referral_id}/follow-ups/{follow_up_id}", methods=["POST"],
           content_types=JSON)
@_guarded
def record_follow_up_outcome(referral_id: str, follow_up_id: str) -> tuple[int, Any]:
    follow_ups = services().follow_ups
    return 200, follow_ups.record_outcome(caller(), referral_id, follow_up_id, _json_body())


# -- a patient's right of access: their request, and the copy of what is held --------------


@app.route("/referrals/{referral_id}/access-requests", methods=["POST"], content_types=JSON)
@_guarded
def record_access_request(referral_id: str) -> tuple[int, Any]:
    """A request made another way (phone, letter, in person), recorded by the patient's coach
    or a manager; the open one if the patient already has one (a repeat answers the first)."""
    from workingbetter.services.subject_access import request_view

    request, _ = services().subject_access.record(caller(), referral_id, _json_body())
    return 201, request_view(request)


@app.route("/referrals/{referral_id}/access-requests", methods=["GET"])
@_guarded
def list_access_requests(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.subject_access import request_view

    return 200, [request_view(r) for r in
                 services().subject_access.of_referral(caller(), referral_id)]


@app.route("/referrals/{referral_id}/copy", methods=["GET"])
@_guarded
def copy_of_what_is_held(referral_id: str) -> tuple[int, Any]:
    """Everything held about the patient (a read of personal data, audited); fulfils their
    open request."""
    return 200, services().subject_access.produce(caller(), referral_id).as_json()


@app.route("/diary", methods=["GET"])
@_guarded
def coach_diary() -> tuple[int, Any]:
    """The caller's (a coach's) appointments in one week: ids, times and outcomes."""
    from workingbetter.services.follow_ups import parse_week

    who = caller()
    who.require(Role.COACH)
    query: dict[str, str] = dict(_request().query_params or {})
    week = services().follow_ups.week(who, parse_week(query.get("week")))
    return 200, {"week": week.monday.isoformat(), "items": [e.as_item() for e in week.entries]}


# -- people: the service manager invites, disables, resets an authenticator -------------------


def _text(body: Any, name: str) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


@app.route("/people", methods=["GET"])
@_guarded
def list_people() -> tuple[int, Any]:
    from workingbetter.domain.people import person_json

    return 200, {"items": [person_json(p) for p in services().people.everyone(caller())]}


@app.route("/people", methods=["POST"], content_types=JSON)
@_guarded
def invite_person() -> tuple[int, Any]:
    who, body, people = caller(), _json_body(), services().people
    invited = people.check_invitation(
        who, _text(body, "email"), _text(body, "name"), _text(body, "role"),
        _text(body, "practice_ods") or _text(body, "coach_id"))
    return 201, {"person_id": people.invite(who, invited)}


@app.route("/people/{person_id}", methods=["GET"])
@_guarded
def get_person(person_id: str) -> tuple[int, Any]:
    from workingbetter.domain.people import entry_json, person_json

    shown = services().people.page(caller(), person_id)
    return 200, {**person_json(shown.person), "audit": [entry_json(e) for e in shown.audit]}


@app.route("/people/{person_id}/disable", methods=["POST"], content_types=JSON)
@_guarded
def disable_person(person_id: str) -> tuple[int, Any]:
    services().people.disable(caller(), person_id)
    return 200, {"person_id": person_id, "enabled": False}


@app.route("/people/{person_id}/enable", methods=["POST"], content_types=JSON)
@_guarded
def enable_person(person_id: str) -> tuple[int, Any]:
    services().people.enable(caller(), person_id)
    return 200, {"person_id": person_id, "enabled": True}


@app.route("/people/{person_id}/reset-authenticator", methods=["POST"], content_types=JSON)
@_guarded
def reset_authenticator(person_id: str) -> tuple[int, Any]:
    services().people.reset_authenticator(caller(), person_id)
    return 200, {"person_id": person_id, "has_authenticator": False}


# -- practices: the service manager adds, edits, pauses, resumes, and lets one leave ----------
# Each change to a practice carries `read`, as its GET answered: a change made meanwhile is
# refused (409), never overwritten.

MANAGED = "/practices/manage"


def _without_read(body: Any) -> Any:
    return {k: v for k, v in body.items() if k != "read"} if isinstance(body, dict) else body


def _managed_practice(practice_ods: str) -> tuple[int, Any]:
    from workingbetter.domain.practices import entry_json, practice_json

    shown = services().practices.page(caller(), practice_ods)
    return 200, {**practice_json(shown.practice), "read": shown.read,
                 "open_referrals": shown.open_referrals,
                 "audit": [entry_json(e) for e in shown.audit]}


@app.route(MANAGED, methods=["GET"])
@_guarded
def list_managed_practices() -> tuple[int, Any]:
    from workingbetter.domain.practices import practice_json

    return 200, {"items": [practice_json(p) for p in services().practices.everyone(caller())]}


@app.route(MANAGED, methods=["POST"], content_types=JSON)
@_guarded
def add_practice() -> tuple[int, Any]:
    added = services().practices.add(caller(), _json_body())
    return 201, _managed_practice(added.practice_ods)[1]


@app.route(f"{MANAGED}/{{practice_ods}}", methods=["GET"])
@_guarded
def get_managed_practice(practice_ods: str) -> tuple[int, Any]:
    return _managed_practice(practice_ods)


@app.route(f"{MANAGED}/{{practice_ods}}", methods=["POST"], content_types=JSON)
@_guarded
def edit_practice(practice_ods: str) -> tuple[int, Any]:
    body = _json_body()
    services().practices.edit(caller(), practice_ods, _without_read(body), _text(body, "read"))
    return _managed_practice(practice_ods)


@app.route(f"{MANAGED}/{{practice_ods}}/pause", methods=["POST"], content_types=JSON)
@_guarded
def pause_practice(practice_ods: str) -> tuple[int, Any]:
    body = _json_body()
    services().practices.pause(caller(), practice_ods, _without_read(body), _text(body, "read"))
    return _managed_practice(practice_ods)


@app.route(f"{MANAGED}/{{practice_ods}}/resume", methods=["POST"], content_types=JSON)
@_guarded
def resume_practice(practice_ods: str) -> tuple[int, Any]:
    services().practices.resume(caller(), practice_ods, _text(_json_body(), "read"))
    return _managed_practice(practice_ods)


@app.route(f"{MANAGED}/{{practice_ods}}/leave", methods=["POST"], content_types=JSON)
@_guarded
def practice_leaves(practice_ods: str) -> tuple[int, Any]:
    body = _json_body()
    # Left out, they carry on: the safe choice. Any other value is refused by the service.
    wanted = body.get("open_referrals", "carry_on") if isinstance(body, dict) else "carry_on"
    ended = services().practices.leave(caller(), practice_ods, _text(body, "read"), wanted)
    return 200, {**_managed_practice(practice_ods)[1], "referrals_ended": ended}


# -- coaches: the service manager adds one, edits them, adds and removes their sessions -------
# As practices: each change carries `read`, as the coach's GET answered.

COACHES_MANAGED = "/coaches/manage"


def _managed_coach(coach_id: str) -> tuple[int, Any]:
    from workingbetter.domain.coaches import coach_json
    from workingbetter.domain.practices import entry_json

    shown = services().coaches.page(caller(), coach_id)
    return 200, {**coach_json(shown.coach, services().settings.caseload_cap), "read": shown.read,
                 "session_keys": [key for key, _ in shown.sessions],
                 "audit": [entry_json(e) for e in shown.audit]}


@app.route(COACHES_MANAGED, methods=["GET"])
@_guarded
def list_managed_coaches() -> tuple[int, Any]:
    from workingbetter.domain.coaches import coach_json

    full_time = services().settings.caseload_cap
    return 200, {"items": [coach_json(c, full_time)
                           for c in services().coaches.everyone(caller())]}


@app.route(COACHES_MANAGED, methods=["POST"], content_types=JSON)
@_guarded
def add_coach() -> tuple[int, Any]:
    added = services().coaches.add(caller(), _json_body())
    return 201, _managed_coach(added.coach_id)[1]


@app.route(f"{COACHES_MANAGED}/{{coach_id}}", methods=["GET"])
@_guarded
def get_managed_coach(coach_id: str) -> tuple[int, Any]:
    return _managed_coach(coach_id)


@app.route(f"{COACHES_MANAGED}/{{coach_id}}", methods=["POST"], content_types=JSON)
@_guarded
def edit_coach(coach_id: str) -> tuple[int, Any]:
    body = _json_body()
    services().coaches.edit(caller(), coach_id, _without_read(body), _text(body, "read"))
    return _managed_coach(coach_id)


@app.route(f"{COACHES_MANAGED}/{{coach_id}}/sessions", methods=["POST"], content_types=JSON)
@_guarded
def add_coach_session(coach_id: str) -> tuple[int, Any]:
    body = _json_body()
    services().coaches.add_session(caller(), coach_id, _without_read(body), _text(body, "read"))
    return _managed_coach(coach_id)


@app.route(f"{COACHES_MANAGED}/{{coach_id}}/sessions/remove", methods=["POST"],
           content_types=JSON)
@_guarded
def remove_coach_session(coach_id: str) -> tuple[int, Any]:
    body = _json_body()
    services().coaches.remove_session(caller(), coach_id, _text(body, "session"),
                                      _text(body, "read"))
    return _managed_coach(coach_id)
# -- a coach's absence: the service manager records the days away; their appointments move ----


def _coach_absences(coach_id: str) -> dict[str, Any]:
    from workingbetter.domain.absence import absence_json, entry_json

    shown = services().cover.page(caller(), coach_id)
    return {"coach_id": coach_id, "items": [absence_json(a) for a in shown.absences],
            "audit": [entry_json(e) for e in shown.audit]}


@app.route("/coaches/{coach_id}/absences", methods=["GET"])
@_guarded
def list_absences(coach_id: str) -> tuple[int, Any]:
    return 200, _coach_absences(coach_id)


@app.route("/coaches/{coach_id}/absences", methods=["POST"], content_types=JSON)
@_guarded
def add_absence(coach_id: str) -> tuple[int, Any]:
    from workingbetter.domain.absence import absence_json

    covered = services().cover.add_absence(caller(), coach_id, _json_body(), _key())
    return 201, {**absence_json(covered.absence), "moved": covered.moved,
                 "not_moved": covered.not_moved}


@app.route("/coaches/{coach_id}/absences/{absence_id}/cancel", methods=["POST"],
           content_types=JSON)
@_guarded
def cancel_absence(coach_id: str, absence_id: str) -> tuple[int, Any]:
    services().cover.cancel_absence(caller(), coach_id, absence_id)
    return 200, _coach_absences(coach_id)


@app.route("/referrals/{referral_id}/coach", methods=["POST"], content_types=JSON)
@_guarded
def move_referral(referral_id: str) -> tuple[int, Any]:
    moved = services().caseload_moves.move(caller(), referral_id, _json_body())
    return 200, {"referral_id": moved.referral_id, "coach_id": moved.coach_id,
                 "appointments_moved": moved.appointments}


def _caseload(coach_id: str) -> dict[str, Any]:
    shown = services().leaving.page(caller(), coach_id)
    return {"coach_id": coach_id, "left": shown.coach.left,
            "items": [{"referral_id": r.referral_id, "reference": r.reference,
                       "status": r.status} for r in shown.caseload],
            "coaches_with_places": [c.coach_id for c in shown.choices]}


@app.route("/coaches/{coach_id}/caseload", methods=["GET"])
@_guarded
def coach_caseload(coach_id: str) -> tuple[int, Any]:
    return 200, _caseload(coach_id)


@app.route("/coaches/{coach_id}/leave", methods=["POST"], content_types=JSON)
@_guarded
def coach_leaves(coach_id: str) -> tuple[int, Any]:
    left = services().leaving.leave(caller(), coach_id, _json_body())
    return 200, {**_caseload(coach_id), "moved": left.moved, "waitlisted": left.waitlisted}
