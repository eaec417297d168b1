"""The coach's case record and diary pages in-process: each form records through the same
services as the API, errors come back as a GOV.UK error summary with what was typed, only the
referral's coach sees the record, and each view leaves one audit entry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.web.pages import Pages
from tests.web.test_pages import awaiting, booked
from workingbetter.adapters.outbox import Notice
from workingbetter.domain import slots
from workingbetter.domain.channels import Channel
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.working_days import is_working_day
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration


def in_support(pages: Pages, cloud: Cloud) -> str:
    referral_id = booked(pages, cloud)
    page = pages.post(f"/coach/referrals/{referral_id}/appointment-outcome",
                      {"outcome": "attended"})
    assert page.status == 303
    cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")
    return referral_id


def test_the_case_record_shows_the_referral_and_keeps_what_the_coach_records(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    before = len(cloud.store.audit.trail(referral_id))
    page = pages.get(path)
    assert page.status == 200
    assert len(cloud.store.audit.trail(referral_id)) == before + 1  # one entry a view
    for shown in ("Ada Testperson", "485 777 3457", "Mental health", "Unemployed",
                  "Wants help getting back to work", "07700 900982",
                  "to sharing the outcome with their GP"):
        assert shown in page.text, shown

    done = pages.post(f"{path}/profile", {"work_history": "Retail", "kind_of_work": "Warehouse",
                                          "goal_1": "Update the CV",
                                          "goal_1_status": "in_progress", "confidence": "6"})
    assert (done.status, done.location) == (303, f"{path}?saved=profile")
    pages.get(path)
    assert pages.post(f"{path}/employer-contacts", {
        "contact_on_day": "2", "contact_on_month": "11", "contact_on_year": "2026",
        "kind_of_employer": "A care home", "outcome": "interview"}).status == 303
    pages.get(path)
    assert pages.post(f"{path}/benefits-advice", {
        "given": "yes", "benefits_on_day": "3", "benefits_on_month": "11",
        "benefits_on_year": "2026"}).status == 303
    pages.get(path)
    assert pages.post(f"{path}/notes", {"text": "Keen on early shifts"}).status == 303
    page = pages.get(f"{path}?saved=notes")
    assert "Note added" in page.text
    for shown in ("Retail", "Warehouse", "Update the CV", "In progress", "6 on",
                  "2 November 2026: A care home", "Interview", "Given on 3 November 2026",
                  "Keen on early shifts"):
        assert shown in page.text, shown

    note_id = page.text.split(f'action="{path}/notes/', 1)[1].split('"', 1)[0]
    edit = page.hidden_in(f"{path}/notes/{note_id}")
    assert pages.post(f"{path}/notes/{note_id}", {**edit, "text": "Keen on late shifts"}
                      ).status == 303
    assert "Keen on late shifts" in pages.get(path).text
    referral = cloud.store.referrals.get(referral_id)
    assert referral is not None
    assert referral.employer_contact_dates == ("2026-11-02",)
    assert referral.benefits_advice_on == "2026-11-03"


def test_a_case_form_with_mistakes_comes_back_with_its_errors_and_what_was_typed(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    refused = pages.post(f"{path}/employer-contacts", {
        "contact_on_day": "31", "contact_on_month": "2", "contact_on_year": "2026",
        "kind_of_employer": "A garden centre"})
    assert refused.status == 422
    assert refused.error_summary() == [
        ("#contact-on-day", "The date of the contact must be a real date"),
        ("#contact-outcome", "Select what came of it")]
    assert 'value="A garden centre"' in refused.text
    refused = pages.post(f"{path}/benefits-advice", {})
    assert refused.error_summary() == [("#benefits-given",
                                        "Select whether benefits advice was given")]
    for score in ("eleven", "11", "0"):
        refused = pages.post(f"{path}/profile", {"confidence": score})
        assert refused.error_summary() == [("#confidence",
                                            "Enter a confidence score from 1 to 10")], score
    assert cloud.referral(referral_id).employer_contact_dates == ()


def test_only_the_referrals_coach_sees_its_case_record(pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    pages.sign_in("coach:coach-chloe")
    assert pages.get(f"/coach/referrals/{referral_id}").status == 404
    pages.sign_in("referrer:F83001")
    assert pages.get(f"/coach/referrals/{referral_id}").status == 403
    pages.sign_in("ops")
    assert pages.get(f"/coach/referrals/{referral_id}").status == 403


def test_the_diary_books_and_records_follow_ups_week_by_week(pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    day = datetime.now(UTC).date() + timedelta(days=2)
    while not is_working_day(day):  # a weekday, not a bank holiday
        day += timedelta(days=1)
    refused = pages.post(f"{path}/follow-ups", {"start_day": str(day.day),
                                                "start_month": str(day.month),
                                                "start_year": str(day.year),
                                                "start_time": "10:00"})
    assert refused.error_summary() == [("#mode", "Select how you will meet")]
    done = pages.post(f"{path}/follow-ups", {"start_day": str(day.day),
                                             "start_month": str(day.month),
                                             "start_year": str(day.year),
                                             "start_time": "10:00", "mode": "phone"})
    assert done.status == 303, done.error_summary()

    diary = pages.get(f"/coach/diary?week={day.isoformat()}")
    assert diary.status == 200
    assert "Ada Testperson" in diary.text
    assert "Follow-up, by phone" in diary.text
    assert "rel=\"prev\"" in diary.text
    assert "rel=\"next\"" in diary.text
    start = slots.iso(datetime(day.year, day.month, day.day, 10, tzinfo=slots.UK))
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    row = cloud.store.diary.follow_up(str(item.coach_id), start, referral_id)
    assert row is not None
    wait = (slots.parse_iso(str(row.due_at)) - datetime.now(UTC)).total_seconds()
    __import__("time").sleep(max(0.0, wait) + 0.05)
    follow_up = start.replace("-", "").replace(":", "")
    recorded = pages.post(f"/coach/diary/{referral_id}/{follow_up}",
                          {"outcome": "did_not_attend",
                           "back": f"/coach/diary?week={day.isoformat()}"})
    assert (recorded.status, recorded.location) == (303, f"/coach/diary?week={day.isoformat()}")
    assert "Did not attend" in pages.get(recorded.location).text
    empty = pages.get(f"/coach/diary?week={(day + timedelta(days=70)).isoformat()}")
    assert "No appointments this week." in empty.text


def test_the_caseload_shows_its_load_and_what_is_overdue_and_tasks_clear_when_done(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    now = slots.iso(datetime.now(UTC))
    cloud.store.outbox.schedule(Notice(referral_id, Kind.COACH_REVIEW_OVERDUE,
                                        Channel.COACH_TASK, now, now, now))
    Sending(cloud.store, FakeSender(), FakeSender(), cloud.settings).run(datetime.now(UTC)
                                                           + timedelta(seconds=1))
    page = pages.get("/coach")
    assert "1 of 20 places taken" in page.text
    assert "The review is 3 days overdue" in page.text
    assert pages.post("/coach/tasks/done", {"referral_id": referral_id,
                                            "notification_id": "nothing"}).status == 404
    pages.get("/coach")
    done = pages.post("/coach/tasks/done", {
        "referral_id": referral_id, "notification_id": f"coach_review_overdue:{now}"})
    assert done.status == 303
    page = pages.get(done.location)
    assert "Task done" in page.text
    assert "The review is 3 days overdue" not in page.text


@pytest.mark.service_days(triage_decision_days=10_000)
def test_the_triage_card_shows_what_the_decision_needs(pages: Pages, cloud: Cloud) -> None:
    from tests.web.test_pages import refer

    referral_id = refer(pages, conditions="other")
    awaiting(cloud, referral_id, "triage_decision")
    pages.sign_in("coach:coach-amara")
    card = pages.get("/coach").text.split(f'id="waiting-{referral_id}"', 1)[1]
    card = card.split("</form>", 1)[0]
    for shown in ("Age", "Other", "Unemployed", "Wants help getting back to work"):
        assert shown in card, shown


def test_a_case_record_view_is_one_audit_entry_and_a_fixed_number_of_reads(
        pages: Pages, cloud: Cloud) -> None:
    from benchmarks.journey import DynamoCalls
    from workingbetter.wiring import services

    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    for text in ("First note", "Second note", "Third note"):
        assert pages.post(f"{path}/notes", {"text": text}).status == 303
        pages.get(path)
    calls = DynamoCalls()
    services().store.tables.client.meta.events.register("provide-client-params.dynamodb", calls)
    assert pages.get(path).status == 200
    # Whether the coach has signed out since (adapters/sign_outs.py), the referral, the
    # practice (where the appointment is), the audit entry, every personal-data item in one
    # Query, the follow-ups.
    assert dict(calls.calls) == {"GetItem": 3, "PutItem": 1, "Query": 2}


def test_each_form_on_the_case_record_has_its_own_key(pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    assert pages.post(f"{path}/notes", {"text": "First note"}).status == 303
    page = pages.get(path)
    nonces = re.findall(r'name="nonce" value="([^"]*)"', page.text)
    assert len(nonces) == page.forms() > 3  # profile, contact, benefits, follow-up, notes...
    assert len(set(nonces)) == len(nonces)


def test_two_different_notes_sent_from_one_rendered_page_are_both_stored(
        pages: Pages, cloud: Cloud) -> None:
    """The second, sent again from the page as it was (the back button, a second tab), is told
    that form was already sent, keeps its words, and is stored when sent once more: never a
    "saved" that saved nothing."""
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    page = pages.get(path)
    keys = page.keys_of(f"{path}/notes")

    first = pages.post(f"{path}/notes", {**keys, "text": "Wants mornings only"})
    again = pages.post(f"{path}/notes", {**keys, "text": "Has a provisional licence"})

    assert (first.status, first.location) == (303, f"{path}?saved=notes")
    assert again.status == 409
    (summary,) = again.error_summary()
    assert summary[0] == "#note-text"
    assert "already sent" in summary[1]
    assert "Has a provisional licence" in again.text  # what was typed, to send again
    resent = pages.post(f"{path}/notes", {**again.keys_of(f"{path}/notes"),
                                          "text": "Has a provisional licence"})
    assert resent.status == 303
    shown = pages.get(path).text
    assert "Wants mornings only" in shown
    assert "Has a provisional licence" in shown


def test_two_employer_contacts_on_one_day_from_one_rendered_page_are_both_stored(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    page = pages.get(path)
    contact = {"contact_on_day": "2", "contact_on_month": "11", "contact_on_year": "2026",
               "outcome": "interview"}
    note_keys = page.keys_of(f"{path}/notes")
    contact_keys = page.keys_of(f"{path}/employer-contacts")

    bakery = pages.post(f"{path}/employer-contacts", {**contact_keys, **contact,
                                                      "kind_of_employer": "A bakery"})
    note = pages.post(f"{path}/notes", {**note_keys, "text": "Rang the bakery"})
    care_home = pages.post(f"{path}/employer-contacts", {**contact_keys, **contact,
                                                         "kind_of_employer": "A care home"})

    assert (bakery.status, note.status, care_home.status) == (303, 303, 409)
    assert pages.post(f"{path}/employer-contacts", {
        **care_home.keys_of(f"{path}/employer-contacts"), **contact,
        "kind_of_employer": "A care home"}).status == 303
    shown = pages.get(path).text
    for kept in ("A bakery", "A care home", "Rang the bakery"):
        assert kept in shown, kept
    assert cloud.referral(referral_id).employer_contact_dates == ("2026-11-02",) * 2


def test_a_note_saved_from_an_old_version_shows_the_current_text_to_merge(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)
    assert pages.post(f"{path}/notes", {"text": "Keen on early shifts"}).status == 303
    page = pages.get(path)
    note_id = page.text.split(f'action="{path}/notes/', 1)[1].split('"', 1)[0]
    edit = f"{path}/notes/{note_id}"
    opened = page.hidden_in(edit)  # two tabs, one version
    assert opened["version"] == "1"

    first = pages.post(edit, {**opened, "text": "Keen on early shifts, not Sundays"})
    second = pages.post(edit, {**opened, "text": "Keen on early shifts near home"})

    assert first.status == 303
    assert second.status == 409
    ((href, message),) = second.error_summary()
    assert href == f"#note-{note_id}"
    assert "changed since you opened it" in message
    assert "Keen on early shifts, not Sundays" in second.text  # what is saved now
    assert "Keen on early shifts near home" in second.text  # what was typed, to merge
    again = second.hidden_in(edit)
    assert again["version"] == "2"
    merged = pages.post(edit, {**again, "text": "Early shifts near home, not Sundays"})
    assert merged.status == 303
    assert "Early shifts near home, not Sundays" in pages.get(path).text
