"""One date style and the service's own words on every page: a date a coach recorded reads as
people write it, and a number out of range is refused in plain words, never pydantic's."""

from __future__ import annotations

import pytest

from tests.conftest import Cloud
from tests.web.pages import Pages
from tests.web.test_case_pages import in_support
from workingbetter.domain.errors import FieldError
from workingbetter.web.date_input import wrong_parts
from workingbetter.web.errors import FormErrorMap
from workingbetter.web.http import Form

pytestmark = pytest.mark.integration


def test_dates_on_the_case_record_read_as_people_write_them(pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    assert pages.post(f"{path}/employer-contacts", {
        "contact_on_day": "2", "contact_on_month": "11", "contact_on_year": "2026",
        "kind_of_employer": "A care home", "outcome": "interview"}).status == 303
    pages.get(path)
    assert pages.post(f"{path}/benefits-advice", {
        "given": "yes", "benefits_on_day": "3", "benefits_on_month": "11",
        "benefits_on_year": "2026"}).status == 303
    page = pages.get(path)
    assert "2 November 2026: A care home" in page.text
    assert "Given on 3 November 2026" in page.text
    assert "2026-11-0" not in page.text


def test_a_confidence_out_of_range_is_refused_in_plain_words(pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    refused = pages.post(f"{path}/profile", {"confidence": "11"})
    assert refused.status == 422
    assert refused.error_summary() == [("#confidence", "Enter a confidence score from 1 to 10")]
    assert "Input should" not in refused.text


def test_the_reports_period_is_asked_as_months_in_govuk_date_inputs(cloud: Cloud,
                                                                      pages: Pages) -> None:
    pages.sign_in("ops")
    page = pages.get("/reports")
    for box in ("from-month", "from-year", "to-month", "to-year"):
        assert f'id="{box}"' in page.text, box
    assert 'id="from-day"' not in page.text
    asked = pages.get("/reports?from_month=4&from_year=2026&to_month=9&to_year=2026")
    assert asked.status == 200
    assert 'name="from_month" type="text" inputmode="numeric" value="4"' in asked.text
    assert "1 April 2026 to 30 September 2026" in asked.text
    wrong = pages.get("/reports?from_month=13&from_year=2026&to_month=9&to_year=2026")
    assert wrong.status == 400
    assert wrong.error_summary() == [("#from-month", "Enter a real month, like 4 2026")]
    assert "YYYY" not in wrong.text
    late = pages.get("/reports?from_month=10&from_year=2026&to_month=9&to_year=2026")
    assert late.error_summary() == [
        ("#from-month", "The start of the period must be on or before its end")]


@pytest.mark.parametrize(("day", "month", "year", "wrong"), [
    ("", "", "", ["day", "month", "year"]),
    ("31", "2", "2027", ["day"]),  # no 31 February: the day is what to change
    ("4", "13", "2027", ["month"]),
    ("4", "1", "27", ["year"]),
    ("x", "1", "", ["day", "year"]),
    ("4", "1", "2027", []),
])
def test_a_date_input_knows_which_box_is_wrong(day: str, month: str, year: str,
                                               wrong: list[str]) -> None:
    form = Form({"start_day": [day], "start_month": [month], "start_year": [year]})
    assert wrong_parts(form, "start") == wrong
    errors = FormErrorMap({"start": "start"}, dates={"start": "start"}).page_errors(
        [FieldError("start", "Enter a real date")], form=form)
    assert errors.summary == [(f"#start-{wrong[0] if wrong else 'day'}", "Enter a real date")]


def test_a_follow_up_time_that_is_no_time_is_refused_in_the_case_records_words(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    refused = pages.post(f"{path}/follow-ups", {
        "start_day": "4", "start_month": "1", "start_year": "2027", "start_time": "quarter past",
        "mode": "phone"})
    assert refused.status == 422
    assert refused.error_summary() == [("#start", "Enter the time like 10:30")]


def test_a_wrong_date_on_the_case_record_links_to_its_first_wrong_box(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    refused = pages.post(f"{path}/employer-contacts", {
        "contact_on_day": "4", "contact_on_month": "13", "contact_on_year": "2026",
        "kind_of_employer": "Cafe", "outcome": "interview"})
    assert refused.status == 422
    [(link, _)] = refused.error_summary()
    assert link == "#contact-on-month"
    assert 'id="contact-on-month"' in refused.text
