"""/coach: a coach's caseload and what waits for them, each step with its own small form.
Recording one hands the answer to the run, which moves on; the page then says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from chalice.app import Response

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import NotFound
from workingbetter.services import listing
from workingbetter.web import recording
from workingbetter.web.errors import Failed, PageErrors
from workingbetter.web.http import (
    FORM,
    Form,
    form_keys,
    html,
    page,
    page_links,
    posted_form,
    principal,
    redirect,
    request,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services, settings

PAGING = ("limit", "cursor")
TASKS_SHOWN = 50


def _coach() -> Principal:
    who = principal()
    who.require(Role.COACH)
    return who


def _page(who: Principal, failed: Failed | None = None, status: int = 200) -> Response:
    """One Query for the page's referrals (two with the practice's triage queue), one for the
    coach's tasks, one batch for the patients' details, and one audit record naming them."""
    # The caseload and the step forms (pydantic models) load with the first coach page.
    from workingbetter.web import caseload, coach_forms

    s = services()
    query = dict(request().query_params or {})
    shown = s.referrals.caseload(who, listing.parse({k: v for k, v in query.items()
                                                     if k in PAGING}))
    notes = s.messages.tasks_for(str(who.coach_id), TASKS_SHOWN)
    personal = s.referrals.patients(who, shown, [str(n.referral_id) for n in notes],
                                    "GET /coach")
    rows = caseload.rows(who, shown.page.items, personal, settings())
    recorded = coach_forms.STEPS.get(query.get("recorded", ""))
    patient = next((r.patient for r in rows if r.referral_id == query.get("referral")), None)
    banner = f"{recorded.done} for {patient}" if recorded and patient else \
        recorded.done if recorded else "Task done" if query.get("recorded") == "task" else ""
    if recorded is coach_forms.TRIAGE:
        banner = _after_triage(who, query.get("referral", "")) or banner
    load = {"active": shown.places_taken, "cap": shown.cap}
    if failed is not None:  # the summary names whose card, and which, the errors are on
        whose = next((r.patient for r in rows if r.referral_id == failed.referral_id), "")
        card = coach_forms.STEPS[failed.path].heading
        failed = replace(failed, errors=failed.errors.about(
            f"{card} for {whose}" if whose else card))
    return html("coach.html", status, title="Your caseload", principal=who, active="/coach",
                load=load, now=datetime.now(UTC),
                rows=rows, tasks=caseload.tasks(notes, personal), keys=form_keys(),
                failed=failed, banner=banner, pages=page_links("/coach", shown.page),
                forms=coach_forms.BY_AWAITING, exit_reasons=coach_forms.EXIT_REASONS,
                errors=failed.errors if failed else PageErrors(), empty=Form())


def _after_triage(who: Principal, referral_id: str) -> str | None:
    """Who has a referral the coach has just decided at triage (the address names its id only;
    the words are read here, Post/Redirect/Get). None for a referral outside their practice."""
    from workingbetter.web.caseload import after_triage

    item = services().steps.at_my_practices(who, referral_id)
    if item is None:
        return None
    known = services().staff.directory()
    return after_triage(item, known.coaches.get(item.coach_id or ""),
                        known.practices.get(item.practice_ods))


@blueprint.route("/coach", methods=["GET"])
@page
def caseload_page() -> Response:
    return _page(_coach())


@blueprint.route("/coach", methods=["POST"], content_types=[FORM])
@page
def record_step_on_caseload() -> Response:
    """A step's form on a card of the caseload posts to the page itself, so that a refusal
    comes back at the page's own address, on the card, naming the client."""
    who = _coach()
    form = posted_form()
    referral_id, step = form.get("referral_id"), form.get("step")
    if not 0 < len(referral_id) <= 500:
        raise NotFound("No such referral in your caseload")
    failed = recording.record(who, referral_id, step, form)
    if failed is not None:
        return _page(who, failed, recording.failed_status(failed))
    return redirect(f"/coach?recorded={step}&referral={referral_id}")


@blueprint.route("/coach/referrals/{referral_id}/{step}", methods=["POST"], content_types=[FORM])
@page
def record_step(referral_id: str, step: str) -> Response:
    from workingbetter.web import case_forms, case_pages, review_forms, review_pages

    who = _coach()
    form = posted_form()
    if step in case_forms.FORMS:  # the case record's forms share this path
        return case_pages.record_case_form(who, referral_id, step, form)
    if step in review_forms.QUESTIONS:  # ... and the review's questions
        return review_pages.answer(who, referral_id, step, form)
    if step == review_forms.ALL_AT_ONCE:  # a page from before the questions: ask them
        return redirect(f"/coach/referrals/{referral_id}/review")
    failed = recording.record(who, referral_id, step, form)
    if failed is not None:
        return _page(who, failed, recording.failed_status(failed))
    return redirect(f"/coach?recorded={step}&referral={referral_id}")
