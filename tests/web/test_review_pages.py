"""A review as the coach records it: one question a page, each page's answers checked on their
own with a plain message a field, kept between pages without personal data in any address,
checked, then recorded as the one review step."""

from __future__ import annotations

import pytest

from tests.conftest import Cloud
from tests.web.pages import Page, Pages
from tests.web.test_pages import awaiting, booked
from workingbetter.domain.records.referral import JobFacts

pytestmark = pytest.mark.integration

JOB = {"job_employer": "Upper Street Books", "job_role": "Bookseller", "job_hours": "16",
       "job_pay_band": "nlw", "job_self_employed": "no", "job_start_day": "4",
       "job_start_month": "1", "job_start_year": "2027"}


def review_due(pages: Pages, cloud: Cloud) -> str:
    referral_id = booked(pages, cloud)
    pages.get(f"/coach/referrals/{referral_id}")
    assert pages.post(f"/coach/referrals/{referral_id}", {
        "step": "appointment-outcome", "outcome": "attended"}).status == 303
    awaiting(cloud, referral_id, "review")
    return referral_id


def answer(pages: Pages, path: str, fields: dict[str, str]) -> Page:
    """Open a question page and answer it, as a person does."""
    shown = pages.get(path)
    assert shown.status == 200, (path, shown.status)
    return pages.post(path, {**shown.keys_of(path), **fields})


def test_a_job_start_is_asked_one_question_at_a_time_checked_and_recorded_once(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = review_due(pages, cloud)
    base = f"/coach/referrals/{referral_id}"
    card = pages.get("/coach").text.split(f'id="waiting-{referral_id}"', 1)[1]
    card = card.split('class="govuk-summary-card"', 1)[0]
    assert "Review due" in card, card[:1500]
    assert "Appointment" not in card  # not the long-past first appointment
    assert f'href="{base}/review"' in card

    first = pages.get(f"{base}/review")
    assert "What happened at this review?" in first.text
    assert 'name="job_employer"' not in first.text  # one thing at a time
    refused = pages.post(f"{base}/review", {**first.keys_of(f"{base}/review")})
    assert refused.status == 422
    assert refused.error_summary() == [("#decision", "Select what happened at this review")]

    to_job = answer(pages, f"{base}/review", {"decision": "job_start"})
    assert (to_job.status, to_job.location) == (303, f"{base}/review-job")
    refused = answer(pages, to_job.location, {})
    assert refused.status == 422
    assert refused.error_summary() == [
        ("#job-employer", "Enter the employer&#39;s name"),
        ("#job-role", "Enter the job title"),
        ("#job-hours", "Enter the hours a week"),
        ("#job-pay-band", "Select the pay"),
        ("#job-self-employed", "Select whether they are self-employed"),
        ("#job-start-day", "Enter the date the job starts")]
    refused = answer(pages, to_job.location, {**JOB, "job_hours": "lots",
                                              "job_start_day": "31", "job_start_month": "2"})
    assert refused.error_summary() == [
        ("#job-hours", "Enter the hours a week as a number from 1 to 80, like 16"),
        ("#job-start-day", "The date the job starts must be a real date, like 4 1 2027")]
    assert 'value="Upper Street Books"' in refused.text  # what was typed stays

    to_contacts = answer(pages, to_job.location, JOB)
    assert (to_contacts.status, to_contacts.location) == (303, f"{base}/review-contacts")
    assert answer(pages, to_contacts.location, {"employer_contacts": "two"}
                  ).error_summary() == [("#employer-contacts",
                                         "Enter the number of employers contacted as a whole "
                                         "number from 0 to 200, like 2")]
    to_goals = answer(pages, to_contacts.location, {"employer_contacts": "2"})
    assert to_goals.location == f"{base}/review-goals"
    assert answer(pages, to_goals.location, {"confidence": "11"}).error_summary() == [
        ("#confidence", "Enter a confidence score from 1 to 10")]
    to_check = answer(pages, to_goals.location, {"goal_1": "Settle into the job",
                                                 "confidence": "7"})
    assert to_check.location == f"{base}/review-check"
    for location in (to_job.location, to_contacts.location, to_goals.location,
                     to_check.location):
        assert "Upper" not in location  # no personal data in an address
        assert "Settle" not in location

    check = pages.get(to_check.location)
    for shown in ("They start a job", "Upper Street Books", "Bookseller", "16",
                  "At or above the National Living Wage", "4 January 2027",
                  "Settle into the job", "7"):
        assert shown in check.text, shown
    assert f'href="{base}/review-job"' in check.text  # change an answer
    keys = check.keys_of(to_check.location)
    done = pages.post(to_check.location, keys)
    assert (done.status, done.location) == (303, f"{base}?saved=reviews")
    item = cloud.wait_for(referral_id, lambda i: i.status == "IN_WORK")
    assert item.job == JobFacts(hours_per_week="16.0", start_date="2027-01-04",
                                pay_band="nlw", self_employed=False)
    assert item.reviews_done == 1
    again = pages.post(to_check.location, keys)  # the button pressed twice
    assert again.status == 409
    assert cloud.referral(referral_id).reviews_done == 1
    record = pages.get(done.location).text
    assert "Review recorded" in record
    assert "7 on" in record  # confidence over time
    assert "Settle into the job" in record


def test_someone_leaving_is_asked_why_and_not_their_goals(pages: Pages, cloud: Cloud) -> None:
    referral_id = review_due(pages, cloud)
    base = f"/coach/referrals/{referral_id}"
    to_leaving = answer(pages, f"{base}/review", {"decision": "exit"})
    assert to_leaving.location == f"{base}/review-leaving"
    assert answer(pages, to_leaving.location, {}).error_summary() == [
        ("#exit-reason", "Select why support is ending")]
    to_contacts = answer(pages, to_leaving.location, {"exit_reason": "moved_away"})
    assert to_contacts.location == f"{base}/review-contacts"
    to_check = answer(pages, to_contacts.location, {"employer_contacts": "0"})
    assert to_check.location == f"{base}/review-check"  # no goals for someone leaving
    assert pages.get(f"{base}/review-goals").location == f"{base}/review"
    check = pages.get(to_check.location)
    assert "Moved away" in check.text
    assert pages.post(to_check.location, check.keys_of(to_check.location)).status == 303
    cloud.wait_for(referral_id, lambda i: i.status == "EXITED")


def test_a_question_page_opens_only_while_a_review_waits(pages: Pages, cloud: Cloud) -> None:
    referral_id = booked(pages, cloud)
    assert pages.get(f"/coach/referrals/{referral_id}/review").status == 409
    assert pages.get(f"/coach/referrals/{referral_id}/no-such-page").status == 404


def test_only_the_referrals_coach_opens_its_review(pages: Pages, cloud: Cloud) -> None:
    referral_id = review_due(pages, cloud)
    path = f"/coach/referrals/{referral_id}/review"
    pages.sign_in("coach:coach-chloe")
    assert pages.get(path).status == 404  # the same answer as no such referral
    pages.sign_in("referrer:F83001")
    assert pages.get(path).status == 403
