"""Dates and numbers read from a query string (`?week=`, `?from=`, `?to=`, `?limit=`): a value
that is not one, or one outside the years the service counts in, is refused with a 400 that
names the field (problem+json on the API, a GOV.UK error page on a page), never a 500.
`?week=9999-12-31` once overflowed Python's calendar working out the week's end."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.web.pages import Pages
from workingbetter.domain.auth import Role
from workingbetter.handlers.api import app

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
# The ends of the calendar (a week's Monday or its end fall outside it), dates that do not
# exist, and words.
NOT_A_WEEK = ["9999-12-31", "0001-01-01", "0001-01-03", "2026-02-30", "2026-W05", "next week"]
# Every name a route reads a date or a number from, all at once, at values no route takes:
# the calendar's two ends, and numbers too big and too small.
EXTREMES = [{"week": "9999-12-31", "from": "9999-12-31", "to": "9999-12-31", "limit": "9" * 400},
            {"week": "0001-01-01", "from": "0001-01-01", "to": "0001-01-01", "limit": "-1"}]


@pytest.mark.parametrize("week", NOT_A_WEEK)
def test_a_week_the_service_cannot_count_in_is_a_400_naming_the_week(
        cloud: Cloud, api: Api, week: str) -> None:
    reply = api.call("GET", f"/diary?week={quote(week)}", api.coach("coach-amara"))
    assert reply.status == 400, reply.body
    assert reply.headers["Content-Type"] == PROBLEM
    assert [e["field"] for e in reply.body["errors"]] == ["week"]
    assert "YYYY-MM-DD" in reply.body["errors"][0]["message"]


@pytest.mark.parametrize("week", NOT_A_WEEK)
def test_the_diary_page_answers_a_week_it_cannot_show_with_an_error_page(
        cloud: Cloud, week: str) -> None:
    pages = Pages(cloud.built.pool)
    pages.sign_in("coach:coach-amara")
    page = pages.get(f"/coach/diary?week={quote(week)}")
    assert page.status == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "govuk-heading-l" in page.text
    assert "YYYY-MM-DD" in page.text


def test_the_diary_still_shows_the_first_and_last_weeks_it_counts_in(
        cloud: Cloud, api: Api) -> None:
    coach = api.coach("coach-amara")
    assert api.call("GET", "/diary?week=2000-01-01", coach).body["week"] == "1999-12-27"
    assert api.call("GET", "/diary?week=2999-12-31", coach).body["week"] == "2999-12-30"


def test_no_date_or_number_in_a_query_gets_a_500_on_any_route_for_any_role(
        cloud: Cloud, api: Api) -> None:
    """Every GET route the app has, JSON and pages, as each role: whatever the value, the
    answer is the route's own (a 400, or the value ignored), never a 500."""
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    item = cloud.referral(referral_id)
    filled = {"referral_id": referral_id, "token": f"{referral_id}.made-up", "name": "x.css",
              "folder": "x", "person_id": "x", "step": "review", "secret": "x",
              "follow_up_id": "x", "note_id": "x", "practice_ods": "F83001",
              "coach_id": "coach-amara", "absence_id": "x"}
    bearers = [api.referrer(), api.coach_of(referral_id), api.ops(),
               cloud.token(Role.MANAGER)]
    browsers = []
    for identity in ("referrer:F83001", f"coach:{item.coach_id}", "ops", "commissioner",
                     "manager"):
        browser = Pages(cloud.built.pool)
        browser.sign_in(identity)
        browsers.append(browser)
    filled["practice_ods"] = "F83001"  # the service manager's practice pages
    server_errors = []
    for path, methods in app.routes.items():
        if "GET" not in methods:
            continue
        for values in EXTREMES:
            url = path.format(**filled) + "?" + "&".join(
                f"{name}={quote(value)}" for name, value in values.items())
            statuses = [api.client.http.get(url, headers={"Authorization": f"Bearer {t}"})
                        .status_code for t in bearers]
            statuses += [browser.get(url).status for browser in browsers]
            if max(statuses) >= 500:
                server_errors.append((path, values["week"], statuses))
    assert server_errors == []
