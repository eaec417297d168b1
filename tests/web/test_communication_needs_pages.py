"""A patient's communication needs flagged wherever staff meet them (the Accessible Information
Standard): the coach's caseload, the triage card, the diary and the case record show each need
at a glance; the coach changes them on the case record (errors in a GOV.UK summary linking to
the input); the practice sees them on its referral page only with the patient's consent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.web.pages import Pages
from tests.web.test_pages import awaiting

pytestmark = pytest.mark.integration

NEEDS = [{"need": "bsl_interpreter"}, {"need": "language_interpreter", "language": "Polish"}]
BSL = "British Sign Language (BSL) interpreter"
POLISH = "Spoken language interpreter: Polish"


def refer(cloud: Cloud, shares: bool = True, nhs: str = VALID_NHS_NUMBERS[0],
          **changes: Any) -> str:
    return Api(cloud).refer(patient__nhs_number=nhs, patient__communication_needs=NEEDS,
                            consent__share_needs_with_practice=shares, **changes)


def section(text: str, marker: str, end: str = "</ul>") -> str:
    assert marker in text, marker
    return text.split(marker, 1)[1].split(end, 1)[0]


@pytest.mark.service_days(triage_decision_days=10_000)
def test_the_triage_card_flags_each_need(pages: Pages, cloud: Cloud) -> None:
    referral_id = refer(cloud, health_conditions=["other"])
    awaiting(cloud, referral_id, "triage_decision")
    pages.sign_in("coach:coach-amara")
    page = pages.get("/coach").text
    card = section(page, f'id="needs-card-{referral_id}"')
    assert BSL in card
    assert POLISH in card


def test_the_caseload_the_diary_and_the_case_record_flag_each_need(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = refer(cloud)
    awaiting(cloud, referral_id, "appointment_outcome")
    pages.sign_in("coach:coach-amara")
    caseload = pages.get("/coach").text
    for shown in (section(caseload, f'id="needs-{referral_id}"'),
                  section(caseload, f'id="needs-card-{referral_id}"')):
        assert BSL in shown
        assert POLISH in shown

    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.appointment is not None
    diary = pages.get(f"/coach/diary?week={item.appointment.start[:10]}").text
    card = section(diary, 'aria-label="Communication needs"')
    assert BSL in card
    assert POLISH in card

    record = pages.get(f"/coach/referrals/{referral_id}").text
    flag = section(record, 'id="needs-flag"')
    assert BSL in flag
    assert POLISH in flag


def test_the_coach_changes_needs_on_the_case_record_and_mistakes_link_to_the_input(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = refer(cloud)
    awaiting(cloud, referral_id, "appointment_outcome")
    pages.sign_in("coach:coach-amara")
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)

    refused = pages.post(f"{path}/communication-needs",
                         {"need": ["language_interpreter", "large_print"], "language": ""})
    assert refused.status == 422
    assert refused.error_summary() == [
        ("#needs-language", "Enter the language the interpreter must speak, like Polish")]
    stored = cloud.personal_data(referral_id)
    assert stored is not None
    assert len(stored["patient"]["communication_needs"]) == 2  # nothing written

    done = pages.post(f"{path}/communication-needs",
                      {"need": ["large_print", "longer_appointment"], "language": ""})
    assert (done.status, done.location) == (303, f"{path}?saved=communication-needs")
    page = pages.get(done.location).text
    assert "Communication needs saved" in page
    flag = section(page, 'id="needs-flag"')
    assert "Large print" in flag
    assert "A longer appointment" in flag
    assert BSL not in flag
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.need_kinds == ("large_print", "longer_appointment")
    # The timeline says who changed them, never what they are.
    assert (item.timeline[-1].event, item.timeline[-1].by) == \
        ("communication_needs_changed", "coach:coach-amara")


def test_the_practice_page_shows_needs_only_with_consent(pages: Pages, cloud: Cloud) -> None:
    shared = refer(cloud, shares=True, nhs=VALID_NHS_NUMBERS[0])
    private = refer(cloud, shares=False, nhs=VALID_NHS_NUMBERS[1])
    pages.sign_in("referrer:F83001")
    for referral_id, shown in ((shared, True), (private, False)):
        item = cloud.store.referrals.get(referral_id)
        assert item is not None
        page = pages.get(f"/practice/referrals/{item.reference}").text
        assert (BSL in page, POLISH in page, "Communication needs" in page) == \
            (shown, shown, shown)


def test_the_referral_form_asks_for_needs_checks_them_and_sends_them(
        pages: Pages, cloud: Cloud) -> None:
    from tests.web.pages import ANSWERS
    from tests.web.test_pages import referrer
    from tests.web.test_referral_check import check_form

    referrer(pages)
    refused = pages.post("/referrals/new", {**ANSWERS, "need": ["language_interpreter"]})
    assert refused.status == 422
    assert refused.error_summary() == [
        ("#needs-language", "Enter the language the interpreter must speak, like Polish")]
    assert cloud.store.lists.for_practice("F83001") == []

    check = pages.post("/referrals/new", {**ANSWERS, "consent_needs": "yes", "language": "Polish",
                                          "need": ["language_interpreter", "easy_read"]})
    assert check.status == 200
    assert POLISH in check.text
    assert "Easy read" in check.text
    sent = pages.post("/referrals/new", {**check_form(check), "confirmed": "yes"})
    assert sent.status == 303
    (item,) = cloud.store.lists.for_practice("F83001")
    assert item.need_kinds == ("easy_read", "language_interpreter")
    assert item.share_needs_with_practice is True


def test_the_patient_changes_their_needs_from_their_own_page(cloud: Cloud) -> None:
    from urllib.parse import urlencode

    from tests.integration.test_patient_pages import booked_link

    referral_id, path = booked_link(cloud, Api(cloud), patient__communication_needs=NEEDS)
    pages = Pages(cloud.built.pool)
    page = pages.get(f"{path}/needs")
    assert page.status == 200
    assert 'value="bsl_interpreter" checked' in page.text
    assert 'value="Polish"' in page.text
    assert "the patient's communication needs page" in [
        r.purpose for r in cloud.store.audit.trail(referral_id)]

    def post(fields: dict[str, Any]) -> Any:
        return pages._send("POST", f"{path}/needs", urlencode(fields, doseq=True).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded"})

    refused = post({"need": ["other"], "detail": ""})
    assert refused.status == 422
    assert refused.error_summary() == [("#needs-detail", "Describe what you need")]
    done = post({"need": ["bsl_interpreter", "other"], "detail": "A quiet room"})
    assert (done.status, done.location) == (303, f"{path}?done=needs")
    needs = cloud.store.patients.communication_needs(referral_id, "test", "check")
    assert needs is not None
    assert [n.words for n in needs] == [BSL, "Something else: A quiet room"]
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert (item.timeline[-1].event, item.timeline[-1].by) == \
        ("communication_needs_changed", "patient")
