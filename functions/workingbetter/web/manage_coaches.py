"""/manage/coaches: the service manager's pages for the coaches: the list (their sessions in
words, days a week, places taken of their cap), adding one, changing their name and days a
week, and adding and removing their weekly surgery sessions, with the audit of what managers
did to them. Managers only; the same service as the JSON API's /coaches/manage.

Each form carries what its page read of the coach (`read`): a change someone made meanwhile
is never overwritten, and the form comes back (409) asking for a reload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain.absence import CoverAuditEntry
from workingbetter.domain.auth import Principal
from workingbetter.domain.coaches import CoachChange, in_order, session_words
from workingbetter.domain.errors import Conflict, DomainError, InvalidInput
from workingbetter.domain.slots import WEEKDAYS
from workingbetter.web.errors import FormErrorMap, PageErrors, only_message
from workingbetter.web.http import (
    FORM,
    Form,
    FormKeys,
    form_keys,
    html,
    kept_keys,
    manager,
    page,
    posted_form,
    redirect,
    request,
)
from workingbetter.web.manage_absences import audit_words as cover_words
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

if TYPE_CHECKING:  # the service, and pydantic with it, loads on first use
    from workingbetter.domain.coaches import CoachAuditEntry
    from workingbetter.services.coaches import CoachPage

COACHES = "/manage/coaches"
ADD = f"{COACHES}/add"
CHANGE_WORDS = {CoachChange.ADDED: "Added", CoachChange.EDITED: "Name or days changed",
                CoachChange.SESSION_ADDED: "Session added",
                CoachChange.SESSION_REMOVED: "Session removed"}
DONE = {"added": "Coach added: add their surgery sessions so that referrals can be booked",
        "edited": "Coach's details saved",
        "session_added": "Session added: booking uses it from now on",
        "session_removed": "Session removed: nothing more is booked in it"}
DETAIL_ERRORS = FormErrorMap({"coach_id": "coach_id", "name": "name",
                              "days_a_week": "days_a_week"})
SESSION_ERRORS = FormErrorMap({"practice_ods": "practice_ods", "weekday": "weekday",
                               "start": "start", "end": "end", "minutes": "minutes"})
DAYS = [(str(d), f"{d} day{'s' if d > 1 else ''} a week", "") for d in range(1, 6)]


def audit_words(entry: CoachAuditEntry | CoverAuditEntry) -> str:
    """One line of the coach's audit, whichever audit it came from."""
    return cover_words(entry) if isinstance(entry, CoverAuditEntry) else \
        CHANGE_WORDS[entry.change]


@blueprint.route(COACHES, methods=["GET"])
@page
def coach_list() -> Response:
    who = manager()
    coaches = services().coaches
    names = coaches.practice_names()
    full_time = services().settings.caseload_cap
    rows = [(c, [session_words(s, names.get(s.practice_ods, s.practice_ods))
                 for s in in_order(c.surgery_sessions)], c.cap(full_time))
            for c in coaches.everyone(who)]
    return html("manage_coaches.html", title="Coaches", principal=who, rows=rows,
                full_time=full_time)


def _details_page(who: Principal, form: Form, errors: PageErrors, keys: FormKeys | None = None,
                  status: int = 200, coach_id: str = "") -> Response:
    return html("manage_coach_form.html", status,
                title="Change the coach's details" if coach_id else "Add a coach",
                principal=who, form=form, errors=errors, keys=keys or form_keys(),
                coach_id=coach_id, days=DAYS, full_time=services().settings.caseload_cap)


def details(form: Form, adding: bool) -> dict[str, object]:
    """The form as the service reads a coach (a days box left empty is not a number)."""
    days = form.get("days_a_week")
    ids = {"coach_id": form.get("coach_id")} if adding else {}
    return {**ids, "name": form.get("name"),
            "days_a_week": int(days) if days.isdigit() else days}


@blueprint.route(ADD, methods=["GET"])
@page
def add_form() -> Response:
    return _details_page(manager(), Form(), PageErrors())


@blueprint.route(ADD, methods=["POST"], content_types=[FORM])
@page
def add() -> Response:
    who = manager()
    form = posted_form()
    try:
        added = services().coaches.add(who, details(form, adding=True))
    except (InvalidInput, Conflict) as error:
        return _details_page(who, form, _errors(error, DETAIL_ERRORS), kept_keys(form),
                             _status(error))
    return redirect(f"{COACHES}/{added.coach_id}?done=added")


def _coach_page(who: Principal, shown: CoachPage, errors: PageErrors | None = None,
                status: int = 200) -> Response:
    done = DONE.get(dict(request().query_params or {}).get("done", ""), "")
    people = services().people
    return html("manage_coach.html", status, title=shown.coach.name or shown.coach.coach_id,
                principal=who, shown=shown, audit_words=audit_words,
                done=done if status == 200 else "", keys=form_keys(),
                errors=errors or PageErrors(),
                account=people.account_of_coach(who, shown.coach.coach_id),
                names=people.names_of({e.by for e in shown.audit}))


@blueprint.route(f"{COACHES}/{{coach_id}}", methods=["GET"])
@page
def coach_page(coach_id: str) -> Response:
    who = manager()
    return _coach_page(who, services().coaches.page(who, coach_id))


@blueprint.route(f"{COACHES}/{{coach_id}}/edit", methods=["GET"])
@page
def edit_form(coach_id: str) -> Response:
    who = manager()
    shown = services().coaches.page(who, coach_id)
    form = Form({"name": [shown.coach.name], "days_a_week": [str(shown.coach.days_a_week)],
                 "read": [shown.read]})
    return _details_page(who, form, PageErrors(), coach_id=coach_id)


@blueprint.route(f"{COACHES}/{{coach_id}}/edit", methods=["POST"], content_types=[FORM])
@page
def edit(coach_id: str) -> Response:
    who = manager()
    form = posted_form()
    try:
        services().coaches.edit(who, coach_id, details(form, adding=False), form.get("read"))
    except (InvalidInput, Conflict) as error:
        return _details_page(who, form, _errors(error, DETAIL_ERRORS), kept_keys(form),
                             _status(error), coach_id)
    return redirect(f"{COACHES}/{coach_id}?done=edited")


def _session_page(who: Principal, coach_id: str, form: Form, errors: PageErrors,
                  keys: FormKeys | None = None, status: int = 200) -> Response:
    practices = services().coaches.taking_part()
    return html("manage_coach_session.html", status, title="Add a surgery session",
                principal=who, form=form, errors=errors, keys=keys or form_keys(),
                coach_id=coach_id,
                practices=[(p.practice_ods, p.name, "") for p in practices],
                weekdays=[(str(i), d.capitalize(), "") for i, d in enumerate(WEEKDAYS)])


@blueprint.route(f"{COACHES}/{{coach_id}}/sessions/add", methods=["GET"])
@page
def session_form(coach_id: str) -> Response:
    who = manager()
    shown = services().coaches.page(who, coach_id)
    return _session_page(who, coach_id, Form({"read": [shown.read], "minutes": ["60"]}),
                         PageErrors())


def session_fields(form: Form) -> dict[str, object]:
    """The form as the service reads a session (numbers as numbers once they are)."""
    number = {name: int(form.get(name)) if form.get(name).isdigit() else form.get(name)
              for name in ("weekday", "minutes")}
    return {"practice_ods": form.get("practice_ods"), "start": form.get("start"),
            "end": form.get("end"), **number}


@blueprint.route(f"{COACHES}/{{coach_id}}/sessions/add", methods=["POST"], content_types=[FORM])
@page
def add_session(coach_id: str) -> Response:
    who = manager()
    form = posted_form()
    try:
        services().coaches.add_session(who, coach_id, session_fields(form), form.get("read"))
    except (InvalidInput, Conflict) as error:
        return _session_page(who, coach_id, form, _errors(error, SESSION_ERRORS),
                             kept_keys(form), _status(error))
    return redirect(f"{COACHES}/{coach_id}?done=session_added")


@blueprint.route(f"{COACHES}/{{coach_id}}/sessions/remove", methods=["POST"],
                 content_types=[FORM])
@page
def remove_session(coach_id: str) -> Response:
    who = manager()
    form = posted_form()
    try:
        services().coaches.remove_session(who, coach_id, form.get("session"), form.get("read"))
    except Conflict as error:
        return _coach_page(who, services().coaches.page(who, coach_id),
                           only_message(error.detail), 409)
    return redirect(f"{COACHES}/{coach_id}?done=session_removed")


def _errors(error: InvalidInput | Conflict, fields: FormErrorMap) -> PageErrors:
    return fields.page_errors(error.errors) if error.errors else only_message(error.detail)


def _status(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 422
