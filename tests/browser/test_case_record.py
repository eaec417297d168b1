"""The coach's case record and diary in a real browser: reached from the caseload, a note added
with the keyboard alone, a follow-up booked and found in the diary. Every page is checked by
axe-core, fits a 375 px wide screen without scrolling sideways, and is saved in
test-artifacts/."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.browser.conftest import check_page, sign_in
from tests.local_stack_process import Running
from workingbetter.domain.auth import Role
from workingbetter.domain.working_days import is_working_day

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
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("Phone number", exact=True).fill("07700 900 456")
    page.get_by_label("Why are you referring the patient?").fill("Wants part-time work.")
    page.get_by_label("The patient agrees to be referred to Working Better").check()
    page.get_by_role("button", name="Continue").click()  # to check the answers
    page.get_by_role("button", name="Send referral").click()
    referral_id = str(page.locator(".govuk-panel").get_attribute("data-referral-id"))

    sign_in(page, f"coach:{COACH}")
    card = page.locator(f"#waiting-{referral_id}")
    reload_until(page, card)  # the run books the appointment within moments of the referral
    page.get_by_role("link", name="Ines Recordperson").click()
    # The case record shows the appointment booked, and its outcome's form once it has come
    # round on the service clock.
    booked = page.locator("#appointment + dl")
    expect(booked).to_contain_text(re.compile(r"(Monday|Tuesday|Wednesday|Thursday|Friday) "
                                              r"\d+ \w+ \d{4} at \d"))
    form = page.locator(f'form[action="/coach/referrals/{referral_id}"]')
    reload_until(page, form)
    check_page(page, "21-case-record-appointment")
    fits_narrow_screen(page, "21-case-record-appointment")
    form.get_by_label("Attended").check()
    form.get_by_role("button", name="Record the first appointment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Appointment outcome recorded")
    expect(booked).to_contain_text("Attended")
    page.goto("/coach")
    return referral_id


def reload_until(page: Page, shown: Locator, tries: int = 300) -> None:
    """Reload until the run has got to where `shown` appears (a minute at most)."""
    for _ in range(tries):
        if shown.count():
            return
        page.wait_for_timeout(200)
        page.reload()
    raise AssertionError(f"{shown} never appeared")


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
    while not is_working_day(day):  # a weekday, not a bank holiday
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


def test_the_coach_records_a_review_one_question_at_a_time(page: Page) -> None:
    if "referral_id" not in made:
        pytest.skip("needs the referral made by the first test")
    referral_id = made["referral_id"]
    sign_in(page, f"coach:{COACH}")
    page.goto(f"/coach/referrals/{referral_id}")
    start = page.get_by_role("link", name="Record the review")
    reload_until(page, start)  # the review falls due 28 service days after the appointment
    start.click()
    expect(page).to_have_url(re.compile(f"/coach/referrals/{referral_id}/review$"))
    expect(page.locator("h1")).to_have_text("What happened at this review?")
    check_page(page, "25-review-what-happened")
    fits_narrow_screen(page, "25-review-what-happened")
    page.get_by_label("They start a job").check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile("/review-job$"))
    page.get_by_label("Employer").fill("Upper Street Books")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the job title")
    expect(summary).to_contain_text("Select whether they are self-employed")
    expect(page).to_have_url(re.compile("/review-job$"))  # the page's own address
    check_page(page, "26-review-job-errors")
    fits_narrow_screen(page, "26-review-job-errors")
    page.get_by_label("Job title").fill("Bookseller")
    page.get_by_label("Hours a week").fill("16")
    page.get_by_label("At or above the National Living Wage").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label(re.compile("How many employers")).fill("1")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Their goals and confidence")
    page.get_by_label("Goal 1 (optional)").fill("Settle into the job")
    page.get_by_label(re.compile("Their confidence today")).fill("7")
    check_page(page, "27-review-goals")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Check your answers before recording the review")
    expect(page.locator("#check-answers")).to_contain_text("Upper Street Books")
    check_page(page, "28-review-check")
    fits_narrow_screen(page, "28-review-check")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Review recorded")
    expect(page.locator("#jobs ~ dl").first).to_contain_text("Bookseller")


def coach_weekday(coach_id: str) -> int:
    """The coach's session day, as the local stack seeds it."""
    import json

    from tests.local_stack_process import ROOT

    seeded = json.loads((ROOT / "infra" / "pilot_practices.json").read_text())
    return next(int(c["weekday"]) for p in seeded["practices"] for c in p["coaches"]
                if c["coach_id"] == coach_id)


def test_the_diary_opens_on_the_next_session_books_a_free_slot_and_gives_a_calendar_link(
        page: Page) -> None:
    from tests.web.test_diary_pages import monday, next_session_day
    from workingbetter.web.diary_pages import week_words

    if "referral_id" not in made:
        pytest.skip("needs the referral made by the first test")
    referral_id = made["referral_id"]
    sign_in(page, f"coach:{COACH}")
    page.get_by_role("link", name="Your diary").click()
    session = next_session_day(coach_weekday(COACH))
    # The week of the next session, unless this week still has the appointments made above.
    expect(page.locator("#week")).to_have_text(re.compile(
        f"^({re.escape(week_words(monday(session)))}|"
        f"{re.escape(week_words(monday(datetime.now(UTC).date())))})$"))
    page.goto(f"/coach/diary?week={session + timedelta(days=7)}")
    day = page.locator(f"#day-{session + timedelta(days=7)}")
    expect(day.get_by_role("heading", level=2)).to_contain_text(
        (session + timedelta(days=7)).strftime("%A"))
    expect(day).to_contain_text("Your surgery session")
    expect(day.locator("li")).to_have_count(6)  # every slot of the session is free
    expect(page.get_by_role("link", name=re.compile("^Previous week"))).to_be_visible()
    check_page(page, "30-diary-day-by-day")
    fits_narrow_screen(page, "30-diary-day-by-day")

    page.goto(f"/coach/referrals/{referral_id}")
    page.get_by_text("Book a follow-up appointment").click()
    page.get_by_role("link", name="Choose a free time in your session").click()
    expect(page.locator("h1")).to_have_text("Book a follow-up appointment")
    check_page(page, "31-book-a-free-slot")
    fits_narrow_screen(page, "31-book-a-free-slot")
    first = page.locator('input[name="slot"]').first
    chosen = str(first.get_attribute("value"))
    first.check()
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Follow-up booked for")
    expect(page.locator(".govuk-summary-card", has_text="Follow-up, in surgery")).to_have_count(1)
    assert chosen.endswith("Z")

    page.get_by_role("button", name="Make a link").click()
    link = page.locator("#calendar-link")
    expect(link).to_contain_text("/calendar/")
    check_page(page, "32-diary-calendar-link")
    fits_narrow_screen(page, "32-diary-calendar-link")
    address = str(link.text_content()).strip()
    feed = page.request.get("/calendar/" + address.rsplit("/calendar/", 1)[1])
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert "BEGIN:VEVENT" in body
    assert "Ines" not in body
    assert "Recordperson" not in body


# -- communication needs met (issue 24 item 3): the walk ------------------------------

NEEDS = [{"need": "bsl_interpreter"}, {"need": "large_print"}, {"need": "longer_appointment"}]


def _nhs_number(start: int) -> str:
    """A valid NHS number from `start` on (no other browser file uses these: one stack)."""
    from workingbetter.domain.nhs_number import check_digit

    while check_digit(str(start)) is None:
        start += 1
    return f"{start}{check_digit(str(start))}"


def _refer(stack: Running, nhs: str, given_name: str, **changes: object) -> dict[str, str]:
    from tests.conftest import referral_body
    from tests.e2e.test_local_stack import http

    code, created = http(stack, "POST", "/referrals",
                         stack.token(Role.REFERRER, practice_ods=PRACTICE),
                         referral_body(practice_ods=PRACTICE, patient__nhs_number=nhs,
                                       patient__given_name=given_name, **changes))
    assert code == 201, created
    return dict(created)


def _reload_until(page: Page, path: str, shown: Locator, seconds: float = 60) -> None:
    """Open `path` until `shown` is on it (the run books, the scheduler sends, moments on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.goto(path)
        if shown.count():
            return
        time.sleep(0.5)
    expect(shown).not_to_have_count(0)


def test_a_bsl_and_large_print_patient_gets_a_longer_appointment_held_for_the_interpreter(
        page: Page, stack: Running) -> None:
    from tests.e2e.test_local_stack import http

    referred = _refer(stack, _nhs_number(943_476_800), "Bea",
                      patient__communication_needs=NEEDS, patient__contact_preference="letter",
                      patient__address={"lines": ["2 Mill Lane", "Leeds"], "postcode": "LS1 4AP"},
                      consent__share_needs_with_practice=True)
    private = _refer(stack, _nhs_number(943_476_900), "Cal",
                     patient__communication_needs=[{"need": "large_print"}])
    referral_id = referred["referral_id"]

    sign_in(page, f"coach:{COACH}")
    task = page.locator("#main-content").get_by_text("Arrange a BSL interpreter for")
    _reload_until(page, "/coach", task)  # booked, and the task on the coach's list
    flag = page.locator(f"#needs-{referral_id}")
    expect(flag).to_contain_text("British Sign Language (BSL) interpreter")
    expect(flag).to_contain_text("Large print")

    coach = stack.token(Role.COACH, coach_id=COACH)
    code, item = http(stack, "GET", f"/referrals/{referral_id}", coach)
    assert code == 200, item
    start = str(item["appointment"]["start"])
    page.goto(f"/coach/diary?week={start[:10]}")
    card = page.locator(f"#appointment-{start.replace(':', '').replace('-', '')}")
    expect(card).to_contain_text("a longer appointment, two slots")
    expect(card).to_contain_text("Interpreter to arrange")
    expect(card).to_contain_text("British Sign Language (BSL) interpreter")
    check_page(page, "40-diary-longer-appointment-interpreter")
    fits_narrow_screen(page, "40-diary-longer-appointment-interpreter")

    page.goto(f"/coach/referrals/{referral_id}")
    expect(page.locator("#needs-flag")).to_contain_text("Large print")
    booked = page.locator("#appointment + dl")
    expect(booked).to_contain_text("A longer appointment: two slots")
    expect(booked).to_contain_text("To arrange: a BSL interpreter")
    check_page(page, "41-case-record-interpreter-to-arrange")
    fits_narrow_screen(page, "41-case-record-interpreter-to-arrange")
    page.get_by_role("button", name="Record the interpreter as arranged").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Interpreter recorded as arranged")
    expect(booked).to_contain_text("Arranged: a BSL interpreter")

    # Only now is the patient told, by the large-print letter.
    letter = page.locator("#messages .govuk-summary-card").filter(
        has_text="Hello Bea").filter(has_text="Letter, large print")
    _reload_until(page, "/dev/messages", letter)
    expect(letter).to_have_count(1)

    sign_in(page, f"referrer:{PRACTICE}")
    page.goto(f"/practice/referrals/{referred['reference']}")
    expect(page.locator("#main-content")).to_contain_text(
        "British Sign Language (BSL) interpreter")
    page.goto(f"/practice/referrals/{private['reference']}")
    expect(page.locator("#main-content")).not_to_contain_text("Large print")
    expect(page.locator("#main-content")).not_to_contain_text("Communication needs")
