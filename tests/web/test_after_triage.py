"""After a coach decides at triage, the caseload says what happened and who has the referral
now: by its reference, never by anything personal in the address."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import Cloud
from tests.web.pages import Pages
from tests.web.test_pages import awaiting, refer
from workingbetter.domain import dates
from workingbetter.domain.records.directory import Coach, Practice
from workingbetter.domain.records.referral import Appointment, Referral
from workingbetter.domain.referral import Status
from workingbetter.web.caseload import after_triage

pytestmark = pytest.mark.integration


def test_an_accepted_referral_says_who_has_it_and_when_they_meet(pages: Pages,
                                                                 cloud: Cloud) -> None:
    referral_id = refer(pages, conditions="other")
    awaiting(cloud, referral_id, "triage_decision")
    pages.sign_in("coach:coach-amara")
    pages.get("/coach")
    done = pages.post(f"/coach/referrals/{referral_id}/triage",
                      {"decision": "accept", "reason": "Suits the service"})
    assert done.status == 303
    assert done.location == f"/coach?recorded=triage&referral={referral_id}"
    item = cloud.wait_for(referral_id, lambda i: i.appointment is not None,
                          what="the first appointment booked")
    assert item.appointment is not None
    page = pages.get(done.location)
    banner = page.text.partition('class="govuk-notification-banner')[2]
    banner = banner.partition("</div>\n</div>")[0]
    coach = cloud.coach(str(item.coach_id))
    assert f"{item.reference} is now with {coach.name}; first appointment " \
           f"{dates.long_when(item.appointment.start)} at City Road Medical Centre" in banner
    assert "Testperson" not in banner


REFERRAL = Referral(referral_id="r-1", practice_ods="F83001", status=Status.WAITLISTED,
                    reference="WB-ABCD-EFGH", created_at="2026-12-01T10:00:00Z")
PLACE = Practice("F83001", "City Road Medical Centre")


def test_each_way_a_triage_decision_ends_is_told_in_words() -> None:
    assert after_triage(REFERRAL, None, PLACE) == (
        "WB-ABCD-EFGH is on the waiting list: no coach has a free place at City Road Medical "
        "Centre. It goes to the first coach with one.")
    booked = replace(REFERRAL, status=Status.APPOINTMENT_BOOKED, coach_id="coach-amara",
                     appointment=Appointment("2026-12-14T10:00:00Z", "F83001"))
    amara = Coach("coach-amara", "F83001", 0, name="Amara Okafor")
    assert after_triage(booked, amara, PLACE) == (
        "WB-ABCD-EFGH is now with Amara Okafor; first appointment Monday 14 December 2026 at "
        "10am at City Road Medical Centre")
    rejected = replace(REFERRAL, status=Status.REJECTED)
    assert after_triage(rejected, None, PLACE) == \
        "WB-ABCD-EFGH was not accepted: the practice is told why"
    finding = replace(REFERRAL, status=Status.TRIAGE)
    assert "being found" in after_triage(finding, None, PLACE)
