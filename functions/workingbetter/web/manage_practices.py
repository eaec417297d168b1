"""/manage/practices: the service manager's pages for the practices that take part: the list
(taking referrals, paused and why, or left), adding one, editing its details, pausing its new
referrals with a reason and resuming them, and letting it leave the pilot, with the audit of
what managers did to it. Managers only; the same service as the JSON API's /practices/manage.

Each form carries what its page read of the practice (`read`): a change someone made
meanwhile is never overwritten, and the form comes back (409) asking for a reload."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain.auth import Principal
from workingbetter.domain.errors import Conflict, DomainError, InvalidInput
from workingbetter.domain.practices import CARRY_ON, PracticeAuditEntry, PracticeChange
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
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

if TYPE_CHECKING:  # the service, and pydantic with it, loads on first use
    from workingbetter.services.practices import PracticePage

PRACTICES = "/manage/practices"
ADD = f"{PRACTICES}/add"
CHANGE_WORDS = {PracticeChange.ADDED: "Added", PracticeChange.EDITED: "Details changed",
                PracticeChange.PAUSED: "New referrals paused",
                PracticeChange.RESUMED: "New referrals resumed",
                PracticeChange.LEFT: "Left the pilot",
                PracticeChange.REFERRALS_ENDED: "Its open referrals ended, each patient told"}


def audit_words(entry: PracticeAuditEntry) -> str:
    return CHANGE_WORDS[entry.change]


DONE = {"added": "Practice added: it takes referrals now",
        "edited": "Practice details saved",
        "paused": "New referrals paused: the referral form says so, and why",
        "resumed": "New referrals resumed",
        "left": "The practice has left the pilot: its open referrals carry on",
        "ended": "The practice has left the pilot: its open referrals have ended, and each "
                 "patient is being told"}
DETAIL_ERRORS = FormErrorMap({"practice_ods": "practice_ods", "name": "name", "email": "email",
                              "address": "address", "phone": "phone", "rooms": "rooms"})
PAUSE_ERRORS = FormErrorMap({"reason": "reason", "open_referrals": "ending"})


def details(form: Form, adding: bool) -> dict[str, object]:
    """The form as the service reads a practice: one room a line."""
    rooms = [line.strip() for line in form.get("rooms").splitlines() if line.strip()]
    ods = {"practice_ods": form.get("practice_ods")} if adding else {}
    return {**ods, **{name: form.get(name) for name in ("name", "email", "address", "phone")},
            "rooms": rooms}


@blueprint.route(PRACTICES, methods=["GET"])
@page
def practice_list() -> Response:
    who = manager()
    return html("manage_practices.html", title="Practices", principal=who,
                practices=services().practices.everyone(who))


def _details_page(who: Principal, form: Form, errors: PageErrors, keys: FormKeys | None = None,
                  status: int = 200, practice_ods: str = "") -> Response:
    return html("manage_practice_form.html", status,
                title="Change the practice's details" if practice_ods else "Add a practice",
                principal=who, form=form, errors=errors, keys=keys or form_keys(),
                practice_ods=practice_ods)


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
        added = services().practices.add(who, details(form, adding=True))
    except (InvalidInput, Conflict) as error:
        return _details_page(who, form, _errors(error, DETAIL_ERRORS), kept_keys(form),
                             _status(error))
    return redirect(f"{PRACTICES}/{added.practice_ods}?done=added")


def _practice_page(who: Principal, shown: PracticePage, errors: PageErrors | None = None,
                   form: Form | None = None, status: int = 200) -> Response:
    done = DONE.get(dict(request().query_params or {}).get("done", ""), "")
    return html("manage_practice.html", status, title=shown.practice.name, principal=who,
                shown=shown, audit_words=audit_words, done=done if status == 200 else "",
                keys=form_keys(), errors=errors or PageErrors(), form=form or Form(),
                names=services().people.names_of({e.by for e in shown.audit}))


@blueprint.route(f"{PRACTICES}/{{practice_ods}}", methods=["GET"])
@page
def practice_page(practice_ods: str) -> Response:
    who = manager()
    return _practice_page(who, services().practices.page(who, practice_ods))


@blueprint.route(f"{PRACTICES}/{{practice_ods}}/edit", methods=["GET"])
@page
def edit_form(practice_ods: str) -> Response:
    who = manager()
    shown = services().practices.page(who, practice_ods)
    held = shown.practice
    form = Form({"name": [held.name], "email": [held.email], "address": [held.address],
                 "phone": [held.phone], "rooms": ["\n".join(held.rooms)], "read": [shown.read]})
    return _details_page(who, form, PageErrors(), practice_ods=practice_ods)


@blueprint.route(f"{PRACTICES}/{{practice_ods}}/edit", methods=["POST"], content_types=[FORM])
@page
def edit(practice_ods: str) -> Response:
    who = manager()
    form = posted_form()
    try:
        services().practices.edit(who, practice_ods, details(form, adding=False),
                                  form.get("read"))
    except (InvalidInput, Conflict) as error:
        return _details_page(who, form, _errors(error, DETAIL_ERRORS), kept_keys(form),
                             _status(error), practice_ods)
    return redirect(f"{PRACTICES}/{practice_ods}?done=edited")


def _status_changed(practice_ods: str, change: Callable[[Principal, str, Form], object],
                    done: str) -> Response:
    who = manager()
    form = posted_form()
    try:
        change(who, practice_ods, form)
    except (InvalidInput, Conflict) as error:
        return _practice_page(who, services().practices.page(who, practice_ods),
                              _errors(error, PAUSE_ERRORS), form, _status(error))
    return redirect(f"{PRACTICES}/{practice_ods}?done={done}")


@blueprint.route(f"{PRACTICES}/{{practice_ods}}/pause", methods=["POST"], content_types=[FORM])
@page
def pause(practice_ods: str) -> Response:
    return _status_changed(practice_ods, lambda who, ods, form: services().practices.pause(
        who, ods, {"reason": form.get("reason")}, form.get("read")), "paused")


@blueprint.route(f"{PRACTICES}/{{practice_ods}}/resume", methods=["POST"], content_types=[FORM])
@page
def resume(practice_ods: str) -> Response:
    return _status_changed(practice_ods, lambda who, ods, form: services().practices.resume(
        who, ods, form.get("read")), "resumed")


@blueprint.route(f"{PRACTICES}/{{practice_ods}}/leave", methods=["POST"], content_types=[FORM])
@page
def leave(practice_ods: str) -> Response:
    ending = posted_form().get("open_referrals") == "end"
    return _status_changed(practice_ods, lambda who, ods, form: services().practices.leave(
        who, ods, form.get("read"), form.get("open_referrals") or CARRY_ON),
        "ended" if ending else "left")


def _errors(error: InvalidInput | Conflict, fields: FormErrorMap) -> PageErrors:
    return fields.page_errors(error.errors) if error.errors else only_message(error.detail)


def _status(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 422
