"""The coach's case record and diary in a real browser: reached from the caseload, a note added
with the keyboard alone, a follow-up booked and found in the diary. Every page is checked by
axe-core, fits a 375 px wide screen without scrolling sideways, and is saved in
test-artifacts/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import check_page, sign_in

pytestmark = pytest.mark.browser

PRACTICE = "F83003"
COACH = "coach-dev"
NARROW: ViewportSize = {"width": 375, "height": 800}
WIDE: ViewportSize = {"width": 1100, "height": 900}
made: dict[str, str] = {}


def fits_narrow_screen(page: Page, name: str) -> None:
    page.set_viewport_size(NARROW)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    check_page(page, f"{name}-375px")
    assert overflow <= 0, f"{name}: scrolls {overflow}px sideways at 375px"
    page.set_viewport_size(WIDE)


def refer_and_attend(page: Page) -> str:
    sign_in(page, f"referrer:{PRACTICE}")
    page.goto("/referrals/new")  # practice staff land on their list
    page.get_by_label("NHS number").fill("943 476 5870")
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill("Recordperson")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("1985")
    page.get_by_label("Unemployed").check()
    page.get_by_label("Mental health").check()
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number", exact=True).fill("07700 900 456")
    page.get_by_label("Why are you referring the patient?").fill("Wants part-time work.")
    page.get_by_label("The patient agrees to be referred to Working Better").check()
    page.get_by_role("button", name="Continue").click()  # to check the answers
    page.get_by_role("button", name="Send referral").click()
    referral_id = str(page.locator(".govuk-panel").get_attribute("data-referral-id"))

    sign_in(page, f"coach:{COACH}")
    card = page.locator(f"#waiting-{referral_id}")
    for _ in range(50):  # the run books the appointment within moments of the referral
        if card.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    page.wait_for_timeout(500)  # let the appointment come round on the service clock
    card.get_by_label("Attended").check()
    card.get_by_role("button", name="Record the first appointment").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    return referral_id


def test_the_coach_opens_the_case_record_and_adds_a_note_by_keyboard(page: Page) -> None:
    referral_id = refer_and_attend(page)
    made["referral_id"] = referral_id
    expect(page.locator("#load")).to_contain_text("of 20 places taken")
    check_page(page, "20-caseload-load")
    fits_narrow_screen(page, "20-caseload")

    page.get_by_role("link", name="Ines Recordperson").click()
    expect(page).to_have_url(re.compile(f"/coach/referrals/{referral_id}$"))
    expect(page.locator("h1")).to_have_text("Ines Recordperson")
    expect(page.locator("#referral ~ dl").first).to_contain_text("Wants part-time work.")
    check_page(page, "21-case-record")
    fits_narrow_screen(page, "21-case-record")

    for _ in range(300):  # Tab through the page to the note box, as a keyboard user does
        if page.evaluate("document.activeElement && document.activeElement.id") == "note-text":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "note-text"
    page.keyboard.type("Prefers mornings; walks to work.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Note added")
    expect(page.locator("#notes ~ .govuk-inset-text").first).to_contain_text(
        "Prefers mornings; walks to work.")
    check_page(page, "22-case-record-note")


def test_the_coach_books_a_follow_up_and_finds_it_in_the_diary(page: Page) -> None:
    if "referral_id" not in made:
        pytest.skip("needs the referral made by the first test")
    referral_id = made["referral_id"]
    sign_in(page, f"coach:{COACH}")
    page.goto(f"/coach/referrals/{referral_id}")
    day = datetime.now(UTC).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    page.get_by_text("Book a follow-up appointment").click()
    form = page.locator('form[action$="/follow-ups"]')
    form.get_by_label("Day").fill(str(day.day))
    form.get_by_label("Month").fill(str(day.month))
    form.get_by_label("Year").fill(str(day.year))
    form.get_by_label("Time").fill("11:15")
    form.get_by_label("By phone").check()
    form.get_by_role("button", name="Book the appointment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Follow-up appointment booked")

    page.goto(f"/coach/diary?week={day.isoformat()}")
    entry = page.locator(".govuk-summary-card", has_text="Ines Recordperson").last
    expect(entry).to_contain_text("Follow-up, by phone")
    check_page(page, "23-diary")
    fits_narrow_screen(page, "23-diary")
    page.get_by_role("link", name=re.compile("Next")).click()
    expect(page).to_have_url(re.compile(r"/coach/diary\?week="))
    check_page(page, "24-diary-next-week")
