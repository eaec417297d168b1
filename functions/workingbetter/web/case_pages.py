"""/coach/referrals/{id}: the coach's case record of one referral, with its forms (the diary is
in diary_pages.py). Only the referral's coach sees it; each view leaves one audit entry."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from chalice.app import Response

from workingbetter.domain import nhs_number
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.communication_needs import (
    CommunicationNeed,
    interpreters_wanted,
    needs_interpreter,
)
from workingbetter.domain.errors import Conflict, InvalidInput, NotFound, StaleEdit
from workingbetter.domain.idempotency import KeyReused
from workingbetter.domain.records.referral import Referral
from workingbetter.web import needs_form, recording
from workingbetter.web.errors import Failed, PageErrors, already_sent, only_message
from workingbetter.web.http import (
    FORM,
    Form,
    form_keys,
    html,
    page,
    posted_form,
    principal,
    redirect,
    request,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

CHANGED_MEANWHILE = ("This note was changed since you opened it, so your change was not saved. "
                     "The note as it is now is shown above your text: add anything you need "
                     "from it to your text, then save the note again.")


def _coach() -> Principal:
    who = principal()
    who.require(Role.COACH)
    return who


def _services() -> Any:
    from workingbetter.web.case_forms import Services

    return Services(services().case_records, services().follow_ups)


def _record_page(who: Principal, referral_id: str, failed: Failed | None = None,
                 status: int = 200) -> Response:
    from workingbetter.services.case_record import GOAL_STATUSES
    from workingbetter.web import case_forms, coach_forms
    from workingbetter.web.caseload import age_today

    s = _services()
    record = s.records.read(who, referral_id, "GET /coach/referrals/{referral_id}")
    patient = (record.patient or {}).get("patient") or {}
    query: dict[str, str] = dict(request().query_params or {})
    saved = case_forms.FORMS.get(query.get("saved", "")) or \
        coach_forms.STEPS.get(query.get("saved", ""))
    name = f"{patient.get('given_name', '')} {patient.get('family_name', '')}".strip()
    if patient.get("nhs_number"):
        patient = {**patient, "nhs_number": nhs_number.display(str(patient["nhs_number"]))}
    if failed is not None and failed.path in coach_forms.STEPS:  # a step's card: name it
        card = coach_forms.STEPS[failed.path].heading
        failed = replace(failed, errors=failed.errors.about(f"{card} for {name}"))
    return html("case_record.html", status, title=name or "Personal data erased",
                principal=who, active="/coach", record=record, patient=patient,
                personal=record.patient or {},
                needs_form=needs_form.prefilled(record.communication_needs),
                age=age_today(patient.get("date_of_birth"), datetime.now(UTC).date()),
                follow_ups=s.follow_ups.for_referral(record.referral),
                banner=saved.done if saved else "", keys=form_keys(), failed=failed,
                errors=failed.errors if failed else PageErrors(), empty=Form(),
                goal_statuses=GOAL_STATUSES, goals_shown=case_forms.GOALS_SHOWN,
                appointment=_appointment(record.referral), now=datetime.now(UTC),
                interpreter=interpreter_status(record.referral, record.communication_needs),
                forms=coach_forms.BY_AWAITING, exit_reasons=coach_forms.EXIT_REASONS)


@dataclass(frozen=True)
class InterpreterStatus:
    who: str  # "a BSL interpreter"
    arranged: bool


def interpreter_status(referral: Referral, needs: tuple[CommunicationNeed, ...] | None
                       ) -> InterpreterStatus | None:
    """Whether the first appointment still waits for its interpreter (its confirmation held),
    for a patient who needs one; None for anyone else, or once the appointment is over."""
    booked = referral.appointment
    if booked is None or booked.outcome or not needs_interpreter(referral.need_kinds):
        return None
    return InterpreterStatus(interpreters_wanted(needs or ()),
                             referral.interpreter_arranged == booked.start)


@dataclass(frozen=True)
class BookedAppointment:
    """The first appointment as the case record shows it: when, where, and from when its
    outcome can be recorded."""

    start: str
    place: str
    outcome: str | None
    outcome_from: datetime
    also: str | None = None  # a longer appointment's second slot


def _appointment(referral: Referral) -> BookedAppointment | None:
    from workingbetter.services.steps import outcome_opens

    booked = referral.appointment
    if booked is None:
        return None
    practice = services().staff.practice(booked.practice_ods)
    place = ", ".join(p for p in (practice.name, practice.address) if p) if practice else ""
    return BookedAppointment(booked.start, place or booked.practice_ods, booked.outcome,
                             outcome_opens(booked), booked.also)


@blueprint.route("/coach/referrals/{referral_id}", methods=["GET"])
@page
def case_record_page(referral_id: str) -> Response:
    return _record_page(_coach(), referral_id)


@blueprint.route("/coach/referrals/{referral_id}", methods=["POST"], content_types=[FORM])
@page
def record_step_on_case_record(referral_id: str) -> Response:
    """A human step's form on the case record (the appointment's outcome) posts to the record
    itself, so that a refusal comes back at the record's own address, on the form."""
    who = _coach()
    form = posted_form()
    step = form.get("step")
    failed = recording.record(who, referral_id, step, form)
    if failed is not None:
        return _record_page(who, referral_id, failed, recording.failed_status(failed))
    return redirect(f"/coach/referrals/{referral_id}?saved={step}")


def record_case_form(who: Principal, referral_id: str, path: str, form: Form) -> Response:
    """A case-record form posted to /coach/referrals/{id}/{path} (coach_pages routes it)."""
    from workingbetter.web import case_forms

    case_form = case_forms.FORMS[path]
    try:
        case_form.record(_services(), who, referral_id, case_form.body(form), form.get("nonce"))
    except InvalidInput as error:
        errors = case_form.errors.page_errors(error.errors, form=form)
        return _record_page(who, referral_id, Failed(referral_id, path, form, errors), 422)
    except KeyReused:
        errors = already_sent(case_form.first_input, "what is saved on this page")
        return _record_page(who, referral_id, Failed(referral_id, path, form, errors), 409)
    except Conflict as error:
        return _record_page(who, referral_id,
                            Failed(referral_id, path, form, only_message(error.detail)), 409)
    return redirect(f"/coach/referrals/{referral_id}?saved={path}")


@blueprint.route("/coach/referrals/{referral_id}/notes/{note_id}", methods=["POST"],
                 content_types=[FORM])
@page
def edit_note(referral_id: str, note_id: str) -> Response:
    from workingbetter.web.coach_forms import answered
    from workingbetter.web.errors import FormErrorMap

    who = _coach()
    form = posted_form()
    anchor = f"note-{note_id}"
    try:
        _services().records.edit_note(who, referral_id, note_id,
                                      answered(text=form.get("text"),
                                               version=form.get("version")))
    except InvalidInput as error:
        errors = FormErrorMap({"text": anchor},
                              required={"text": "Enter the note"}).page_errors(error.errors)
        return _record_page(who, referral_id, Failed(referral_id, anchor, form, errors), 422)
    except StaleEdit:
        # The page is read again: the note as it is now, its version in the form, and what
        # the coach typed kept in the box, to merge and save.
        errors = only_message(CHANGED_MEANWHILE, anchor)
        return _record_page(who, referral_id, Failed(referral_id, anchor, form, errors), 409)
    return redirect(f"/coach/referrals/{referral_id}?saved=notes")


@blueprint.route("/coach/tasks/done", methods=["POST"], content_types=[FORM])
@page
def task_done() -> Response:
    """The coach has done a task (rung the patient, written the letter): it leaves the list."""
    who = _coach()
    form = posted_form()
    referral_id, notification_id = form.get("referral_id"), form.get("notification_id")
    if not (0 < len(referral_id) <= 500 and 0 < len(notification_id) <= 500) or \
            not services().patient_requests.task_done(str(who.coach_id), referral_id,
                                                      notification_id):
        raise NotFound("No such task on your list")
    return redirect("/coach?recorded=task")
