"""Setting up an authenticator app at a first sign-in, in a real browser at 375 px: the key
and its otpauth:// link fit a small phone, a wrong code is named in an error summary, and the
right one signs the person in. Checked by axe-core; screenshots in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from infra import tokens
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person
from tests.browser.conftest import check_page
from tests.local_stack_process import Running

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 375, f"{page.url} is {wide} px wide at 375 px"


def test_an_account_without_an_app_sets_one_up_on_a_small_phone(page: Page,
                                                                  stack: Running) -> None:
    person = Person("coach", coach_id="coach-new")  # made as an administrator makes one
    tokens.local_pool(stack.stack_file).add(person, app=False)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/login")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("link", name="add the key to your app")).to_have_attribute(
        "href", re.compile(r"^otpauth://totp/Working%20Better:coach-new@"))
    check_page(page, "02-app-setup-375")
    _fits(page)

    page.get_by_label("Security code").fill("12")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter the 6-digit code shown in your "
                                            "authenticator app")).to_have_attribute("href",
                                                                                    "#code")
    check_page(page, "02-app-setup-wrong-code-375")
    _fits(page)

    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/coach$"))
