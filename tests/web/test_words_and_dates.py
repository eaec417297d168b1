"""One date style and the service's own words on every page: a date a coach recorded reads as
people write it, and a number out of range is refused in plain words, never pydantic's."""

from __future__ import annotations

import pytest

from tests.conftest import Cloud
from tests.web.pages import Pages
from tests.web.test_case_pages import in_support

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
    assert refused.error_summary() == [("#confidence", "Enter a number from 1 to 10")]
    assert "Input should" not in refused.text
