"""A person's journey in a real browser: practice staff refer (after fixing a mistake), the
coach records the first appointment and sees the run move on, ops see the run and its history.
Every page is checked by axe-core and saved as a screenshot in test-artifacts/."""

from __future__ import annotations

import hashlib
import re
import secrets

import boto3
import pytest
from playwright.sync_api import Page, expect

from infra.template import REGION, STACK_NAME
from tests.browser.conftest import check_page, fits_375, fits_375_here, sign_in, tab_to
from tests.local_stack_process import Running

pytestmark = pytest.mark.browser

# Not the practice and coach test_case_record.py books into: the browser files share one stack.
PRACTICE = "F83004"
COACH = "coach-esi"
PATIENT = ("Grace", "Browserperson", "943 476 5919")
# What the journey made, for the next test (they run in file order).
journey: dict[str, str] = {}


def _fill_referral(page: Page, nhs_number: str, family_name: str) -> None:
    given, _, _ = PATIENT
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill(family_name)
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1979")
    page.get_by_label("Unemployed").check()
    page.get_by_label("Musculoskeletal").check()
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("Phone number", exact=True).fill("07700 900 123")
    page.get_by_label("Why are you referring the patient?").fill("Wants to return to work.")
    page.get_by_label("The patient agrees to be referred to Working Better").check()


def test_a_wrong_password_is_named_in_an_error_summary_and_nothing_is_signed_in(
        page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill("coach-esi@workingbetter.example")
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter a correct email address and password")
           ).to_have_attribute("href", "#email")
    expect(page.get_by_label("Email address")).to_have_value("coach-esi@workingbetter.example")
    expect(page.get_by_label("Password")).to_have_value("")
    check_page(page, "00-login-wrong-password")
    page.goto("/coach")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_practice_staff_fix_a_mistake_and_refer_a_patient(page: Page) -> None:
    sign_in(page, f"referrer:{PRACTICE}", check="01")
    expect(page).to_have_url(re.compile(r"/practice$"))
    expect(page.locator("#signed-in-as")).to_have_text(
        "Signed in as Mark Doyle, practice staff at St Johns Way Medical Centre.")
    page.get_by_role("link", name="Refer a patient").first.click()
    expect(page).to_have_url(re.compile(r"/referrals/new$"))
    check_page(page, "02-referral-form")

    given, family, nhs_number = PATIENT
    _fill_referral(page, "943 476 5910", family_name="")  # wrong check digit, no last name
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter a valid NHS number")).to_have_attribute(
        "href", "#nhs-number")
    expect(summary.get_by_role("link", name="Enter the patient's last name")).to_be_visible()
    expect(page.locator("#nhs-number-error")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value(given)  # what was typed is kept
    expect(page.get_by_label("Musculoskeletal")).to_be_checked()
    expect(page).to_have_title(re.compile("^Error: "))
    check_page(page, "03-referral-form-with-errors")

    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Last name").fill(family)
    page.get_by_label("Phone number", exact=True).fill("01632 960000")  # a landline: no texts
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary").get_by_role("link", name=re.compile(
        "^Enter a mobile number"))).to_have_attribute("href", "#phone")
    page.get_by_label("Phone number", exact=True).fill("07700 900 123")
    page.get_by_role("button", name="Continue").click()

    # Check your answers: nothing is sent yet; Change goes back to the field, answers kept.
    expect(page.locator("h1")).to_have_text("Check the referral before sending it")
    answers = page.locator("#answers")
    expect(answers).to_contain_text(f"{given} {family}")
    expect(answers).to_contain_text("14 February 1979")
    expect(answers).to_contain_text("07700 900 123")
    check_page(page, "03b-check-your-answers")
    viewport = page.viewport_size
    fits_375_here(page, "03c-check-your-answers")  # a POST's answer: not reached by address
    if viewport:
        page.set_viewport_size(viewport)
    page.get_by_role("button", name="Change phone number").click()
    expect(page).to_have_url(re.compile(r"/referrals/new#phone$"))
    expect(page.get_by_label("Phone number", exact=True)).to_have_value("07700 900 123")
    expect(page.get_by_label("Last name")).to_have_value(family)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send referral").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    expect(page).to_have_url(re.compile(r"/practice/referrals/WB-[0-9A-Z]{4}-[0-9A-Z]{4}/sent$"))
    referral_id = str(page.locator(".govuk-panel").get_attribute("data-referral-id"))
    assert re.fullmatch(r"[0-9a-f-]{36}", referral_id)
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"WB-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    check_page(page, "04-confirmation")
    journey["referral_id"] = referral_id
    journey["reference"] = reference


def _referral_id() -> str:
    if "referral_id" not in journey:
        pytest.skip("needs the referral made by the first test")
    return journey["referral_id"]


def test_the_coach_records_an_attended_appointment_and_the_run_moves_on(page: Page) -> None:
    referral_id = _referral_id()
    sign_in(page, f"coach:{COACH}")
    card = page.locator(f"#waiting-{referral_id}")
    for _ in range(50):  # the run books the appointment within moments of the referral
        if card.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(card).to_contain_text("Record the first appointment")
    check_page(page, "05-coach-caseload")

    # The appointment is at most 7 service days ahead, 0.35 s on this clock: its outcome's form
    # is offered once it has come round (attendance cannot be recorded before).
    for _ in range(300):
        if card.get_by_label("Attended").count():
            break
        page.wait_for_timeout(200)
        page.reload()
    card.get_by_label("Attended").check()
    card.get_by_role("button", name="Record the first appointment").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Appointment outcome recorded for Grace Browserperson")
    row = page.locator(f'tr[data-referral-id="{referral_id}"]')
    expect(row).to_contain_text("In support")
    page.reload()
    expect(row).to_contain_text("In support")
    expect(page.locator(f"#waiting-{referral_id}")).to_have_count(0)
    check_page(page, "06-coach-recorded")


def test_ops_see_the_run_and_its_history_without_personal_data(page: Page) -> None:
    referral_id = _referral_id()
    sign_in(page, "ops", check="07-ops")
    row = page.locator(f'tr[data-referral-id="{referral_id}"]')
    expect(row).to_contain_text("In support")
    expect(page.locator("#status-counts")).to_contain_text("In support")
    expect(page.locator(".wb-chart")).to_have_count(2)
    check_page(page, "07-ops-console")

    row.get_by_role("link").click()
    expect(page.locator("#appointment")).to_contain_text(re.compile(
        r"^\w+day \d{1,2} \w+ \d{4} at \d{1,2}(:\d\d)?[ap]m"))
    expect(page.locator("#appointment")).to_contain_text(
        "St Johns Way Medical Centre, 28 St Johns Way")
    history = page.locator("#run-1")
    expect(history).to_contain_text("Waited for the appointment's outcome")
    expect(history).to_contain_text("Waited until the next review was due")
    expect(page.locator("#run-status")).to_contain_text("Running")
    text = page.locator("main").inner_text()
    for personal in (*PATIENT, "9434765919", "07700"):
        assert personal not in text
    check_page(page, "08-ops-history")

    page.get_by_role("link", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    page.goto("/ops")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_commissioner_reads_the_outcomes_by_keyboard_and_on_a_small_screen(
        page: Page) -> None:
    sign_in(page, "commissioner")
    expect(page).to_have_url(re.compile(r"/reports$"))
    expect(page.locator("#table-funnel")).to_contain_text("Referred")
    expect(page.locator(".wb-chart")).to_have_count(4)
    check_page(page, "30-outcomes")
    page.locator("#chart-funnel").screenshot(path="test-artifacts/outcomes-funnel-chart.png")

    # The period picker works from the keyboard alone: GOV.UK date inputs (month, year), each
    # box reached with Tab, typed into, and Enter sends.
    page.locator("#from-month").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    expect(page.locator("#from-year")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2020")
    page.keyboard.press("Tab")
    expect(page.locator("#to-month")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reports\?from_month=1&from_year=2020"))
    expect(page.locator("#table-funnel")).to_be_visible()

    page.goto("/reports?from=2026-02-30")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real month")
    check_page(page, "31-outcomes-with-errors")

    page.get_by_role("link", name="IPS fidelity").first.click()
    expect(page.locator("#fidelity-items")).to_contain_text("Caseload size")
    check_page(page, "32-ips-fidelity")

    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/reports", "/reports/fidelity"):
        page.goto(path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 375, f"{path} scrolls sideways at 375 px ({wide} px wide)"
    page.goto("/reports")
    page.locator("#chart-practices").screenshot(
        path="test-artifacts/375-outcomes-practices-chart.png")
    chart = _chart_text(page, "#chart-practices")
    seeded = ["City Road Medical Centre (F83001)", "Goodinge Group Practice (F83002)",
              "Killick Street Health Centre (F83006)", "River Place Group Practice (F83003)",
              "St Johns Way Medical Centre (F83004)", "The Village Practice (F83005)"]
    assert (chart["smallest"], chart["cut"]) == (16, [])
    # Every practice, by name (the other browser files, on the same stack, may add some).
    names = chart["names"]
    assert isinstance(names, list)
    assert names == sorted(names)
    assert [name for name in names if name in seeded] == seeded


def _chart_text(page: Page, chart: str) -> dict[str, object]:
    """As drawn: the smallest text in the chart in CSS pixels (its names and the numbers beside
    its bars), the names cut off (wider than they are shown), and every name as read."""
    found: dict[str, object] = page.evaluate("""chart => {
        const root = document.querySelector(chart);
        const labels = [...root.querySelectorAll('.wb-chart__label')];
        const texts = [...labels, ...root.querySelectorAll('svg text')];
        const sizes = texts.map(e => e.getBoundingClientRect().height > 0
            ? parseFloat(getComputedStyle(e).fontSize) : 0);
        return {smallest: Math.min(...sizes),
                cut: labels.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText),
                names: labels.map(e => e.firstChild.textContent.trim())};
    }""", chart)
    return found


def test_practice_staff_find_and_follow_a_referral_by_keyboard_alone(page: Page) -> None:
    referral_id, reference = _referral_id(), journey["reference"]
    sign_in(page, f"referrer:{PRACTICE}")
    row = page.locator(f'tr[data-referral-id="{referral_id}"]')
    expect(row).to_contain_text("Grace Browserperson")
    expect(row).to_contain_text(reference)
    # Grace did not agree to share how it goes with the practice: it sees her accepted.
    expect(row).to_contain_text("Accepted")
    expect(row).not_to_contain_text("Being coached")
    check_page(page, "09-practice-list")

    tab_to(page, "#q")
    page.keyboard.type(reference.lower().replace("-", ""))
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    tab_to(page, f'a[href="/practice/referrals/{reference}"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Grace Browserperson")
    expect(page.locator("#what-next")).to_contain_text("has a place with a coach")
    check_page(page, "10-practice-referral")

    # Reception's way in: the name, however it is typed, and the date of birth.
    page.goto("/practice")
    page.get_by_label("Name", exact=True).fill("  browserPERSON ")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1979")
    page.get_by_role("button", name="Find by name").click()
    expect(page).to_have_url(re.compile(r"/practice$"))  # nothing typed goes in the address
    expect(page.locator("caption")).to_have_text("Referrals found")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row).to_contain_text("Grace Browserperson")
    page.screenshot(path="test-artifacts/practice-search-by-name.png", full_page=True)
    check_page(page, "09b-practice-search-by-name")
    page.get_by_role("link", name="Grace Browserperson").click()

    tab_to(page, f'a[href="/practice/referrals/{reference}/withdraw"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Are you sure")
    check_page(page, "11-practice-withdraw-confirm")
    for path in ("/practice", f"/practice/referrals/{reference}",
                 f"/practice/referrals/{reference}/withdraw",
                 f"/practice/referrals/{reference}/sent", "/leaflet"):
        fits_375(page, path)


def test_the_leaflet_reads_on_screen_and_prints_without_the_services_navigation(
        page: Page) -> None:
    page.goto("/leaflet")
    expect(page.locator("h1")).to_have_text("Working Better")
    expect(page.locator("main")).to_contain_text("Working Better is voluntary")
    check_page(page, "11b-leaflet")
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.locator("#service-phone")).to_be_visible()
    page.pdf(path="test-artifacts/leaflet.pdf")


def test_ops_filter_and_find_by_keyboard(page: Page) -> None:
    referral_id, reference = _referral_id(), journey["reference"]
    sign_in(page, "ops")
    tab_to(page, "#practice")
    page.keyboard.type("St Johns")  # a select jumps to the option its typed text starts
    tab_to(page, "#coach")
    page.keyboard.type("Esi Mensah")  # coaches are chosen by name
    tab_to(page, "#filters button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"practice_ods=F83004&coach_id=coach-esi"))
    row = page.locator(f'tr[data-referral-id="{referral_id}"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("St Johns Way Medical Centre, Esi Mensah")
    check_page(page, "12-ops-filtered")
    tab_to(page, "#q")
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(reference)
    expect(page.locator("#run-1")).to_contain_text("Booked the first appointment")
    for path in ("/ops", f"/ops/referrals/{referral_id}"):
        fits_375(page, path)


def test_the_patient_changes_how_they_are_contacted_and_leaves_by_keyboard(
        page: Page, stack: Running) -> None:
    referral_id = _referral_id()
    link = f"/patient/{patient_link(stack, referral_id)}"
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your Working Better support")
    expect(page.locator("#channel")).to_have_text("We contact you by text message.")
    expect(page.locator("#coach")).to_contain_text("Your coach is")
    check_page(page, "13-patient-page")

    tab_to(page, f'a[href="{link}/contact"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Change how we contact you")
    expect(page.locator("#on-file")).to_contain_text("Number ending 123")
    tab_to(page, 'input[name="contact_preference"]:checked')  # text message, as referred
    page.keyboard.press("ArrowDown")  # phone call
    page.keyboard.press("ArrowDown")  # email, with no address yet
    tab_to(page, "#contact-form button")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address so we can contact you")
    check_page(page, "14-patient-contact-errors")
    expect(page.locator("h1")).to_have_text("Change how we contact you")
    tab_to(page, "#email")
    page.keyboard.type("grace@example.com")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("the new way")

    expect(page.locator("h1")).to_have_text("Your Working Better support")
    tab_to(page, f'a[href="{link}/leave"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Are you sure you want to leave Working Better?")
    check_page(page, "15-patient-leave-confirm")
    for path in (link, f"{link}/contact", f"{link}/appointment", f"{link}/leave"):
        fits_375(page, path)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{link}/leave")
    tab_to(page, "form button")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(
        "You have left Working Better. Nothing is shared with the Jobcentre.")
    check_page(page, "16-patient-left")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("You have left Working Better")
    expect(page.locator("#service-phone")).to_have_text("020 7946 0000")
    check_page(page, "17-patient-link-after-leaving")


def patient_link(stack: Running, referral_id: str) -> str:
    """A live link for the referral, as the appointment confirmation would carry (its hash
    put straight into the stack's table: the message itself goes to a moto SES or SNS)."""
    token = f"{referral_id}.a-browser-test-secret-{secrets.token_hex(8)}"
    table = boto3.resource("dynamodb", endpoint_url=stack.aws, region_name=REGION,
                           aws_access_key_id="testing", aws_secret_access_key="testing"
                           ).Table(f"{STACK_NAME}-ReferralsTable")
    table.put_item(Item={"pk": f"REFERRAL#{referral_id}", "sk": "WITHDRAW_LINK",
                         "token_hash": hashlib.sha256(token.encode()).hexdigest()})
    return token
