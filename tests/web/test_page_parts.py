"""The pure parts of the pages: form answers as API bodies, field errors as the form's, CSRF
tokens, chart geometry, due times and time bins. No cloud, no HTTP."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from workingbetter.domain.errors import FieldError, Forbidden
from workingbetter.domain.parsing import field_errors
from workingbetter.domain.records.referral import Appointment, Referral
from workingbetter.domain.referral import Status
from workingbetter.services.steps import AppointmentOutcome, Review, TriageDecision
from workingbetter.settings import Settings
from workingbetter.web import caseload, charts, coach_forms, csrf, ops_console, referral_form
from workingbetter.web.errors import FormErrorMap
from workingbetter.web.http import Form
from workingbetter.web.render import when


def form(**values: str | list[str]) -> Form:
    return Form({k: v if isinstance(v, list) else [v] for k, v in values.items()})


# -- the referral form --------------------------------------------------------------------


@pytest.mark.parametrize(("day", "month", "year", "expected"), [
    ("1", "4", "1980", "1980-04-01"), ("01", "04", "1980", "1980-04-01"),
    ("", "", "", None), ("31", "2", "1980", "1980-2-31"), ("x", "4", "1980", "1980-4-x"),
    ("1", "", "1980", "1980--1")])
def test_a_date_of_birth_is_built_from_its_three_inputs(day: str, month: str, year: str,
                                                        expected: str | None) -> None:
    assert referral_form.date_from_parts(day, month, year) == expected


def test_the_form_becomes_the_apis_referral_body() -> None:
    body = referral_form.referral_body(form(
        nhs_number="485 777 3457", given_name="Ada", family_name="Example", dob_day="1",
        dob_month="4", dob_year="1980", employment_status="unemployed",
        conditions=["mental_health", "diabetes"], contact_preference="email", phone="",
        email="ada@example.com", reason="Help with work", consent_referral="yes"), "F83001")
    assert body == {
        "practice_ods": "F83001",
        "patient": {"nhs_number": "485 777 3457", "given_name": "Ada", "family_name": "Example",
                    "email": "ada@example.com", "contact_preference": "email",
                    "date_of_birth": "1980-04-01"},
        "employment_status": "unemployed",
        "health_conditions": ["mental_health", "diabetes"],
        "consent": {"referral": True, "share_outcome_with_gp": False,
                    "share_needs_with_practice": False},
        "reason": "Help with work",
    }


def test_an_empty_form_leaves_every_answer_out_so_the_api_names_each_one() -> None:
    assert referral_form.referral_body(Form(), "F83001") == {
        "practice_ods": "F83001", "patient": {},
        "consent": {"referral": False, "share_outcome_with_gp": False,
                    "share_needs_with_practice": False}}


def test_field_errors_are_reworded_and_ordered_as_the_form_asks() -> None:
    errors = referral_form.ERRORS.page_errors([
        FieldError("reason", "This field is required"),
        FieldError("health_conditions.0", "Input should be 'mental_health', ..."),
        FieldError("patient.date_of_birth", referral_form.DATE_MESSAGE),
        FieldError("patient.email", "Enter an email address so we can contact the patient"),
        FieldError("patient.nhs_number", "This field is required"),
        FieldError("Idempotency-Key", "Use 8 to 128 characters"),
    ])
    assert errors.summary == [
        ("#referral-form", "Use 8 to 128 characters"),
        ("#nhs-number", "Enter the patient's NHS number"),
        ("#dob-day", "Date of birth must be a real date, like 31 3 1980"),
        ("#conditions", "Input should be 'mental_health', ..."),
        ("#email", "Enter an email address so we can contact the patient"),
        ("#reason", "Enter why you are referring the patient"),
    ]
    assert errors.by_field["health_conditions"].startswith("Input should be")
    assert bool(errors)


def test_only_the_first_error_of_a_field_is_shown_and_ids_take_a_prefix() -> None:
    errors = FormErrorMap({"outcome": "outcome"}).page_errors(
        [FieldError("outcome", "first"), FieldError("outcome", "second")], prefix="x-1-")
    assert errors.summary == [("#x-1-outcome", "first")]


# -- the coach's forms --------------------------------------------------------------------


def test_a_review_sends_the_job_only_for_a_job_start_and_the_reason_only_for_an_exit() -> None:
    answers: dict[str, Any] = {"employer_contacts": "2", "exit_reason": "moved_away",
                               "job_employer": "Books", "job_hours": "16",
                               "job_start_day": "4", "job_start_month": "1",
                               "job_start_year": "2027"}
    review = coach_forms.REVIEW.body
    assert review(form(decision="continue", **answers)) == {
        "decision": "continue", "employer_contacts": "2"}
    assert review(form(decision="exit", **answers)) == {
        "decision": "exit", "employer_contacts": "2", "exit_reason": "moved_away"}
    assert review(form(decision="job_start", **answers))["job"] == {
        "employer": "Books", "hours_per_week": "16", "start_date": "2027-01-04"}


@pytest.mark.parametrize(("answer", "expected"), [
    ("yes", {"still_in_work": True}), ("no", {"still_in_work": False}), ("", {}),
    ("end", {"still_in_work": True, "end_support": True}),
    ("maybe", {})])
def test_an_in_work_check_is_a_yes_or_no(answer: str, expected: dict[str, bool]) -> None:
    assert coach_forms.SUSTAINMENT.body(form(still_in_work=answer)) == expected


# -- CSRF ---------------------------------------------------------------------------------


def test_a_csrf_token_holds_only_for_its_own_session_and_nonce() -> None:
    nonce = csrf.new_nonce()
    assert len(nonce) == 32
    assert nonce != csrf.new_nonce()
    token = csrf.token_for("session-a", nonce)
    csrf.check("session-a", nonce, token)
    tampered = "1" if token.endswith("0") else "0"  # always a different last character
    for session, sent_nonce, sent in [("session-b", nonce, token), ("session-a", "other", token),
                                      ("session-a", nonce, token[:-1] + tampered),
                                      (None, nonce, token), ("session-a", "", token),
                                      ("session-a", nonce, "")]:
        with pytest.raises(Forbidden):
            csrf.check(session, sent_nonce, sent)


# -- charts and reports -------------------------------------------------------------------


def test_bars_are_as_long_as_their_counts_against_the_largest() -> None:
    chart = charts.bars("f", "Funnel", [("Referred", 10), ("Allocated", 5), ("Job", 0),
                                        ("Left", "<5")])
    lengths = [b.length for b in chart.bars]
    assert lengths == [charts.LONGEST, charts.LONGEST / 2, 0, 0]  # a marker draws no bar
    assert [b.label for b in chart.bars] == ["Referred", "Allocated", "Job", "Left"]


def test_charts_of_nothing_draw_no_bars_and_do_not_divide_by_zero() -> None:
    chart = charts.bars("h", "Histogram", [("a", 0), ("b", 0)])
    assert [b.length for b in chart.bars] == [0, 0]


PRACTICES: list[tuple[str, int | str]] = [
    ("City Road Medical Centre (F83001)", 14), ("Goodinge Group Practice (F83002)", 6),
    ("Killick Street Health Centre (F83006)", "<5")]


def rendered_chart() -> str:
    from jinja2 import Environment

    from workingbetter.web import render as rendering

    env: Environment = rendering._environment()
    macro = env.get_template("charts.html").module.chart  # type: ignore[attr-defined]
    return str(macro(charts.bars("chart-practices", "Referrals by practice", PRACTICES)))


def test_a_charts_names_are_whole_and_its_numbers_do_not_scale_down() -> None:
    html = rendered_chart()

    labels = re.findall(r'class="wb-chart__label[^"]*">([^<]+)<', html)
    assert labels == [name for name, _ in PRACTICES]  # whole names, as text that wraps
    assert "viewBox" not in html  # nothing in a bar is scaled to the screen's width
    sizes = [int(size) for size in re.findall(r'font-size="(\d+)"', html)]
    assert sizes
    assert min(sizes) >= 14  # CSS pixels, at any width
    assert re.findall(r"<text[^>]*>([^<]+)</text>", html) == ["14", "6", "&lt;5"]
    assert '<span class="govuk-visually-hidden">: 14</span>' in html  # heard with its name


def rendered_fidelity() -> str:
    from workingbetter.reports import fidelity
    from workingbetter.reports.measures import CoachCaseload, Distribution, Ips, Ratio
    from workingbetter.web.errors import PageErrors
    from workingbetter.web.render import render

    none = Distribution(0, None, None)
    ips = Ips(caseloads=[CoachCaseload("coach-amara", 1, 8)],  # 40 a full-time week
              to_first_employer_contact=none, first_employer_contact_within_30=Ratio(0, 0),
              employer_contacts=0, coach_weeks=0, full_time_weeks=0,
              benefits_advice=Ratio(7, 12), rejected_at_triage=Ratio(0, 10),
              rejected_by_a_person=Ratio(0, 10), in_work_support_weeks=none)
    scored = fidelity.as_json(ips, {"from": "2026-01-01", "to": "2026-03-31"})
    return render("fidelity.html", title="IPS fidelity", errors=PageErrors(), asked={},
                  chosen=None, practices=[], scored=scored)


def test_fidelity_shows_each_figure_in_its_unit_and_every_anchor_beside_it() -> None:
    page = rendered_fidelity()

    caseload = page.partition('id="anchors-caseload_size"')[2].partition("</ul>")[0]
    assert "<strong>40 clients</strong>" in page
    assert "<strong>4: at most 40 clients</strong>" in caseload  # the anchor it meets
    assert "5: at most 20 clients" in caseload
    assert "1: more than 80 clients" in caseload
    advice = page.partition('id="anchors-benefits_counselling"')[2].partition("</ul>")[0]
    assert "<strong>58%</strong>" in page  # a share as a percentage, not 0.58
    assert "<strong>3: at least 50%</strong>" in advice  # 4 + 3 + 5 (no one turned away)
    assert "0.58" not in page


def test_fidelity_says_plainly_how_many_items_the_records_can_score() -> None:
    page = " ".join(rendered_fidelity().split())

    assert ("The IPS-25 scale has 25 items. 6 of them can be scored from the service's "
            "records (one of those only in part); the other 19 need a fidelity reviewer.") in page
    assert ("the 3 items with evidence score 12 of a possible 15 points (each item scores 1 "
            "to 5)") in page
    assert "Scored: " not in page


@pytest.mark.parametrize(("days", "label"), [
    (0.5, "0 to 7 days"), (7, "0 to 7 days"), (7.2, "8 to 14 days"), (28, "22 to 28 days"),
    (120, "29 days or more")])
def test_times_to_a_first_appointment_fall_in_weekly_bins(days: float, label: str) -> None:
    bins = dict(ops_console.day_bins([days]))
    assert bins[label] == 1
    assert sum(bins.values()) == 1


def test_time_to_first_appointment_counts_only_attended_ones() -> None:
    item = Referral("r1", "2026-03-02T10:00:00.000000Z", Status.APPOINTMENT_BOOKED, "F83001",
                    appointment=Appointment("2026-03-09T10:00:00Z", "F83001"))
    assert ops_console.days_to_first_appointment(item) is None
    # set when the first one is attended
    attended = replace(item, support_started_at="2026-03-09T10:50:00Z")
    assert ops_console.days_to_first_appointment(attended) == pytest.approx(7)


# -- due times ----------------------------------------------------------------------------


def settings() -> Settings:
    """The default durations (a service day is a day); no infrastructure is needed here."""
    return Settings.model_construct()


def at(minutes: int) -> str:
    return (datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)).isoformat()


def test_a_step_is_due_its_time_limit_after_the_run_began_to_wait() -> None:
    view: dict[str, Any] = {"status": "IN_SUPPORT", "awaiting": "review", "timeline": [
        {"at": at(0), "event": "awaiting_review"}, {"at": at(5), "event": "awaiting_review"}]}
    assert caseload.due(view, settings()) == datetime(2026, 3, 16, 9, 5, tzinfo=UTC)


def test_an_appointment_outcome_is_due_after_the_appointment_itself() -> None:
    view = {"status": "APPOINTMENT_BOOKED", "awaiting": "appointment_outcome",
            "appointment": {"start": "2026-03-09T09:30:00Z"}, "timeline": []}
    assert caseload.due(view, settings()) == datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def test_between_reviews_the_next_review_is_due() -> None:
    view = {"status": "IN_SUPPORT", "awaiting": None,
            "timeline": [{"at": at(0), "event": "first_appointment_attended"}]}
    assert caseload.due(view, settings()) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert caseload.next_step(view) == "Support sessions until the next review"
    assert caseload.due({"status": "WAITLISTED", "awaiting": "capacity", "timeline": []},
                        settings()) is None


def test_times_are_shown_on_uk_wall_clock_time() -> None:
    assert when("2026-07-01T08:30:00Z") == "1 July 2026 at 9:30am"  # summer time
    assert when("2026-01-05T09:30:00.123456Z", seconds=True) == "5 January 2026 at 09:30:00"
    assert when(None) == ""


@pytest.mark.parametrize(("step", "model", "body", "message"), [
    (coach_forms.TRIAGE, TriageDecision, {"decision": "maybe", "reason": "r"},
     "Select accept or reject"),
    (coach_forms.OUTCOME, AppointmentOutcome, {"outcome": "late"},
     "Select what happened at the appointment"),
    (coach_forms.REVIEW, Review, {"decision": "pause", "employer_contacts": 0},
     "Select what happens next"),
])
def test_an_unknown_choice_on_a_coach_form_reads_as_the_forms_question(
        step: coach_forms.StepForm, model: type[BaseModel], body: dict[str, Any],
        message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body)
    assert [m for _, m in step.errors.page_errors(field_errors(raised.value)).summary] == \
        [message]
