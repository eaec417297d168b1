"""/manage/referrals/{referral_id}/move: the service manager moves one referral to another
coach at its practice with a free place. The page names the referral by its reference, status
and coach: never the patient. Managers only; the same service as the JSON API's
POST /referrals/{referral_id}/coach."""

from __future__ import annotations

from chalice.app import Response

from workingbetter.domain.auth import Principal
from workingbetter.domain.errors import Conflict, InvalidInput
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

MOVE = "/manage/referrals/{referral_id}/move"
CHOICE = FormErrorMap({"coach_id": "coach_id"},
                      required={"coach_id": "Choose the coach the referral moves to"})


def _page(who: Principal, referral_id: str, form: Form | None = None,
          errors: PageErrors | None = None, keys: FormKeys | None = None,
          status: int = 200) -> Response:
    shown = services().caseload_moves.page(who, referral_id)
    query = dict(request().query_params or {}) if status == 200 else {}
    return html("manage_move.html", status, title="Move a referral to another coach",
                principal=who, shown=shown, form=form or Form(),
                errors=errors or PageErrors(), keys=keys or form_keys(),
                moved=query.get("moved"))


@blueprint.route(MOVE, methods=["GET"])
@page
def move_form(referral_id: str) -> Response:
    return _page(manager(), referral_id)


@blueprint.route(MOVE, methods=["POST"], content_types=[FORM])
@page
def move(referral_id: str) -> Response:
    who = manager()
    form = posted_form()
    try:
        moved = services().caseload_moves.move(who, referral_id,
                                               {"coach_id": form.get("coach_id")})
    except (InvalidInput, Conflict) as error:
        errors = CHOICE.page_errors(error.errors) if error.errors else \
            only_message(error.detail)
        return _page(who, referral_id, form, errors, kept_keys(form),
                     409 if isinstance(error, Conflict) else 422)
    return redirect(f"{MOVE.format(referral_id=referral_id)}?moved={moved.appointments}")
