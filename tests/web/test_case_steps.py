"""The human steps as the coach meets them on the case record and the caseload: the booked
appointment shown where the client is worked from, its outcome offered only once it can be
answered, and a refusal back on the card it belongs to, at the page's own address, naming
the client and the card."""

from __future__ import annotations

import pytest

from tests.conftest import Cloud
from tests.web.pages import Pages
from tests.web.test_pages import awaiting, booked, refer
from workingbetter.web.render import long_when

pytestmark = pytest.mark.integration


def booked_ahead(pages: Pages, cloud: Cloud) -> str:
    """A referral whose first appointment is booked and still to come (on the real clock)."""
    referral_id = refer(pages)
    awaiting(cloud, referral_id, "appointment_outcome")
    pages.sign_in("coach:coach-amara")
    return referral_id


def test_the_case_record_shows_the_booked_appointment_and_records_its_outcome(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    page = pages.get(path)
    start = cloud.referral(referral_id).appointment
    assert start is not None
    section = page.text.split('id="appointment"', 1)[1].split("</form>", 1)[0]
    assert long_when(start.start) in section  # "Monday 7 December 2026 at 10:30am"
    assert "City Road Medical Centre" in section  # the practice, where the session is
    assert f'action="{path}"' in section

    refused = pages.post(path, {**page.hidden_in(path)})
    assert refused.status == 422
    assert refused.error_summary() == [
        (f"#appointment-outcome-{referral_id}-outcome",
         "Record the first appointment for Ada Testperson: "
         "Select what happened at the appointment")]
    assert f'id="appointment-outcome-{referral_id}-outcome"' in refused.text

    done = pages.post(path, {**refused.hidden_in(path), "outcome": "attended"})
    assert (done.status, done.location) == (
        303, f"{path}?saved=appointment-outcome")
    assert "Appointment outcome recorded" in pages.get(done.location).text
    cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")
    assert "Attended" in pages.get(path).text.split('id="appointment"', 1)[1]


@pytest.mark.service_days(seconds_per_day=86400)
def test_an_outcome_is_offered_only_from_the_appointments_start(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked_ahead(pages, cloud)
    start = cloud.referral(referral_id).appointment
    assert start is not None
    when = long_when(start.start)
    for path in ("/coach", f"/coach/referrals/{referral_id}"):
        page = pages.get(path)
        assert f"You can record the outcome from {when}." in page.text, path
        assert f'id="appointment-outcome-{referral_id}-outcome"' not in page.text, path


@pytest.mark.service_days(seconds_per_day=86400)
def test_an_outcome_refused_lands_on_its_card_naming_the_client_at_the_pages_address(
        pages: Pages, cloud: Cloud) -> None:
    """A form sent from a page opened earlier (or a second tab) before the appointment."""
    referral_id = booked_ahead(pages, cloud)
    record = f"/coach/referrals/{referral_id}"
    keys = pages.get(record).keys_of(f"{record}/notes")  # no outcome form is offered now
    for path in ("/coach", f"/coach/referrals/{referral_id}"):
        refused = pages.post(path, {**keys, "referral_id": referral_id,
                                    "step": "appointment-outcome", "outcome": "attended"})
        assert refused.status == 409, path
        ((href, message),) = refused.error_summary()
        assert href == f"#appointment-outcome-{referral_id}-outcome", path
        assert message.startswith("Record the first appointment for Ada Testperson: "
                                  "The appointment has not happened yet"), message
    assert cloud.referral(referral_id).status == "APPOINTMENT_BOOKED"
