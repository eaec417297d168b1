"""A patient's right of access as pages (docs/right-of-access.md): the patient asks from their
own page; their coach or a service manager records a request made another way and produces the
copy, a page to print (or JSON, `?format=json`); ops and managers see the open requests with
their due dates (ids and dates only). The same service as the JSON API's routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Response

from workingbetter.domain import dates
from workingbetter.domain.access_requests import SEND_WORDS, VIA_WORDS, SendBy, Via
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import FieldError, InvalidInput
from workingbetter.routing import answers
from workingbetter.web.date_input import date_from_parts
from workingbetter.web.errors import FormErrorMap, PageErrors
from workingbetter.web.http import (
    FORM,
    Form,
    form_keys,
    html,
    kept_keys,
    page,
    posted_form,
    principal,
    redirect,
    request,
)
from workingbetter.web.patient_pages import _counted, _posted, _with_referral  # its guards
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

if TYPE_CHECKING:
    from workingbetter.domain.records.access import AccessRequest
    from workingbetter.domain.records.referral import Referral

SEND_BY = "Select how you would like your copy"
STAFF_ERRORS = FormErrorMap(
    {"received_on": "received_on", "via": "via", "send_by": "send_by"},
    required={"received_on": "Enter the date the request was received",
              "via": "Select how the request was made",
              "send_by": "Select how the patient wants their copy"},
    reworded={"received_on": {"Enter a real date as YYYY-MM-DD":
                              "The date the request was received must be a real date"}},
    dates={"received_on": "received"})
PATIENT_ERRORS = FormErrorMap({"send_by": "send_by"}, fallback="copy-form")
STAFF_VIA = [(v.value, VIA_WORDS[v], "") for v in Via if v is not Via.PATIENT_PAGE]


def _held_channels(item: Referral) -> list[tuple[str, str, str]]:
    """The ways the copy can reach the patient: by post to the address held, by email to the
    email held (a read of personal data: audited)."""
    held = services().patient_requests.details(item, "the patient's page asking for a copy")
    patient = held.patient if held else None
    found = []
    if patient is not None and patient.address is not None:
        found.append((SendBy.POST.value, SEND_WORDS[SendBy.POST],
                      f"To the address we hold, with the postcode {patient.address.postcode}"))
    if patient is not None and patient.email:
        from workingbetter.web.patient_pages import masked_email

        found.append((SendBy.EMAIL.value, SEND_WORDS[SendBy.EMAIL],
                      f"To {masked_email(patient.email)}"))
    return found


def _patient_page(token: str, item: Referral, errors: PageErrors, status: int = 200) -> Response:
    asked = services().subject_access.open_for(item.referral_id)
    return html("patient_copy.html", status, title="Ask for a copy of what we hold about you",
                token=token, errors=errors, asked=asked and _request_words(asked),
                channels=[] if asked else _held_channels(item))


@blueprint.route("/patient/{token}/copy", methods=["GET"])
@page
@_with_referral
def patient_copy_form(token: str, item: Referral) -> Response:
    """The question, or, once they have asked, when their copy is due."""
    return _patient_page(token, item, PageErrors())


@blueprint.route("/patient/{token}/copy", methods=["POST"], content_types=[FORM])
@page
@_with_referral
@_counted
def patient_asks_for_copy(token: str, item: Referral) -> Response:
    chosen = _posted().get("send_by")
    if chosen not in {value for value, _, _ in _held_channels(item)}:
        return _patient_page(token, item, PATIENT_ERRORS.page_errors([_send_by_error()]), 422)
    services().subject_access.ask_from_link(item, SendBy(chosen))
    return redirect(f"/patient/{token}/copy")


def _send_by_error() -> FieldError:
    return FieldError("send_by", SEND_BY)


def _request_words(asked: AccessRequest) -> dict[str, str]:
    return {"received": dates.day(asked.received_on), "due": dates.day(asked.due_on),
            "send_by": SEND_WORDS[asked.send_by].lower()}


# -- staff: the coach (their clients) and the service manager (anyone) ----------------------


def _staff_page(who: Principal, referral_id: str, form: Form, errors: PageErrors,
                status: int = 200, keys: Any = None) -> Response:
    from workingbetter.services.subject_access import request_view

    item, found = services().subject_access.of_referral_with_it(who, referral_id)
    requests = [request_view(r) for r in found]
    done = dict(request().query_params or {}).get("done") == "recorded"
    return html("access_requests.html", status, title="Right of access: copies of what we hold",
                principal=who, referral_id=referral_id,
                reference=item.reference or referral_id,
                requests=requests, via=STAFF_VIA,
                send_by=[(v.value, SEND_WORDS[v], "") for v in SendBy], form=form,
                errors=errors, keys=keys or form_keys(), done=done and status == 200,
                words={"via": VIA_WORDS, "send_by": SEND_WORDS})


@blueprint.route("/access-requests/{referral_id}", methods=["GET"])
@page
def staff_requests(referral_id: str) -> Response:
    who = principal()
    return _staff_page(who, services().referrals.resolve(referral_id), Form(), PageErrors())


@blueprint.route("/access-requests/{referral_id}", methods=["POST"], content_types=[FORM])
@page
def record_request(referral_id: str) -> Response:
    who = principal()
    form = posted_form()
    body = {"received_on": date_from_parts(form.get("received_day"), form.get("received_month"),
                                           form.get("received_year")),
            "via": form.get("via") or None, "send_by": form.get("send_by") or None}
    try:
        services().subject_access.record(who, referral_id,
                                         {k: v for k, v in body.items() if v is not None})
    except InvalidInput as error:
        return _staff_page(who, referral_id, form,
                           STAFF_ERRORS.page_errors(error.errors, form=form), 422,
                           kept_keys(form))
    return redirect(f"/access-requests/{referral_id}?done=recorded")


@blueprint.route("/access-requests/{referral_id}/copy", methods=["GET"])
@page
def produce_copy(referral_id: str) -> Response:
    """The copy, to print or to save as JSON (`?format=json`): produced, audited, and the
    patient's open request fulfilled."""
    who = principal()
    produced = services().subject_access.produce(who, referral_id)
    if dict(request().query_params or {}).get("format") == "json":
        return answers.json_answer(200, produced.as_json())
    return html("copy.html", title=f"What Working Better holds about you ({produced.reference})",
                principal=who, copy=produced, produced_at=dates.when(produced.produced_at),
                printable=True)


@blueprint.route("/access-requests", methods=["GET"])
@page
def open_requests() -> Response:
    """Ops and managers: every open request, soonest due first, overdue ones marked. Ids and
    dates only: the ops view shows no one's details."""
    from workingbetter.services.subject_access import request_view

    who = principal()
    shown = [request_view(r) for r in services().subject_access.still_open(who)]
    wanted = dict(request().query_params or {}).get("reference", "").strip()
    if wanted and Role.MANAGER in who.roles:  # a manager records a request made another way
        return redirect(f"/access-requests/{services().referrals.resolve(wanted[:40])}")
    ids = sorted({str(r["referral_id"]) for r in shown})
    references, coaches = services().subject_access.who_produces(who, ids)
    return html("access_open.html", title="Requests for a copy of what we hold", principal=who,
                requests=shown, references=references, coaches=coaches,
                words={"via": VIA_WORDS}, day=dates.day, manages=Role.MANAGER in who.roles)
