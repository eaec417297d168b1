"""Setting up the service in a real browser: an authenticator app at a first sign-in on a
375 px phone; a service manager's walk from a new practice and coaches to a referral booked,
moved for an absence, handed over when the coach leaves, and a leaver's account disabled (issue
21's done-when); a practice paused. Checked by axe-core; screenshots in test-artifacts/."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from infra import tokens
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person
from tests.browser.conftest import check_page, fits_375, fits_375_here, sign_in
from tests.browser.test_pages import _fill_referral
from tests.conftest import referral_body
from tests.local_stack_process import Running
from workingbetter.domain import slots
from workingbetter.domain.auth import Role
from workingbetter.domain.nhs_number import check_digit
from workingbetter.domain.slots import WEEKDAYS
from workingbetter.domain.working_days import is_bank_holiday

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    beyond = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 375)
        .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 60))""")
    assert wide <= 375, f"{page.url} is {wide} px wide at 375 px: {beyond}"


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


def _first_sign_in(page: Page, email: str, password: str) -> None:
    """The temporary password from the invitation, a new password, an app, and in."""
    temporary = _emailed(page, email, r"temporary password: (\S+) \.")
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Create a new password")).to_be_visible()
    check_page(page, "33-new-password")
    _passwords(page, password)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/practice$"))


def _reset_forgotten_password(page: Page, email: str, password: str) -> None:
    """Signed out: the emailed code sets a new password, which then signs them in."""
    page.goto("/session/sign-out")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_page(page, "34-check-your-email")
    code = _emailed(page, email, r"password is (\d{6}) \.")
    page.get_by_label("Code from the email").fill(code)
    _passwords(page, password)
    page.get_by_role("button", name="Reset your password").click()
    expect(page.get_by_text("Your password has been reset")).to_be_visible()
    _signs_in(page, email, password)


def _signs_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(LOCAL_CODE)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/practice$"))


def _sent(page: Page, pattern: str) -> re.Match[str]:
    """The first group of `pattern` in a message /dev/messages shows, once the stack has sent
    it (booking and sending follow the request by moments: reload, within a generous bound)."""
    deadline = time.monotonic() + 120
    while True:
        page.goto("/dev/messages")
        found = re.search(pattern, page.locator("#messages").inner_text()) \
            if page.locator("#messages").count() else None
        if found or time.monotonic() > deadline:
            break
        page.wait_for_timeout(300)
    assert found, f"no message matching {pattern!r}"
    return found


def _day(words: str, after: date) -> date:
    """"Friday 11 December" as the first such date on or after `after` (messages give no
    year)."""
    for year in (after.year, after.year + 1):
        day = datetime.strptime(f"{words} {year}", "%A %d %B %Y").date()
        if day >= after:
            return day
    raise AssertionError(words)


def _add_coach(page: Page, coach_id: str, name: str, practice: str, weekday: int,
               start: str, end: str) -> None:
    page.goto("/manage/coaches")
    page.get_by_role("link", name="Add a coach").click()
    page.get_by_label("Coach id").fill(coach_id)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("5 days a week").check()
    page.get_by_role("button", name="Add the coach").click()
    expect(page.get_by_text("Coach added")).to_be_visible()
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label(practice, exact=True).check()
    page.get_by_label(WEEKDAYS[weekday].capitalize(), exact=True).check()
    page.get_by_label("Start time").fill(start)
    page.get_by_label("End time").fill(end)
    page.get_by_label("Appointment length in minutes").fill("60")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_text("Session added: booking uses it")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("Session added, by")
    expect(page.locator("#audit")).to_contain_text("Added, by")


def _invite(page: Page, email: str, ods: str) -> str:
    """The invited person's page."""
    page.goto("/manage/people")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill("Ines Invited")
    page.get_by_label("Practice staff", exact=True).check()
    page.get_by_label("Practice (practice staff only)").select_option(ods)
    check_page(page, "31-invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("Invited as practice staff")
    check_page(page, "32-invited-person")
    return page.url.partition("?")[0]


def _next_weekday_bank_holiday(today: date) -> date:
    """At least two weeks on: the first appointment (a day's notice, in a weekly session on
    its weekday) comes before it."""
    return next(d for d in (today + timedelta(days=n) for n in range(14, 800))
                if d.weekday() < 5 and is_bank_holiday(d))


@pytest.fixture
def referrer(browser: Browser, stack: Running) -> Iterator[Page]:
    """A browser of the referrer's own, beside the manager's."""
    context = browser.new_context(base_url=stack.api, bypass_csp=True,
                                  viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def test_the_service_manager_runs_the_service_from_a_new_practice_to_a_leaver(
        page: Page, referrer: Page, stack: Running) -> None:
    """Issue 21's done-when, in order, on the pages a manager uses. The bank holiday: the new
    coach's only session is on the weekday of the next weekday bank holiday H (two weeks on at
    least), so their diary has a session day on H whatever the date the suite runs. The first
    appointment comes before H; the absence then covers every session day from it up to the
    day before H, so the next session day the rebooking can reach is H itself: it must go past
    it. (When H is beyond the diary's 12-week horizon, a few weeks of September, the absence
    covers the appointment's day alone and the walk checks what it can: no appointment is
    booked on a bank holiday.)"""
    port = int(stack.api.rsplit(":", 1)[1])
    ods, practice = f"Y{(port + 1) % 100000:05d}", f"Walk Surgery {port}"  # new each stack
    leaver, heir = f"coach-w{port}", f"coach-x{port}"
    email = f"invited.{port}@nhs.example"
    today = datetime.now(slots.UK).date()
    holiday = _next_weekday_bank_holiday(today)

    # A practice, a coach with a session there on H's weekday, a referrer invited for it.
    sign_in(page, "manager", check="30-manager")
    expect(page).to_have_url(re.compile(r"/manage/people$"))
    check_page(page, "30-people")
    page.goto("/manage/practices")
    page.get_by_role("link", name="Add a practice").click()
    page.get_by_label("ODS code").fill(ods)
    page.get_by_label("Name", exact=True).fill(practice)
    page.get_by_label("Practice email address").fill("walk@nhs.example")
    page.get_by_label("Address", exact=True).fill("2 Walk Street, Leeds LS1 4AP")
    page.get_by_label("Phone number").fill("0113 496 0001")
    page.get_by_role("button", name="Add the practice").click()
    expect(page.get_by_text("Practice added")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("Added, by")
    _add_coach(page, leaver, "Wendy Walker", practice, holiday.weekday(), "9am", "12pm")
    coach_page = page.url.partition("?")[0]
    check_page(page, "37-coach")
    fits_375_here(page, "manage-coach")
    page.set_viewport_size({"width": 1100, "height": 900})
    person_page = _invite(page, email, ods)
    fits_375(page, "/manage/people/invite")
    page.set_viewport_size({"width": 1100, "height": 900})

    # The referrer's first sign-in, in a browser of their own, and their referral.
    _first_sign_in(referrer, email, "Ines-first-Passw0rd")
    referrer.get_by_role("link", name="Refer a patient").first.click()
    _fill_referral(referrer, _unused_nhs_number(start=943_476_600), "Walkthrough")
    referrer.get_by_role("button", name="Continue").click()
    referrer.get_by_role("button", name="Send referral").click()
    expect(referrer.locator(".govuk-panel__title")).to_have_text("Referral sent")
    reference = referrer.locator("#reference").inner_text().strip()

    # Booked with the new coach, never on a bank holiday.
    booked = _day(_sent(page, rf"appointment is on (\w+ \d+ \w+) at [\d:]+ at {practice}")
                  .group(1), today)
    assert booked < holiday
    assert booked.weekday() == holiday.weekday()
    assert not is_bank_holiday(booked)

    # The coach is away over it: the patient is rebooked, past H, and told.
    last = holiday - timedelta(days=1) if holiday - today < timedelta(weeks=11) else booked
    page.goto(coach_page)
    page.get_by_role("link", name="Absences: the days the coach is away").click()
    for prefix, day in (("from", booked), ("to", last)):
        for part in ("day", "month", "year"):
            page.locator(f"#{prefix}-{part}").fill(str(getattr(day, part)))
    page.get_by_role("button", name="Record the absence").click()
    expect(page.get_by_text("Absence recorded: 1 appointment moved")).to_be_visible()
    moved = _day(_sent(page, r"It is now on (\w+ \d+ \w+) at ").group(1), today)
    assert moved > last
    assert not is_bank_holiday(moved)
    if last == holiday - timedelta(days=1):
        assert moved > holiday  # the session day on H was passed over
    page.goto(coach_page)
    expect(page.locator("#audit")).to_contain_text("Absence recorded (")

    # The coach leaves: a colleague with a session there takes the patient, who is told.
    _add_coach(page, heir, "Xavier Cole", practice, (holiday.weekday() + 1) % 5, "1pm", "4pm")
    heir_page = page.url.partition("?")[0]
    page.goto(coach_page)
    page.get_by_role("link", name=re.compile("^Their caseload")).click()
    page.get_by_label(re.compile(r"^Xavier Cole \(")).check()
    check_page(page, "38-coach-leaves")
    page.get_by_role("button", name="The coach leaves").click()
    expect(page.get_by_text("1 handed to other coaches")).to_be_visible()
    _sent(page, r"(coach is now Xavier Cole)")
    page.goto(coach_page)
    expect(page.locator("#left")).to_contain_text("Left the service")
    expect(page.locator("#audit")).to_contain_text("Left the service (1 referral handed over)")
    expect(page.locator("#audit")).to_contain_text(f"Referral {reference} moved to {heir}")
    page.goto(heir_page)
    expect(page.locator("#audit")).to_contain_text(f"Referral {reference} moved in from")

    # A forgotten password is reset; a disabled person's signed-in browser is refused.
    _reset_forgotten_password(referrer, email, "Ines-second-Passw0rd")
    page.goto(person_page)
    page.get_by_role("button", name="Disable their account").click()
    expect(page.get_by_text("Account disabled: they have been signed out")).to_be_visible()
    expect(page.locator("#audit")).to_contain_text("Disabled, by")
    referrer.goto("/practice")
    expect(referrer).to_have_url(re.compile(r"/login"))
    # Disabled by mistake: enabled again, they sign in with their own password and app.
    page.get_by_role("button", name="Enable their account").click()
    expect(page.locator("#audit")).to_contain_text("Enabled again, by")
    _signs_in(referrer, email, "Ines-second-Passw0rd")


def test_a_manager_adds_a_practice_and_pauses_its_referrals_on_a_small_phone(
        page: Page, stack: Running) -> None:
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


def _unused_nhs_number(start: int = 943_476_500) -> str:
    """A valid NHS number no other test in this file refers (each test its own `start`)."""
    first_nine = start
    while check_digit(str(first_nine)) is None:
        first_nine += 1
    return f"{first_nine}{check_digit(str(first_nine))}"
