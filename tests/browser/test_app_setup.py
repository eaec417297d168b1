"""Setting up an authenticator app at a first sign-in, in a real browser at 375 px: the key
and its otpauth:// link fit a small phone, a wrong code is named in an error summary, and the
right one signs the person in. Checked by axe-core; screenshots in test-artifacts/."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from infra import tokens
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person
from tests.browser.conftest import check_page, sign_in
from tests.conftest import referral_body
from tests.local_stack_process import Running
from workingbetter.domain.auth import Role
from workingbetter.domain.nhs_number import check_digit

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


def _emailed(page: Page, to: str, pattern: str) -> str:
    """The secret in the latest email to `to` on /dev/messages (Cognito's, locally), read in
    a tab of its own, as someone opens their email beside the service."""
    mail = page.context.new_page()
    mail.goto("/dev/messages")
    card = mail.locator(".govuk-summary-card", has_text=to).first
    expect(card).to_be_visible()
    text = card.inner_text()
    mail.close()
    found = re.search(pattern, text)
    assert found, text
    return found.group(1)


def _passwords(page: Page, password: str) -> None:
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Enter the new password again").fill(password)


def test_a_manager_invites_a_referrer_who_signs_in_first_and_later_resets_a_password(
        page: Page, stack: Running) -> None:
    from tests.browser.conftest import fits_375, sign_in

    email = f"invited.{stack.api.rsplit(':', 1)[1]}@nhs.example"  # a new address each stack
    sign_in(page, "manager", check="30-manager")
    expect(page).to_have_url(re.compile(r"/manage/people$"))
    check_page(page, "30-people")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill("Ines Invited")
    page.get_by_label("Practice staff", exact=True).check()
    page.get_by_label("Practice (practice staff only)").select_option("F83004")
    check_page(page, "31-invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("Invited as practice staff")
    check_page(page, "32-invited-person")
    fits_375(page, "/manage/people")
    fits_375(page, "/manage/people/invite")
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto("/session/sign-out")

    temporary = _emailed(page, email, r"temporary password: (\S+) \.")
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Create a new password")).to_be_visible()
    check_page(page, "33-new-password")
    _passwords(page, "Ines-first-Passw0rd")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/practice$"))
    page.goto("/session/sign-out")

    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_page(page, "34-check-your-email")
    code = _emailed(page, email, r"password is (\d{6}) \.")
    page.get_by_label("Code from the email").fill(code)
    _passwords(page, "Ines-second-Passw0rd")
    page.get_by_role("button", name="Reset your password").click()
    expect(page.get_by_text("Your password has been reset")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("Ines-second-Passw0rd")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/practice$"))


def test_a_manager_adds_a_practice_and_pauses_its_referrals_on_a_small_phone(
        page: Page, stack: Running) -> None:
    from tests.browser.conftest import fits_375_here, sign_in

    ods = f"Y{int(stack.api.rsplit(':', 1)[1]) % 100000:05d}"  # a new practice each stack
    sign_in(page, "manager")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/manage/practices")
    page.get_by_role("link", name="Add a practice").click()
    page.get_by_role("button", name="Add the practice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("ODS code")
    check_page(page, "35-add-practice-errors")
    page.get_by_label("ODS code").fill(ods)
    page.get_by_label("Name", exact=True).fill("Riverside Surgery")
    page.get_by_label("Practice email address").fill("riverside@nhs.example")
    page.get_by_label("Address", exact=True).fill("1 River Street, Leeds LS1 4AP")
    page.get_by_label("Phone number").fill("0113 496 0000")
    page.get_by_label("Rooms it lends the coaches (optional)").fill("Room 4\nThe quiet room")
    page.get_by_role("button", name="Add the practice").click()
    expect(page.get_by_text("Practice added")).to_be_visible()
    page.get_by_label("Why are new referrals paused?").fill("The rooms are being refurbished")
    page.get_by_role("button", name="Pause new referrals").click()
    expect(page.locator("#status")).to_contain_text("The rooms are being refurbished")
    expect(page.locator("#audit")).to_contain_text("New referrals paused")
    check_page(page, "36-practice-paused")
    fits_375_here(page, "manage-practice-paused")
    page.set_viewport_size({"width": 1100, "height": 900})


def test_a_coach_who_accepts_at_triage_is_told_who_now_has_the_referral(
        page: Page, stack: Running) -> None:
    # A referral the rules cannot decide ("other" conditions) waits for a coach's triage.
    body = referral_body(health_conditions=["other"], patient__nhs_number=_unused_nhs_number())
    token = stack.token(Role.REFERRER, practice_ods="F83001")
    sent = urllib.request.Request(  # noqa: S310 - the local stack's own http:// address
        f"{stack.api}/referrals", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(sent, timeout=60) as answer:  # noqa: S310 - as above
        referral_id = json.loads(answer.read())["referral_id"]
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "coach:coach-amara")
    card = page.locator(f"#waiting-{referral_id}")
    for _ in range(150):  # the run reaches triage within moments of the referral
        if card.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    card.get_by_label("Accept: allocate a coach").check()
    card.get_by_label("Reason").fill("Wants to work and the service suits them")
    card.get_by_role("button", name="Decide on the referral").click()

    banner = page.locator(".govuk-notification-banner")
    for _ in range(150):  # allocation and booking follow a moment later: reload for them
        said = banner.inner_text()
        if "is now with" in said and "being booked" not in said:
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(banner).to_contain_text(re.compile(
        r"WB-[0-9A-Z]{4}-[0-9A-Z]{4} is now with \w+ \w+; first appointment \w+day "))
    check_page(page, "12-after-triage-375")
    _fits(page)


def _unused_nhs_number() -> str:
    """A valid NHS number no other test in this file refers."""
    first_nine = 943_476_500
    while check_digit(str(first_nine)) is None:
        first_nine += 1
    return f"{first_nine}{check_digit(str(first_nine))}"
