"""/practice: practice staff follow their practice's referrals, find one by its reference or the
patient's NHS number, read what its status means, and withdraw it on the patient's behalf."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain import nhs_number
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.disclosure import PRACTICE_STAGES
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput
from workingbetter.domain.referral import LEAVING_REASONS, TERMINAL
from workingbetter.services import listing
from workingbetter.web import practice_words
from workingbetter.web.errors import FormErrorMap, PageErrors, only_message
from workingbetter.web.http import (
    FORM,
    Form,
    FormKeys,
    form_keys,
    html,
    kept_keys,
    page,
    page_links,
    posted_form,
    principal,
    redirect,
    request,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

if TYPE_CHECKING:
    from collections.abc import Callable

    from workingbetter.domain.records.patient import PersonalData
    from workingbetter.services.referral_reading import PracticeList

SEARCH_ERRORS = FormErrorMap(anchors={"q": "q", "name": "name", "date_of_birth": "dob-day"})
WITHDRAW_ERRORS = FormErrorMap(anchors={"exit_reason": "exit-reason", "reason": "reason"})
CHOOSE_A_REASON = "Select why the patient is leaving"


def _referrer() -> Principal:
    who = principal()
    who.require(Role.REFERRER)
    return who


def _query() -> dict[str, str]:
    return dict(request().query_params or {})


@blueprint.route("/practice", methods=["GET"])
@page
def practice_list() -> Response:
    """The list, a page at a time, by status. A search is posted (below), never asked for in
    the address: an NHS number in a URL lands in access logs and the browser's history."""
    who = _referrer()
    query = _query()
    paging = listing.parse({k: v for k, v in query.items() if k in ("cursor", "status")})
    return _list_page(who, paging, Form())


@blueprint.route("/practice", methods=["POST"], content_types=[FORM])
@page
def practice_search() -> Response:
    """The referrals a reference, an NHS number, or a name and date of birth find, shown in
    the answer to the post itself: no redirect, no link and no stored search carries what was
    typed (a name or a date of birth in a URL would land in access logs and the browser's
    history; a search kept on the server would be personal data to expire and erase)."""
    who = _referrer()
    form = posted_form()
    referrals = services().referrals
    if form.get("by") == "name":
        from workingbetter.services.referral_reading import NameSearch

        asked = NameSearch(form.get("name"), form.get("dob_day"), form.get("dob_month"),
                           form.get("dob_year"))
        return _list_page(who, listing.ListRequest(), form,
                          lambda: referrals.find_by_name(who, asked))
    search = form.get("q")
    return _list_page(who, listing.ListRequest(), form,
                      lambda: referrals.practice_list(who, listing.ListRequest(), search))


def _list_page(who: Principal, paging: listing.ListRequest, form: Form,
               search: Callable[[], PracticeList] | None = None) -> Response:
    errors = PageErrors()
    try:
        shown = search() if search else services().referrals.practice_list(who, paging)
    except InvalidInput as error:
        errors = SEARCH_ERRORS.page_errors(error.errors)
        shown = services().referrals.practice_list(who, paging)
    searched = search is not None and not errors  # else the list shown is every referral's
    from workingbetter.services.referral_reading import (
        view,  # pydantic: loads with the first request
    )

    status = paging.stage
    rows = [_row(view(who, item, None, summary=True), shown.patients.get(item.referral_id))
            for item in shown.page.items]
    return html("practice.html", 422 if errors else 200, title="Your practice's referrals",
                principal=who, active="/practice", rows=rows, form=form, searched=searched,
                chosen=status, errors=errors, keys=form_keys(),
                statuses=[(s, practice_words.MEANINGS[s].status) for s in PRACTICE_STAGES],
                pages={} if searched else page_links("/practice", shown.page, status=status))


def _row(item: dict[str, object], personal: PersonalData | None) -> dict[str, object]:
    """A row of the list, from the referral's summary (see referrals.view)."""
    details = personal.patient if personal else None
    return {
        "referral_id": item["referral_id"],
        "link": f"/practice/referrals/{item.get('reference') or item['referral_id']}",
        "reference": item.get("reference") or "",
        "patient": f"{details.given_name} {details.family_name}" if details
        else "Details deleted",
        "nhs_number": nhs_number.display(details.nhs_number) if details else "",
        "created_at": item["created_at"],
        "status": practice_words.meaning(item).status,
        "tag": str(item["status"]),
        "next_step": practice_words.next_step(item),
    }


@blueprint.route("/practice/referrals/{referral_id}", methods=["GET"])
@page
def practice_referral(referral_id: str) -> Response:
    who = _referrer()
    s = services()
    found = s.referrals.resolve(referral_id)
    shown = s.referrals.get(who, found)
    practice = s.staff.practice(str(shown["practice_ods"]))
    told = s.messages.told_of_appointment(found)
    return html("practice_referral.html", title=f"Referral {shown.get('reference') or ''}",
                principal=who, active="/practice", referral=shown, practice=practice,
                meaning=practice_words.meaning(shown),
                explained=practice_words.explained(shown, told),
                timeline=practice_words.timeline(shown),
                live=shown["status"] not in TERMINAL,
                withdrawn=_query().get("withdrawn") == "yes")


def _withdraw_page(who: Principal, referral_id: str, form: Form, errors: PageErrors,
                   status: int = 200, keys: FormKeys | None = None) -> Response:
    s = services()
    shown = s.referrals.get(who, s.referrals.resolve(referral_id))
    if shown["status"] in TERMINAL:
        return redirect(f"/practice/referrals/{referral_id}")
    return html("practice_withdraw.html", status, title="Withdraw the referral",
                principal=who, active="/practice", referral=shown, form=form, errors=errors,
                keys=keys or form_keys(), exit_reasons=[str(r) for r in LEAVING_REASONS])


@blueprint.route("/practice/referrals/{referral_id}/withdraw", methods=["GET"])
@page
def withdraw_form(referral_id: str) -> Response:
    """The confirmation step: nothing happens until its button is pressed."""
    return _withdraw_page(_referrer(), referral_id, Form(), PageErrors())


@blueprint.route("/practice/referrals/{referral_id}/withdraw", methods=["POST"],
                 content_types=[FORM])
@page
def withdraw(referral_id: str) -> Response:
    who = _referrer()
    form = posted_form()
    s = services()
    found = s.referrals.resolve(referral_id)
    body = {"exit_reason": form.get("exit_reason"), "reason": form.get("reason") or None,
            "erase_personal_data": form.get("erase") == "yes"}
    keys = kept_keys(form)
    if not body["exit_reason"]:  # the API takes none as the patient's wish; the page asks
        errors = [FieldError("exit_reason", CHOOSE_A_REASON)]
        return _withdraw_page(who, referral_id, form, WITHDRAW_ERRORS.page_errors(errors), 422,
                              keys)
    try:
        s.withdrawals.withdraw(who, found, body)
    except InvalidInput as error:
        return _withdraw_page(who, referral_id, form, WITHDRAW_ERRORS.page_errors(error.errors),
                              422, keys)
    except Conflict as error:
        return _withdraw_page(who, referral_id, form, only_message(error.detail), 409, keys)
    return redirect(f"/practice/referrals/{referral_id}?withdrawn=yes")
