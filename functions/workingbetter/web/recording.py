"""A human step recorded from a coach's page: the caseload's cards and the case record post
the same step forms (coach_forms), each to the page it is on."""

from __future__ import annotations

from workingbetter.domain.auth import Principal
from workingbetter.domain.errors import Conflict, InvalidInput, NotFound
from workingbetter.web.errors import Failed, only_message
from workingbetter.web.http import Form
from workingbetter.wiring import services


def record(who: Principal, referral_id: str, step: str, form: Form) -> Failed | None:
    """Record a human step from a page's form: None once recorded, else the form back with
    its errors, each linked to its input on the step's card (an error about the whole form,
    such as the run not waiting for it, to the card's first input)."""
    from workingbetter.web import coach_forms

    step_form = coach_forms.STEPS.get(step)
    if step_form is None:
        raise NotFound("No such step")
    prefix = f"{step}-{referral_id}-"
    try:
        step_form.record(services().steps, who, referral_id, step_form.body(form))
    except InvalidInput as error:
        return Failed(referral_id, step, form, step_form.errors.page_errors(error.errors, prefix))
    except Conflict as error:
        first = next(iter(step_form.errors.anchors.values()))
        return Failed(referral_id, step, form, only_message(error.detail, prefix + first))
    return None


def failed_status(failed: Failed) -> int:
    return 422 if failed.errors.by_field else 409
