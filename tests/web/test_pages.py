"""The page handlers in-process, on the moto cloud: each page for its own role, the referral
form's errors, CSRF, idempotent submission, the coach's steps and the ops console (signing in:
test_sign_in.py)."""

from __future__ import annotations

import re
import threading
import time

import pytest

from tests.api_client import Api, appointment, until_appointment
from tests.conftest import Cloud, diary_down
from tests.fake_sender import FakeSender
from tests.web.pages import REFERRAL_FORM, Page, Pages
from workingbetter.domain.auth import Role
from workingbetter.handlers import tasks
from workingbetter.notifications.sending import Sending
from workingbetter.web import csrf, http

pytestmark = pytest.mark.integration


def referrer(pages: Pages, practice: str = "F83001") -> Pages:
    assert pages.sign_in(f"referrer:{practice}").status == 303
    pages.get("/referrals/new")
    return pages


def sent(pages: Pages, posted: Page) -> Page:
    """Post/Redirect/Get: the form answers with a redirect to the confirmation."""
    assert posted.status == 303, posted.error_summary()
    assert re.fullmatch(r"/practice/referrals/WB-[0-9A-Z-]+/sent", posted.location)
    return pages.get(posted.location)


def referral_id_on(page: Page) -> str:
    found = re.search(r'data-referral-id="([^"]+)"', page.text)
    assert found
    return found.group(1)


def refer(pages: Pages, **changes: str) -> str:
    page = sent(pages, referrer(pages).post("/referrals/new", {**REFERRAL_FORM, **changes}))
    assert page.status == 200
    return referral_id_on(page)


@pytest.mark.parametrize(("identity", "path"), [
    ("coach:coach-amara", "/referrals/new"), ("referrer:F83001", "/ops"),
    ("ops", "/coach"), ("referrer:F83001", "/coach")])
def test_each_page_is_for_its_own_role(pages: Pages, identity: str, path: str) -> None:
    pages.sign_in(identity)
    page = pages.get(path)
    assert page.status == 403
    assert "You cannot do this" in page.text


def test_html_pages_carry_the_security_headers(pages: Pages) -> None:
    for page in (pages.get("/login"), referrer(pages).get("/referrals/new")):
        csp = page.headers["content-security-policy"]
        for directive in ("default-src 'none'", "style-src 'self'", "font-src 'self'",
                          "img-src 'self'", "form-action 'self'", "frame-ancestors 'none'"):
            assert directive in csp
        assert "script-src" not in csp  # no page needs a script
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["content-type"] == "text/html; charset=utf-8"


# -- the referral form --------------------------------------------------------------------


def test_form_errors_link_to_their_inputs_and_keep_what_was_typed(pages: Pages,
                                                                  cloud: Cloud) -> None:
    referrer(pages)
    nonce = pages.last.hidden("nonce") if pages.last else ""
    page = pages.post("/referrals/new", {
        **REFERRAL_FORM, "nhs_number": "485 777 345", "given_name": "Ada <b>", "family_name": "",
        "dob_day": "31", "dob_month": "2", "conditions": [], "consent_referral": ""})
    assert page.status == 422
    assert page.error_summary() == [
        ("#nhs-number", "Enter the NHS number as 10 digits, like 485 777 3457"),
        ("#family-name", "Enter the patient&#39;s last name"),
        ("#dob-day", "Date of birth must be a real date, like 31 3 1980"),
        ("#conditions", "Select at least one long-term health condition"),
        ("#consent-referral", "Confirm the patient agrees to be referred"),
    ]
    assert page.text.startswith("<!DOCTYPE html>")
    assert "<title>Error: Refer a patient" in page.text
    assert 'value="485 777 345"' in page.text
    assert 'value="Ada &lt;b&gt;"' in page.text  # kept, and escaped
    assert 'aria-describedby="nhs-number-hint nhs-number-error"' in page.text
    assert 'id="family-name-error"' in page.text
    assert page.hidden("nonce") == nonce  # the same Idempotency-Key when it is sent again
    assert cloud.store.lists.for_practice("F83001") == []


def test_the_form_states_who_the_service_is_for(pages: Pages) -> None:
    page = referrer(pages).get("/referrals/new")
    rules = page.text.partition('id="who-it-is-for"')[2].partition("</ul>")[0]
    assert "aged 16 to 66" in rules
    assert "out of work" in rules
    assert "long-term health condition" in rules


def test_a_patient_outside_the_age_range_is_an_error_on_the_form_with_the_others(
        pages: Pages, cloud: Cloud) -> None:
    page = referrer(pages).post("/referrals/new", {
        **REFERRAL_FORM, "dob_day": "1", "dob_month": "1", "dob_year": "1950",
        "family_name": "", "reason": ""})
    assert page.status == 422
    assert page.error_summary() == [
        ("#family-name", "Enter the patient&#39;s last name"),
        ("#dob-day", "Working Better is for people aged 16 to 66: check the date of birth, "
                     "or talk to the patient about other support"),
        ("#reason", "Enter why you are referring the patient"),
    ]
    assert 'id="dob-error"' in page.text or 'id="dob-day-error"' in page.text
    assert "Referral sent" not in page.text
    assert cloud.store.lists.for_practice("F83001") == []


def test_an_nhs_number_is_taken_with_or_without_spaces(pages: Pages, cloud: Cloud) -> None:
    referral_id = refer(pages, nhs_number="943 476 5919")
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["patient"]["nhs_number"] == "9434765919"
    assert personal["patient"]["date_of_birth"] == "1980-04-01"
    assert personal["health_conditions"] == ["mental_health"]


@pytest.mark.parametrize("tamper", ["missing", "wrong", "other_session"])
def test_a_post_without_a_valid_csrf_token_is_refused_and_writes_nothing(
        pages: Pages, cloud: Cloud, tamper: str) -> None:
    referrer(pages)
    nonce = pages.last.hidden("nonce") if pages.last else ""
    tokens = {"missing": "", "wrong": "0" * 64,
              "other_session": csrf.token_for(cloud.token(Role.REFERRER, "F83002"), nonce)}
    page = pages.post("/referrals/new", {**REFERRAL_FORM, "csrf": tokens[tamper]})
    assert page.status == 403
    assert "This form has expired" in page.text
    assert cloud.store.lists.for_practice("F83001") == []


def test_a_double_click_refers_once(pages: Pages, cloud: Cloud) -> None:
    form = referrer(pages).last
    assert form is not None
    sent = {**REFERRAL_FORM, "nonce": form.hidden("nonce"), "csrf": form.hidden("csrf")}
    replies: list[Page] = []

    def send() -> None:
        replies.append(pages.post("/referrals/new", sent))

    clicks = [threading.Thread(target=send) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    again = pages.post("/referrals/new", sent)  # and the same form sent again
    assert [p.status for p in [*replies, again]] == [303, 303, 303]
    assert len({p.location for p in [*replies, again]}) == 1
    assert len(cloud.store.lists.for_practice("F83001")) == 1


def test_a_referral_form_sent_again_with_other_answers_says_it_was_already_sent(
        pages: Pages, cloud: Cloud) -> None:
    form = referrer(pages).last
    assert form is not None
    keys = {"nonce": form.hidden("nonce"), "csrf": form.hidden("csrf")}
    assert pages.post("/referrals/new", {**REFERRAL_FORM, **keys}).status == 303
    changed = {**REFERRAL_FORM, "reason": "Wants help with a CV."}

    again = pages.post("/referrals/new", {**changed, **keys})  # the back button

    assert again.status == 409
    ((href, message),) = again.error_summary()
    assert href == "#referral-form"
    assert "already sent" in message
    assert 'Wants help with a CV.' in again.text  # what was typed, kept
    assert again.hidden("nonce") != keys["nonce"]  # sending it now is a new referral
    assert len(cloud.store.lists.for_practice("F83001")) == 1


def test_a_letter_patient_needs_a_postal_address_on_the_form(
        pages: Pages, cloud: Cloud) -> None:
    referrer(pages)
    page = pages.post("/referrals/new", {**REFERRAL_FORM, "contact_preference": "letter"})
    assert page.status == 422
    assert page.error_summary() == [("#address-line-1", "Enter a postal address so we can "
                                                        "contact the patient the way they chose")]
    page = pages.post("/referrals/new", {**REFERRAL_FORM, "contact_preference": "letter",
                                         "address_line_1": "1 Upper Street",
                                         "address_town": "London",
                                         "address_postcode": "NOT A POSTCODE"})
    assert page.error_summary() == [("#address-postcode",
                                     "Enter a real UK postcode, like SW1A 1AA")]
    assert 'value="1 Upper Street"' in page.text
    referral_id = refer(pages, contact_preference="letter", address_line_1="1 Upper Street",
                        address_town="London", address_postcode="n1 0pn")
    personal = cloud.personal_data(referral_id)
    assert personal is not None
    assert personal["patient"]["address"] == {"lines": ["1 Upper Street", "London"],
                                              "postcode": "N1 0PN"}


def test_a_patient_already_referred_is_said_so_on_the_form(pages: Pages) -> None:
    refer(pages)
    pages.get("/referrals/new")  # a fresh form: a new Idempotency-Key
    page = pages.post("/referrals/new", REFERRAL_FORM)
    assert page.status == 409
    ((href, message),) = page.error_summary()
    assert href == "#referral-form"
    assert message.startswith("This patient already has an active referral to Working Better: "
                              "WB-")
    assert "referred on " in message


# -- the coach's workspace ----------------------------------------------------------------


def awaiting(cloud: Cloud, referral_id: str, step: str) -> None:
    cloud.wait_for(referral_id, lambda i: i.awaiting == step and bool(i.task_token),
                   what=f"awaiting {step}")


def booked(pages: Pages, cloud: Cloud, coach: str = "coach-amara") -> str:
    """A referral from F83001 with its first appointment booked and come round (an outcome
    cannot be recorded before); `coach` has /coach open."""
    referral_id = refer(pages)
    awaiting(cloud, referral_id, "appointment_outcome")
    until_appointment(cloud.referral(referral_id))
    pages.sign_in(f"coach:{coach}")
    pages.get("/coach")
    return referral_id


def test_the_coach_records_an_attended_appointment_and_the_run_moves_on(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked(pages, cloud)
    page = pages.last
    assert page is not None
    assert f'id="waiting-{referral_id}"' in page.text
    assert "Record the first appointment: Ada Testperson" in page.text

    path = f"/coach/referrals/{referral_id}/appointment-outcome"
    refused = pages.post(path, {})
    assert refused.status == 422
    assert refused.error_summary() == [
        (f"#appointment-outcome-{referral_id}-outcome", "Record the first appointment for Ada "
         "Testperson: Select what happened at the appointment")]

    done = pages.post(path, {"outcome": "attended"})
    assert (done.status, done.location) == (
        303, f"/coach?recorded=appointment-outcome&referral={referral_id}")
    page = pages.get(done.location)
    assert "Appointment outcome recorded for Ada Testperson" in page.text
    assert f'id="waiting-{referral_id}"' not in page.text
    item = cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")
    assert appointment(item).outcome == "attended"
    assert "In support" in page.text


def test_the_old_all_at_once_review_form_sends_the_coach_to_the_questions(
        pages: Pages, cloud: Cloud) -> None:
    """A review is asked one thing at a time (tests/web/test_review_pages.py): a page from
    before, sent with every branch at once, records nothing and goes to the first question."""
    referral_id = booked(pages, cloud)
    pages.post(f"/coach/referrals/{referral_id}/appointment-outcome", {"outcome": "attended"})
    awaiting(cloud, referral_id, "review")
    pages.get(f"/coach/referrals/{referral_id}")
    sent = pages.post(f"/coach/referrals/{referral_id}/reviews", {
        "decision": "job_start", "employer_contacts": "2", "job_employer": "Upper Street Books",
        "job_hours": "16", "job_start_day": "4", "job_start_month": "1",
        "job_start_year": "2027"})
    assert (sent.status, sent.location) == (303, f"/coach/referrals/{referral_id}/review")
    assert cloud.referral(referral_id).reviews_done == 0


def test_a_step_the_run_is_not_waiting_for_comes_back_as_a_conflict(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked(pages, cloud)
    page = pages.post(f"/coach/referrals/{referral_id}/sustainment", {"still_in_work": "yes"})
    assert page.status == 409
    assert page.error_summary() == [(
        f"#sustainment-{referral_id}-still-in-work", "Record the in-work check for Ada "
        "Testperson: The referral is not waiting for sustainment_check: it is waiting for "
        "appointment_outcome")]


def test_another_coach_cannot_record_a_step(pages: Pages, cloud: Cloud) -> None:
    referral_id = booked(pages, cloud, coach="coach-chloe")
    assert pages.last is not None
    assert f"waiting-{referral_id}" not in pages.last.text  # so no form: make one
    key = http.csrf_key(pages.cookies["wb_token"])
    assert key is not None
    keys = {"nonce": "n" * 32, "csrf": csrf.token_for(key, "n" * 32)}
    path = f"/coach/referrals/{referral_id}/appointment-outcome"
    assert pages.post(path, {"outcome": "attended", **keys}).status == 404
    assert pages.post(f"/coach/referrals/{referral_id}/no-such-step", keys).status == 404
    assert cloud.referral(referral_id).status == "APPOINTMENT_BOOKED"


# -- the ops console ----------------------------------------------------------------------


def test_ops_see_runs_histories_and_failures_but_no_personal_data(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = refer(pages)
    awaiting(cloud, referral_id, "appointment_outcome")
    cloud.sfn.start_execution(stateMachineArn=cloud.built.state_machine_arn,
                              name="no-such-referral",
                              input='{"referral_id": "no-such-referral"}')
    deadline = time.monotonic() + 60
    while cloud.execution_status("no-such-referral") == "RUNNING":
        assert time.monotonic() < deadline, "the broken run never failed"
        time.sleep(0.05)

    pages.sign_in("ops")
    console = pages.get("/ops")
    assert console.status == 200
    assert f'data-referral-id="{referral_id}"' in console.text
    assert 'href="/ops/referrals/no-such-referral">no-such-referral</a>' in console.text
    assert console.text.count('class="wb-chart ') == 2

    history = pages.get(f"/ops/referrals/{referral_id}")
    assert history.status == 200
    # The states in plain words, not their names or Step Functions' event types.
    for state in ("Checked the referral against the rules", "Looked for a coach with a free place",
                  "Booked the first appointment", "Waited for the appointment&#39;s outcome"):
        assert f"<td class=\"govuk-table__cell\">{state}</td>" in history.text
    assert "StateEntered" not in history.text
    assert "AwaitAppointmentOutcome" not in history.text
    for page in (console, history):
        for personal in ("Ada", "Testperson", "485 777 3457", "4857773457", "07700"):
            assert personal not in page.text
    assert pages.get("/ops/referrals/not-a-referral").status == 404


# -- assets -------------------------------------------------------------------------------


def test_govuk_frontend_assets_are_served_and_nothing_else(pages: Pages) -> None:
    css = pages.get("/assets/govuk-frontend.min.css")
    assert css.status == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert ".govuk-button" in css.text
    font = pages.client.http.get("/assets/fonts/bold-b542beb274-v2.woff2",
                                 headers={"Accept": "*/*"})
    assert font.status_code == 200
    assert font.headers["Content-Type"] == "font/woff2"
    assert font.body[:4] == b"wOF2"
    for path in ("/assets/package.json", "/assets/fonts/.hidden", "/assets/components/x.css",
                 "/assets/fonts/..%2F..%2Fpackage.json", "/assets/images/nothing.png"):
        assert pages.get(path).status == 404, path


def test_a_phone_patients_messages_become_tasks_in_the_coachs_workspace(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83002", patient__contact_preference="phone")
    api.awaiting(referral_id, "appointment_outcome")
    Sending(cloud.store, FakeSender(), FakeSender(), cloud.settings).run()

    pages.sign_in("coach:coach-chloe")
    page = pages.get("/coach")

    tasks = page.text.partition('id="tasks"')[2].partition("</table>")[0]
    assert "Ada Testperson" in tasks
    assert "Tell the patient about their appointment" in tasks


def test_ops_retry_a_failed_step_from_the_console(
        pages: Pages, cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    booking = tasks.book
    monkeypatch.setattr(tasks, "book", diary_down)
    api = Api(cloud)
    referral_id = api.refer("F83002")
    api.awaiting(referral_id, "ops_retry")
    monkeypatch.setattr(tasks, "book", booking)

    pages.sign_in("ops")
    console = pages.get("/ops")
    attention = console.text.partition('id="attention"')[2].partition("</table>")[0]
    assert f'action="/ops/referrals/{referral_id}/retry"' in attention

    done = pages.post(f"/ops/referrals/{referral_id}/retry", {})
    assert (done.status, done.location) == (303, f"/ops/referrals/{referral_id}?retried=1")
    booked = api.awaiting(referral_id, "appointment_outcome")
    assert booked.status == "APPOINTMENT_BOOKED"
    forged = pages.post(f"/ops/referrals/{referral_id}/retry", {"nonce": "x", "csrf": "y"})
    assert forged.status in {400, 403}
