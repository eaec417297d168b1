"""Referring a patient, as practice staff meet it: the answers are checked on a page of their
own before anything is sent, the contact fields say truthfully when they are needed, and the
practice has a leaflet to give the patient."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Cloud
from tests.web.pages import ANSWERS, Page, Pages
from tests.web.test_pages import referrer

pytestmark = pytest.mark.integration


def words(page: Page) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def check_form(page: Page) -> dict[str, list[str]]:
    """What the check-your-answers form sends, as the browser sends it (repeated names kept)."""
    form = page.text.partition('id="check-form"')[2].partition("</form>")[0]
    sent: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form):
        sent.setdefault(name, []).append(value)
    return sent


def test_the_answers_are_shown_to_check_and_nothing_is_sent_until_send_referral(
        cloud: Cloud, pages: Pages) -> None:
    form = referrer(pages).last
    assert form is not None

    check = pages.post("/referrals/new", ANSWERS)

    assert check.status == 200
    assert "Check the referral before sending it" in check.text
    shown = words(check)
    for answer in ("485 777 3457", "Ada Testperson", "1 April 1980", "Mental health",
                   "Text message", "07700 900982"):
        assert answer in shown
    assert 'name="change" value="nhs-number" formaction="/referrals/new#nhs-number"' in \
        check.text
    assert cloud.store.lists.for_practice("F83001") == []
    carried = check_form(check)
    assert carried["nonce"] == [form.hidden("nonce")]  # the form's key: sent once

    sent = pages.post("/referrals/new", {**carried, "confirmed": "yes"})
    again = pages.post("/referrals/new", {**carried, "confirmed": "yes"})  # a double click

    assert (sent.status, again.status) == (303, 303)
    assert sent.location == again.location
    assert re.fullmatch(r"/practice/referrals/WB-[0-9A-Z-]+/sent", sent.location)
    assert "Referral sent" in pages.get(sent.location).text
    assert len(cloud.store.lists.for_practice("F83001")) == 1


def test_change_takes_the_answers_back_to_the_form_and_sends_nothing(
        cloud: Cloud, pages: Pages) -> None:
    check = referrer(pages).post("/referrals/new", ANSWERS)

    back = pages.post("/referrals/new", {**check_form(check), "change": "phone"})

    assert back.status == 200
    assert 'id="referral-form"' in back.text
    assert 'value="07700 900982"' in back.text
    assert 'value="Testperson"' in back.text
    assert back.hidden("nonce") == check_form(check)["nonce"][0]
    assert cloud.store.lists.for_practice("F83001") == []


def test_the_form_says_a_phone_number_is_needed_for_texts_and_calls(pages: Pages) -> None:
    form = referrer(pages).last
    assert form is not None
    assert "Phone number (optional)" not in form.text
    assert "Needed if they want text messages" in form.text


@pytest.mark.parametrize("landline", ["020 7946 0000", "01632 960000"])
def test_text_messages_need_a_mobile_number(cloud: Cloud, pages: Pages, landline: str) -> None:
    page = referrer(pages).post("/referrals/new", {**ANSWERS, "phone": landline})
    assert page.status == 422
    assert page.error_summary() == [
        ("#phone", "Enter a mobile number, like 07700 900 982: text messages go only to a "
                   "mobile")]
    assert cloud.store.lists.for_practice("F83001") == []


@pytest.mark.parametrize("mobile", ["07700 900982", "+44 7700 900982", "+44 (0)7700 900982"])
def test_a_mobile_number_is_taken_however_it_is_written(pages: Pages, mobile: str) -> None:
    assert referrer(pages).post("/referrals/new", {**ANSWERS, "phone": mobile}).status == 200


def test_a_phone_call_may_go_to_a_landline(pages: Pages) -> None:
    page = referrer(pages).post("/referrals/new", {**ANSWERS, "contact_preference": "phone",
                                                   "phone": "020 7946 0000"})
    assert page.status == 200


def test_the_leaflet_tells_the_patient_it_is_voluntary_how_to_leave_and_whom_to_call(
        pages: Pages) -> None:
    leaflet = pages.get("/leaflet")  # no sign-in: it names nobody

    assert leaflet.status == 200
    said = words(leaflet)
    assert "Working Better is voluntary" in said
    assert "Nothing you tell us goes to the Jobcentre" in said
    assert "does not touch your benefits" in said
    assert "You can leave at any time" in said
    assert "Call Working Better on 020 7946 0000" in said
    # On paper: the service's navigation and footer are left off.
    assert '<header class="govuk-template__header govuk-!-display-none-print">' in leaflet.text
    assert 'class="govuk-footer govuk-!-display-none-print"' in leaflet.text


def test_the_confirmation_and_the_practice_list_link_to_the_leaflet(pages: Pages) -> None:
    check = referrer(pages).post("/referrals/new", ANSWERS)
    sent = pages.follow(pages.post("/referrals/new", {**check_form(check), "confirmed": "yes"}))
    assert 'href="/leaflet"' in sent.text
    assert 'href="/leaflet"' in pages.get("/practice").text
