"""Reception staff find a patient's referral by name and date of birth, as they are asked for
it at the desk: only among their own practice's referrals, forgiving of how the name is typed,
every read of the details audited, and neither the name nor the date ever in a URL."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.web.pages import REFERRAL_FORM, Page, Pages
from tests.web.test_lists import audit_records
from tests.web.test_pages import referrer
from tests.web.test_practice_pages import refer
from workingbetter.domain import finding

pytestmark = pytest.mark.integration

BORN = {"dob_day": "1", "dob_month": "4", "dob_year": "1980"}  # REFERRAL_FORM's patient


def find(pages: Pages, name: str, **born: str) -> Page:
    page = pages.get("/practice")
    return pages.post("/practice", {**page.keys_of("/practice"), "by": "name", "name": name,
                                    **(born or BORN)})


def found_ids(page: Page) -> list[str]:
    table = page.text.partition('id="referrals"')[2]
    return re.findall(r'data-referral-id="([^"]+)"', table)


def summary(page: Page) -> list[tuple[str, str]]:
    return [(href, html.unescape(message)) for href, message in page.error_summary()]


@pytest.mark.parametrize("typed", ["Testperson", "  testPERSON ", "ada testperson",
                                   "Ada   Testperson", "TESTPERSON ADA", "Test-person"])
def test_a_referral_is_found_by_name_and_date_of_birth_however_the_name_is_typed(
        pages: Pages, typed: str) -> None:
    referral_id, _ = refer(pages)

    page = find(pages, typed)

    assert page.status == 200
    assert found_ids(page) == [referral_id]
    assert "Referrals found" in page.text


def test_another_date_of_birth_or_name_finds_nothing(pages: Pages) -> None:
    refer(pages)
    for page in (find(pages, "Testperson", dob_day="2", dob_month="4", dob_year="1980"),
                 find(pages, "Lovelace")):
        assert page.status == 200
        assert found_ids(page) == []
        assert "No referral at your practice matches." in page.text


def test_only_the_practices_own_referrals_are_found(pages: Pages) -> None:
    referrer(pages, "F83002")
    other = pages.post("/referrals/new", {**REFERRAL_FORM, "nhs_number": VALID_NHS_NUMBERS[1]})
    assert other.status == 303  # the same name and date of birth, at another practice
    pages.get("/session/sign-out")
    own, _ = refer(pages)

    page = find(pages, "Ada Testperson")

    assert "Referrals found" in page.text  # a search's answer, not the practice's list
    assert found_ids(page) == [own]


def test_a_search_is_audited_and_neither_name_nor_date_of_birth_goes_in_a_url(
        cloud: Cloud, pages: Pages) -> None:
    referral_id, _ = refer(pages)
    form = pages.get("/practice")
    before = len(audit_records(cloud, "F83001"))

    page = pages.post("/practice", {**form.keys_of("/practice"), "by": "name",
                                    "name": "Testperson", **BORN})

    records: list[dict[str, Any]] = audit_records(cloud, "F83001")[before:]
    assert [(r["purpose"], r["referral_ids"]) for r in records] == [
        ("POST /practice (name and date of birth)", [referral_id])]
    assert "Testperson" not in str(records)
    assert not page.location
    for url in re.findall(r'(?:href|action|formaction)="([^"]*)"', page.text):
        assert "estperson" not in url.lower()
        assert "1980" not in url


def test_a_name_and_date_of_birth_left_out_are_field_errors(cloud: Cloud, pages: Pages) -> None:
    refer(pages)
    page = find(pages, "  ", dob_day="31", dob_month="2", dob_year="1980")

    assert page.status == 422
    assert summary(page) == [("#name", finding.NAME_NEEDED), ("#dob-day", finding.NOT_A_DATE)]
    assert summary(find(pages, "Testperson", dob_day="", dob_month="", dob_year="")) == [
        ("#dob-day", finding.DATE_NEEDED)]


def test_a_referral_whose_details_were_erased_is_not_found(cloud: Cloud, pages: Pages) -> None:
    referral_id, shown = refer(pages)
    pages.get(f"/practice/referrals/{shown}/withdraw")
    done = pages.post(f"/practice/referrals/{shown}/withdraw",
                      {"exit_reason": "moved_away", "erase": "yes"})
    assert done.status == 303

    assert found_ids(find(pages, "Testperson")) == []
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.birth_key is None  # nothing derived from the date of birth is kept


def test_reference_and_nhs_number_search_still_work(pages: Pages) -> None:
    referral_id, shown = refer(pages)
    for typed in (shown, "485 777 3457"):
        page = pages.get("/practice")
        found = pages.post("/practice", {**page.keys_of("/practice"), "q": typed})
        assert found_ids(found) == [referral_id]
