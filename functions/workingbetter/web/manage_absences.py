"""/manage/coaches/{coach_id}/absences: the service manager records the days a coach is away
(leave or sickness: never which, nor why), sees how many appointments moved, cancels one
still to come, and reads what managers did. Managers only; the same service as the JSON API's
/coaches/{coach_id}/absences. The form's nonce is its key: sent twice, it records once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain import dates
from workingbetter.domain.absence import CoverAuditEntry, CoverChange
from workingbetter.domain.errors import Conflict, InvalidInput, NotFound
from workingbetter.web.date_input import date_from_parts
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

if TYPE_CHECKING:
    from workingbetter.domain.auth import Principal

ABSENCES = "/manage/coaches/{coach_id}/absences"


def audit_words(entry: CoverAuditEntry) -> str:
    """What a manager did, in plain words: dates, references and counts, never a patient."""
    days = f"{dates.day(entry.first)} to {dates.day(entry.last)}" if entry.first and \
        entry.last else ""
    moved = f"{entry.moved} {'appointment' if entry.moved == 1 else 'appointments'} moved"
    words = {
        CoverChange.ABSENCE_ADDED: f"Absence recorded ({days}, {moved})",
        CoverChange.ABSENCE_CANCELLED: f"Absence cancelled ({days})",
        CoverChange.REFERRAL_MOVED_IN: f"Referral {entry.reference} moved in from "
                                       f"{entry.other_coach} ({moved})",
        CoverChange.REFERRAL_MOVED_OUT: f"Referral {entry.reference} moved to "
                                        f"{entry.other_coach} ({moved})",
        CoverChange.LEFT: f"Left the service ({entry.moved} "
                          f"{'referral' if entry.moved == 1 else 'referrals'} handed over)",
    }
    return words[entry.change]
DATES = FormErrorMap(
    {"from": "from", "to": "to"}, dates={"from": "from", "to": "to"},
    required={"from": "Enter the first day away", "to": "Enter the last day away"},
    reworded={"from": {"Enter the first day away as a real date, like 2027-01-04":
                       "The first day away must be a real date, like 4 1 2027"},
              "to": {"Enter the last day away as a real date, like 2027-01-08":
                     "The last day away must be a real date, like 8 1 2027"}})


def _path(coach_id: str) -> str:
    return ABSENCES.format(coach_id=coach_id)


def _page(who: Principal, coach_id: str, form: Form | None = None,
          errors: PageErrors | None = None, keys: FormKeys | None = None,
          status: int = 200) -> Response:
    shown = services().cover.page(who, coach_id)
    query = dict(request().query_params or {}) if status == 200 else {}
    return html("manage_absences.html", status, title="Absences", principal=who, shown=shown,
                form=form or Form(), errors=errors or PageErrors(), keys=keys or form_keys(),
                new_keys=form_keys(), moved=query.get("moved"),
                not_moved=query.get("not_moved"), cancelled="cancelled" in query,
                today=services().cover.today(), audit_words=audit_words,
                names=services().people.names_of({e.by for e in shown.audit}))


@blueprint.route(ABSENCES, methods=["GET"])
@page
def absences(coach_id: str) -> Response:
    return _page(manager(), coach_id)


@blueprint.route(ABSENCES, methods=["POST"], content_types=[FORM])
@page
def add(coach_id: str) -> Response:
    who = manager()
    form = posted_form()
    body = {name: date_from_parts(form.get(f"{name}_day"), form.get(f"{name}_month"),
                                  form.get(f"{name}_year")) for name in ("from", "to")}
    try:
        covered = services().cover.add_absence(
            who, coach_id, {k: v for k, v in body.items() if v is not None}, form.get("nonce"))
    except (InvalidInput, Conflict) as error:
        errors = DATES.page_errors(error.errors, form=form) if error.errors else \
            only_message(error.detail)
        return _page(who, coach_id, form, errors, kept_keys(form),
                     409 if isinstance(error, Conflict) else 422)
    return redirect(f"{_path(coach_id)}?moved={covered.moved}&not_moved={covered.not_moved}")


@blueprint.route(f"{ABSENCES}/{{absence_id}}/cancel", methods=["POST"], content_types=[FORM])
@page
def cancel(coach_id: str, absence_id: str) -> Response:
    who = manager()
    posted_form()
    try:
        services().cover.cancel_absence(who, coach_id, absence_id)
    except Conflict as error:
        return _page(who, coach_id, errors=only_message(error.detail), status=409)
    except NotFound:
        pass  # cancelled already (a second click): the list shows it gone
    return redirect(f"{_path(coach_id)}?cancelled")
