"""/coach/referrals/{id}/review…: a review asked one thing at a time (GOV.UK's question pages),
then checked and recorded as the review step, one write.

What happened (support goes on, they start a job, they leave) → the job's questions, or why
they leave → employers contacted → goals and confidence (not for someone leaving) → check
your answers → the step. Each page posts to itself: its answers are checked on their own and,
if right, kept in a server-side draft with the case record (`CaseRecords.save_review_draft`),
then the next page is shown by Post/Redirect/Get. We chose a draft over carrying the answers
in hidden fields: every page keeps its own address (an error comes back where it was made,
the back button and a reload work), the answers (an employer's name, goals) are never in a
URL or a page they were not asked on, and the draft is personal data where the rest of the
record is: read in the one audited read of the case record, erased with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, InvalidInput, NotFound
from workingbetter.domain.human_steps import REVIEW, Awaiting
from workingbetter.web.errors import PageErrors, only_message
from workingbetter.web.http import Form, form_keys, html, page, principal, redirect
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

if TYPE_CHECKING:
    from workingbetter.services.case_view import Record
    from workingbetter.web.review_forms import Question


def _coach() -> Principal:
    who = principal()
    who.require(Role.COACH)
    return who


def _record(who: Principal, referral_id: str) -> Record:
    record: Record = services().case_records.read(who, referral_id,
                                                  "GET /coach/referrals/{referral_id}/review")
    if record.referral.awaiting != Awaiting.REVIEW or record.erased:
        raise Conflict("No review is waiting to be recorded for this referral")
    return record


def _show(who: Principal, record: Record, question: Question, answers: dict[str, str],
          errors: PageErrors | None = None, status: int = 200) -> Response:
    from workingbetter.web import review_forms as rf

    patient = (record.patient or {}).get("patient") or {}
    name = f"{patient.get('given_name', '')} {patient.get('family_name', '')}".strip()
    asked = rf.flow(answers)
    back = asked[asked.index(question.path) - 1] if question.path in asked[1:] else ""
    # The goals as last set, to change, until this review's own are given.
    goals = [] if any(k.startswith("goal_") for k in answers) else record.goals_now
    shown = {**{f"goal_{i + 1}": g for i, g in enumerate(goals[:rf.GOALS_ASKED])}, **answers}
    return html("review_question.html", status, title=question.title, principal=who,
                active="/coach", question=question, name=name,
                rid=record.referral.referral_id, answers=Form({k: [v] for k, v in
                                                               shown.items()}),
                errors=errors or PageErrors(), keys=form_keys(), back=back,
                goals_asked=rf.GOALS_ASKED, exit_reasons=[str(r) for r in rf.REVIEW_EXITS],
                rows=rf.check_rows(answers) if question.path == rf.CHECK else [],
                confidence=record.confidence_over_time[-1:], heading=REVIEW.answer.heading
                if REVIEW.answer else "")


@blueprint.route("/coach/referrals/{referral_id}/{step}", methods=["GET"])
@page
def question_page(referral_id: str, step: str) -> Response:
    from workingbetter.web import review_forms as rf

    question = rf.QUESTIONS.get(step)
    if question is None:
        raise NotFound("No such page")
    who = _coach()
    record = _record(who, referral_id)
    answers = record.review_answers()
    if step not in rf.flow(answers) or (step != "review" and "decision" not in answers):
        return redirect(f"/coach/referrals/{referral_id}/review")
    return _show(who, record, question, answers)


def answer(who: Principal, referral_id: str, step: str, form: Form) -> Response:
    """A question page's form (coach_pages routes the POST here)."""
    from workingbetter.web import review_forms as rf

    question = rf.QUESTIONS[step]
    record = _record(who, referral_id)
    answers = record.review_answers()
    if step == rf.CHECK:
        return _submit(who, record, answers)
    mine = {i: form.get(i) for i in question.inputs}
    answers = {**{k: v for k, v in answers.items() if k not in mine},
               **{k: v for k, v in mine.items() if v}}
    wrong = rf.errors_of(answers, question.fields)
    if wrong:
        return _show(who, record, question, answers, rf.ERRORS.page_errors(wrong), 422)
    services().case_records.save_review_draft(who, referral_id, answers)
    asked = rf.flow(answers)
    return redirect(f"/coach/referrals/{referral_id}/{asked[asked.index(step) + 1]}")


def _submit(who: Principal, record: Record, answers: dict[str, str]) -> Response:
    """The review step, one write; the draft goes once it is recorded."""
    from workingbetter.web import review_forms as rf

    referral_id = record.referral.referral_id
    for path in rf.flow(answers)[:-1]:  # a page not answered yet (a draft from another tab)
        if rf.errors_of(answers, rf.QUESTIONS[path].fields):
            return redirect(f"/coach/referrals/{referral_id}/{path}")
    try:
        services().steps.record(who, referral_id, Awaiting.REVIEW, rf.body(answers))
    except (InvalidInput, Conflict) as error:
        detail = error.detail if isinstance(error, Conflict) else \
            "Some answers need changing: change them, then record the review again"
        return _show(who, record, rf.QUESTIONS[rf.CHECK], answers,
                     only_message(detail, "check-answers"), 409)
    services().case_records.drop_review_draft(referral_id)
    return redirect(f"/coach/referrals/{referral_id}?saved=reviews")


