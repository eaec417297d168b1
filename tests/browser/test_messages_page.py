"""The local stack's /dev/messages on a 375-pixel-wide phone: the patient's confirmation is
there, the page passes axe-core, and its link opens the patient's leave page."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_page
from tests.conftest import referral_body
from tests.e2e.test_local_stack import http
from tests.local_stack_process import Running
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.browser


def test_a_patients_link_can_be_followed_from_the_messages_page_on_a_phone(
        page: Page, stack: Running) -> None:
    referrer = stack.token(Role.REFERRER, practice_ods="F83005")
    code, created = http(stack, "POST", "/referrals", referrer, referral_body(
        practice_ods="F83005", patient__nhs_number="9434765803", patient__given_name="Mo"))
    assert code == 201, created
    referral_id = created["referral_id"]

    page.set_viewport_size({"width": 375, "height": 800})
    link = page.locator(f'#messages a[href*="/patient/{referral_id}."]')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # booked, then sent on the scheduler's next tick
        page.goto("/dev/messages")
        if link.count():
            break
        time.sleep(0.5)
    expect(link).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text("Hello Mo")
    check_page(page, "20-dev-messages-375px")

    link.click()  # the patient's own page, and from it the leave page
    expect(page).to_have_url(re.compile(rf"/patient/{referral_id}\."))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Working Better support")
    page.get_by_role("link", name="Leave Working Better").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("leave Working Better")
    check_page(page, "21-leave-page-from-a-message-375px")
