"""Pages for referrals whose run stopped: every `awaiting` value shows on the coach's page
and the ops console, and a stalled referral shows as stalled with its way on."""

from __future__ import annotations

import pytest

from tests.api_client import Api
from tests.conftest import Cloud, diary_down
from tests.web.pages import Pages
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.referral import ReferralChange
from workingbetter.handlers import tasks

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("awaiting", list(Awaiting))
def test_every_awaiting_value_shows_on_the_coach_page_and_the_console(
        pages: Pages, cloud: Cloud, awaiting: Awaiting) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83002")
    api.awaiting(referral_id, "appointment_outcome")
    cloud.store.referrals.note(referral_id, ReferralChange(awaiting=awaiting))

    pages.sign_in("coach:coach-chloe")
    coach = pages.get("/coach")
    pages.sign_in("ops")
    console = pages.get("/ops")
    history = pages.get(f"/ops/referrals/{referral_id}")

    assert (coach.status, console.status, history.status) == (200, 200, 200)
    assert referral_id in console.text


def test_a_referral_waiting_for_ops_shows_on_the_coach_page(
        pages: Pages, cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "book", diary_down)
    api = Api(cloud)
    referral_id = api.refer("F83002")
    api.awaiting(referral_id, "ops_retry")

    pages.sign_in("coach:coach-chloe")
    page = pages.get("/coach")

    assert page.status == 200
    assert "The service team to fix a problem" in page.text


@pytest.mark.service_days(appointment_outcome_days=3, max_chases=1)
def test_a_stalled_referral_shows_as_stalled_with_a_resume_button(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83002")
    cloud.wait_for(referral_id, lambda i: i.attention == "stalled", what="stalled")
    cloud.wait_for_execution(referral_id)
    # The resumed run's outcome gets a long limit: the test reads the step it waits at.
    cloud.set_service_days(appointment_outcome_days=10_000)

    pages.sign_in("coach:coach-chloe")
    assert "Stalled: the appointment outcome is long overdue" in pages.get("/coach").text
    pages.sign_in("ops")
    console = pages.get("/ops")
    attention = console.text.partition('id="attention"')[2].partition("</table>")[0]
    assert f'action="/ops/referrals/{referral_id}/resume"' in attention
    counts = console.text.partition("</table>")[0]
    assert "Stalled" in counts

    done = pages.post(f"/ops/referrals/{referral_id}/resume", {})

    assert (done.status, done.location) == (303, f"/ops/referrals/{referral_id}?resumed=1")
    item = api.awaiting(referral_id, "appointment_outcome")
    assert item.attention is None


@pytest.mark.service_days(appointment_outcome_days=3, max_chases=1)
def test_a_stopped_run_is_named_by_its_reference_and_resuming_it_says_so(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83002")
    cloud.wait_for(referral_id, lambda i: i.attention == "stalled", what="stalled")
    assert cloud.wait_for_execution(referral_id) == "FAILED"
    cloud.set_service_days(appointment_outcome_days=10_000)
    reference = str(cloud.referral(referral_id).reference)

    pages.sign_in("ops")
    console = pages.get("/ops").text
    failed = console.partition('id="failed-runs"')[2].partition("</table>")[0]
    assert f'href="/ops/referrals/{referral_id}">{reference}</a>' in failed
    assert f">{referral_id}<" not in failed  # the run's referral by its reference, not its id

    resumed = pages.follow(pages.post(f"/ops/referrals/{referral_id}/resume", {}))

    banner = resumed.text.partition('class="govuk-notification-banner')[2].partition(
        "</div>\n</div>")[0]
    assert 'role="alert"' in banner
    assert f"Run resumed for {reference}" in banner
    api.awaiting(referral_id, "appointment_outcome")
