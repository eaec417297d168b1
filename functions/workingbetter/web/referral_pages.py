"""/referrals/new: practice staff refer a patient. Errors come back on the form, with what was
typed kept; the hidden nonce is the Idempotency-Key, so a double click refers once."""

from __future__ import annotations

import time
from typing import Any

from chalice.app import Response

from workingbetter.domain import triage
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, InvalidInput
from workingbetter.domain.idempotency import KeyReused
from workingbetter.domain.practices import not_taking
from workingbetter.web import referral_form
from workingbetter.web.errors import PageErrors, already_sent, only_message
from workingbetter.web.http import (
    FORM,
    Form,
    FormKeys,
    form_keys,
    html,
    kept_keys,
    page,
    posted_form,
    principal,
    redirect,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services, settings

IN_FLIGHT = "still being submitted"  # the first of two identical posts has not finished yet
IN_FLIGHT_WAIT = (0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0)


def _form_page(who: Principal, form: Form, errors: PageErrors, status: int = 200,
               keys: FormKeys | None = None) -> Response:
    practice = services().staff.practice(str(who.practice_ods))
    return html("referral_form.html", status, title="Refer a patient", principal=who,
                active="/referrals/new", form=form, errors=errors, practice=practice,
                not_taking=not_taking(practice) if practice else None,
                keys=keys or form_keys(), conditions=referral_form.CONDITIONS,
                contact=referral_form.CONTACT, employment=referral_form.EMPLOYMENT,
                eligibility=triage.ELIGIBILITY)


@blueprint.route("/referrals/new", methods=["GET"])
@page
def new_referral() -> Response:
    who = principal()
    who.require(Role.REFERRER)
    return _form_page(who, Form(), PageErrors())


def _submit(who: Principal, body: dict[str, Any], key: str) -> dict[str, Any]:
    """Submit; a second identical post waits for the first instead of failing."""
    for pause in (*IN_FLIGHT_WAIT, None):
        try:
            return services().referrals.submit(who, body, key, blueprint.lambda_context)
        except Conflict as error:
            if pause is None or IN_FLIGHT not in error.detail:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def _check_page(who: Principal, form: Form, keys: FormKeys) -> Response:
    return html("referral_check.html", title="Check the referral before sending it",
                principal=who, active="/referrals/new", keys=keys,
                answers=referral_form.answers(form), carried=referral_form.carried(form))


@blueprint.route("/referrals/new", methods=["POST"], content_types=[FORM])
@page
def submit_referral() -> Response:
    """Three steps on one address, so that nothing typed goes in a URL or is kept on the
    server before it is sent: the form, checked, shows the answers ("check your answers");
    a Change button there posts them back to the form; "Send referral" sends them."""
    who = principal()
    who.require(Role.REFERRER)
    form = posted_form()
    # The same nonce (and so the same Idempotency-Key) on the re-rendered form and on the
    # check-your-answers page: the referral submits once however often it is sent.
    keys = kept_keys(form)
    if form.get("change"):
        return _form_page(who, form, PageErrors(), 200, keys)
    body = referral_form.referral_body(form, who.practice_ods)
    if form.get("confirmed") != "yes":
        try:
            services().referrals.check(who, body)
        except InvalidInput as error:
            return _form_page(who, form, referral_form.ERRORS.page_errors(error.errors), 422,
                              keys)
        return _check_page(who, form, keys)
    try:
        created = _submit(who, body, form.get("nonce"))
    except InvalidInput as error:
        return _form_page(who, form, referral_form.ERRORS.page_errors(error.errors), 422, keys)
    except KeyReused:  # shown with a key of its own: sending it again is a new referral
        return _form_page(who, form, already_sent("referral-form", "your practice's referrals"),
                          409)
    except Conflict as error:
        return _form_page(who, form, only_message(error.detail, "referral-form"), 409, keys)
    # Post/Redirect/Get: reloading the confirmation does not send the form again.
    return redirect(f"/practice/referrals/{created['reference']}/sent")


@blueprint.route("/practice/referrals/{referral_id}/sent", methods=["GET"])
@page
def referral_sent(referral_id: str) -> Response:
    who = principal()
    who.require(Role.REFERRER)
    sent = services().referrals.summary(who, referral_id)
    return html("referral_sent.html", title="Referral sent", principal=who,
                active="/referrals/new", referral=sent)


@blueprint.route("/leaflet", methods=["GET"])
@page
def leaflet() -> Response:
    """What the practice gives or prints for the patient: what Working Better is, that it is
    voluntary, how to leave and how to reach the service. No sign-in: it names nobody."""
    return html("leaflet.html", title="Working Better: a leaflet for patients", printable=True,
                phone=settings().service_phone)
