"""/manage/coaches/{coach_id}/leave: a coach leaves. The service manager hands each referral
of their caseload (named by reference and status, never the patient) to a coach at the
practice with a free place, or to the waiting list; the coach is marked as left; each patient
told. Managers only; the same service as the JSON API's POST /coaches/{coach_id}/leave."""

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

LEAVE = "/manage/coaches/{coach_id}/leave"


def _page(who: Principal, coach_id: str, form: Form | None = None,
          errors: PageErrors | None = None, keys: FormKeys | None = None,
          status: int = 200) -> Response:
    shown = services().leaving.page(who, coach_id)
    query = dict(request().query_params or {}) if status == 200 else {}
    return html("manage_leave.html", status, title="A coach leaves", principal=who,
                shown=shown, form=form or Form(), errors=errors or PageErrors(),
                keys=keys or form_keys(), moved=query.get("moved"),
                waitlisted=query.get("waitlisted"))


@blueprint.route(LEAVE, methods=["GET"])
@page
def leave_form(coach_id: str) -> Response:
    return _page(manager(), coach_id)


@blueprint.route(LEAVE, methods=["POST"], content_types=[FORM])
@page
def leave(coach_id: str) -> Response:
    who = manager()
    form = posted_form()
    caseload = services().leaving.page(who, coach_id).caseload
    hand_over = {r.referral_id: form.get(f"to-{r.referral_id}") for r in caseload}
    try:
        left = services().leaving.leave(who, coach_id, {"hand_over": hand_over})
    except (InvalidInput, Conflict) as error:
        fields = FormErrorMap({f"hand_over.{r.referral_id}": f"to-{r.referral_id}"
                               for r in caseload})
        errors = fields.page_errors(error.errors) if error.errors else \
            only_message(error.detail)
        return _page(who, coach_id, form, errors, kept_keys(form),
                     409 if isinstance(error, Conflict) else 422)
    path = LEAVE.format(coach_id=coach_id)
    return redirect(f"{path}?moved={left.moved}&waitlisted={left.waitlisted}")
