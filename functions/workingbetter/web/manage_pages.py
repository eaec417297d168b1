"""/manage/people: the service manager's pages for people (staff accounts, never a patient):
who can see what, inviting someone, and on a person's page disabling a leaver or resetting a
lost authenticator app, with the audit of what managers did to that account. Managers only;
the same service as the JSON API's /people."""

from __future__ import annotations

from chalice.app import Response

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, InvalidInput
from workingbetter.domain.people import INVITABLE, Change
from workingbetter.web import people as staff_names
from workingbetter.web.errors import FormErrorMap, PageErrors, only_message
from workingbetter.web.http import (
    FORM,
    Form,
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

PEOPLE = "/manage/people"
INVITE = f"{PEOPLE}/invite"
ROLE_HINTS = {Role.REFERRER: "Refers patients from one practice and follows their referrals",
              Role.COACH: "Works with their own clients",
              Role.OPS: "Watches the runs: ids and times, never a patient's details",
              Role.COMMISSIONER: "Reads outcome reports: counts and rates only",
              Role.MANAGER: "Invites people, disables leavers, resets authenticator apps"}
CHANGE_WORDS = {Change.INVITED: "Invited", Change.DISABLED: "Disabled",
                Change.ENABLED: "Enabled again",
                Change.AUTHENTICATOR_RESET: "Authenticator app reset"}
DONE = {"invited": "Invitation sent: they will get an email with a temporary password",
        "disabled": "Account disabled: they have been signed out everywhere",
        "enabled": "Account enabled again: they can sign in with their password and app",
        "reset": "Authenticator app reset: they will set up a new one when they next sign in"}
INVITE_ERRORS = FormErrorMap({"email": "email", "name": "name", "role": "role",
                              "practice_ods": "practice_ods", "coach_id": "coach_id"})


@blueprint.route(PEOPLE, methods=["GET"])
@page
def people_list() -> Response:
    who = manager()
    return html("manage_people.html", title="People", principal=who,
                people=services().people.everyone(who), names=staff_names.names(),
                roles=staff_names.ROLE_WORDS)


def _invite_page(who: Principal, form: Form, errors: PageErrors, keys: object = None,
                 status: int = 200) -> Response:
    names = staff_names.names(fresh=True)  # a practice or coach added a moment ago is offered
    return html("manage_invite.html", status, title="Invite someone", principal=who,
                form=form, errors=errors, keys=keys or form_keys(),
                roles=[(str(r), staff_names.ROLE_WORDS[r].capitalize(), ROLE_HINTS[r])
                       for r in INVITABLE],
                practices=names.practices, coaches=names.coach_choices())


@blueprint.route(INVITE, methods=["GET"])
@page
def invite_form() -> Response:
    return _invite_page(manager(), Form(), PageErrors())


@blueprint.route(INVITE, methods=["POST"], content_types=[FORM])
@page
def invite() -> Response:
    who = manager()
    form = posted_form()
    people = services().people
    try:
        role = form.get("role")
        invited = people.check_invitation(
            who, form.get("email"), form.get("name"), role,
            form.get("coach_id") if role == Role.COACH else form.get("practice_ods"))
        person_id = people.invite(who, invited)
    except InvalidInput as error:
        return _invite_page(who, form, INVITE_ERRORS.page_errors(error.errors),
                            kept_keys(form), 422)
    except Conflict as error:
        return _invite_page(who, form, INVITE_ERRORS.page_errors(error.errors)
                            if error.errors else only_message(error.detail),
                            kept_keys(form), 409)
    return redirect(f"{PEOPLE}/{person_id}?done=invited")


@blueprint.route(f"{PEOPLE}/{{person_id}}", methods=["GET"])
@page
def person_page(person_id: str) -> Response:
    who = manager()
    shown = services().people.page(who, person_id)
    done = DONE.get(dict(request().query_params or {}).get("done", ""), "")
    return html("manage_person.html", title=shown.person.name or shown.person.email,
                principal=who, shown=shown, names=staff_names.names(),
                roles=staff_names.ROLE_WORDS, changes=CHANGE_WORDS, done=done,
                keys=form_keys(), is_self=person_id == who.subject)


@blueprint.route(f"{PEOPLE}/{{person_id}}/disable", methods=["POST"], content_types=[FORM])
@page
def disable(person_id: str) -> Response:
    who = manager()
    posted_form()
    services().people.disable(who, person_id)
    return redirect(f"{PEOPLE}/{person_id}?done=disabled")


@blueprint.route(f"{PEOPLE}/{{person_id}}/enable", methods=["POST"], content_types=[FORM])
@page
def enable(person_id: str) -> Response:
    who = manager()
    posted_form()
    services().people.enable(who, person_id)
    return redirect(f"{PEOPLE}/{person_id}?done=enabled")


@blueprint.route(f"{PEOPLE}/{{person_id}}/reset-authenticator", methods=["POST"],
                 content_types=[FORM])
@page
def reset_authenticator(person_id: str) -> Response:
    who = manager()
    posted_form()
    services().people.reset_authenticator(who, person_id)
    return redirect(f"{PEOPLE}/{person_id}?done=reset")
