"""/practice: practice staff follow their own referrals, find one by reference or NHS number,
read what its status means and withdraw it for the patient, with a confirmation step."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from benchmarks.journey import DynamoCalls
from tests.api_client import Api
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.web.pages import REFERRAL_FORM, Page, Pages
from tests.web.test_lists import audit_records, load, shown_on
from tests.web.test_pages import referral_id_on, referrer, sent
from workingbetter.domain.auth import Role
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.referral import ReferralChange
from workingbetter.domain.referral import Status
from workingbetter.notifications.sending import Sending
from workingbetter.wiring import services

pytestmark = pytest.mark.integration


def patient_name(referral_id: str) -> str:
    """The name benchmarks.pages.pair gives the i-th referral loaded (i counts across tests)."""
    return f"Bench{uuid.UUID(referral_id).int - 1} Patient"


def reference_of(cloud: Cloud, referral_id: str) -> str:
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    return str(item.reference)


def refer(pages: Pages, **changes: Any) -> tuple[str, str]:
    """Refer through the form; the referral's id and the reference the confirmation shows."""
    page = sent(pages, referrer(pages).post("/referrals/new", {**REFERRAL_FORM, **changes}))
    found = re.search(r'id="reference">(WB-[0-9A-Z-]+)<', page.text)
    assert found, page.text
    return referral_id_on(page), found.group(1)


def test_after_sending_the_form_the_confirmation_shows_the_reference_and_a_reload_sends_nothing(
        cloud: Cloud, pages: Pages) -> None:
    referral_id, shown = refer(pages)

    assert shown == reference_of(cloud, referral_id)
    again = pages.get(f"/practice/referrals/{shown}/sent")
    assert again.status == 200
    assert len(cloud.store.lists.for_practice("F83001")) == 1


def test_the_form_reports_a_bad_nhs_number_and_a_missing_phone_in_one_round(
        pages: Pages) -> None:
    page = referrer(pages).post("/referrals/new", {**REFERRAL_FORM, "nhs_number": "485 777 3456",
                                                   "phone": ""})
    assert page.status == 422
    assert page.error_summary() == [
        ("#nhs-number", "Enter a valid NHS number"),
        ("#phone", "Enter a mobile number so we can contact the patient the way they chose")]


def test_the_form_refuses_an_email_address_that_is_not_one_and_sends_nothing(
        cloud: Cloud, pages: Pages) -> None:
    page = referrer(pages).post("/referrals/new", {
        **REFERRAL_FORM, "contact_preference": "email", "phone": "",
        "email": '"><script>alert(1)</script>@x.example'})
    assert page.status == 422
    assert page.error_summary() == [("#email", "Enter an email address, like name@example.com")]
    assert cloud.store.lists.for_practice("F83001") == []


def test_the_practice_list_shows_its_own_patients_with_one_audit_record_per_view(
        cloud: Cloud, pages: Pages) -> None:
    ids = load(cloud, ("F83001", "IN_SUPPORT", "coach-amara"), ("F83002", "EXITED", None),
               ("F83001", "AWAITING_TRIAGE_DECISION", None))
    pages.sign_in("referrer:F83001")

    page = pages.get("/practice")

    assert page.status == 200
    assert shown_on(page.text, "referrals") == [ids[2], ids[0]]
    assert patient_name(ids[0]) in page.text
    assert "943 476 5919" in page.text
    assert "Being coached" in page.text  # the status in plain words, not IN_SUPPORT
    assert "A coach is checking it" in page.text
    assert patient_name(ids[1]) not in page.text
    (record,) = audit_records(cloud, "F83001")
    assert sorted(record["referral_ids"]) == sorted([ids[0], ids[2]])
    assert (record["actor"], record["purpose"]) == ("referrer:F83001", "GET /practice")


def test_the_practice_list_reads_the_same_calls_however_many_rows(
        cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("referrer:F83001")
    calls = DynamoCalls()
    services().store.tables.client.meta.events.register("provide-client-params.dynamodb", calls)

    def one_view() -> dict[str, int]:
        calls.calls.clear()
        assert pages.get("/practice").status == 200
        return dict(calls.calls)

    one_view()  # the header's names of staff are read once, then kept (services/staff.py)
    load(cloud, ("F83001", "IN_SUPPORT", "coach-amara"))
    few = one_view()
    load(cloud, *[("F83001", "EXITED", None)] * 20)
    many = one_view()

    # Whether the caller has signed out since (adapters/sign_outs.py), one Query for the
    # page, one batch for the patients, one audit record.
    assert many == few == {"GetItem": 1, "Query": 1, "BatchGetItem": 1, "PutItem": 1}


def test_the_practice_list_is_paged_and_filtered_by_status(cloud: Cloud, pages: Pages) -> None:
    ids = load(cloud, *[("F83001", "EXITED" if i % 2 else "IN_SUPPORT", None)
                        for i in range(120)])
    exited = [r for i, r in enumerate(ids) if i % 2][::-1]
    pages.sign_in("referrer:F83001")

    first = pages.get("/practice?status=EXITED")
    following = re.search(r'href="(/practice\?[^"]+)" rel="next"', first.text)
    assert following
    second = pages.get(following.group(1).replace("&amp;", "&"))

    assert shown_on(first.text, "referrals") + shown_on(second.text, "referrals") == exited
    assert "Support ended" in second.text


def search(pages: Pages, typed: str) -> Page:
    """Find referrals as staff do: the list's search form, posted."""
    pages.get("/practice")
    return pages.post("/practice", {"q": typed})


def test_staff_find_a_referral_by_nhs_number_or_reference_however_typed(
        cloud: Cloud, pages: Pages) -> None:
    first, shown = refer(pages)
    Api(cloud).refer(patient__nhs_number="9434765870")  # another patient at the practice

    by_number = search(pages, "485-777-3457")
    by_reference = search(pages, shown.lower().replace("-", ""))

    assert shown_on(by_number.text, "referrals") == [first]
    assert shown_on(by_reference.text, "referrals") == [first]
    elsewhere = Pages(cloud.built.pool)
    elsewhere.sign_in("referrer:F83002")
    assert shown_on(search(elsewhere, shown).text, "referrals") == []
    assert shown_on(search(elsewhere, "4857773457").text, "referrals") == []


def test_a_search_by_nhs_number_puts_the_number_in_no_address(
        cloud: Cloud, pages: Pages) -> None:
    referral_id, _ = refer(pages)

    found = search(pages, "485 777 3457")

    assert found.status == 200
    assert "location" not in found.headers  # shown in the answer: no redirect to follow
    assert shown_on(found.text, "referrals") == [referral_id]
    addresses = re.findall(r'(?:href|action|src)="([^"]*)"', found.text)
    assert addresses
    for address in addresses:
        assert "4857773457" not in re.sub(r"\D", "", address), address
    # A number typed into the address searches nothing: the list is shown as it is.
    typed = pages.get("/practice?q=4857773457")
    assert "Referrals, newest first" in typed.text
    assert "Referrals found" not in typed.text


def test_a_search_without_its_form_key_is_refused(pages: Pages) -> None:
    pages.sign_in("referrer:F83001")
    pages.get("/practice")
    assert pages.post("/practice", {"q": "4857773457"}, keys=False).status == 403


def test_a_search_that_is_neither_says_what_to_enter(pages: Pages) -> None:
    pages.sign_in("referrer:F83001")
    page = search(pages, "Ada")
    assert page.status == 422
    assert page.error_summary() == [
        ("#q", "Enter a reference, like WB-7KQ4-M2XP, or a 10-digit NHS number. To find a "
               "patient by name, use their name and date of birth below")]


def test_a_referrals_page_explains_its_status_and_shows_no_coach_detail(
        cloud: Cloud, pages: Pages) -> None:
    referral_id, shown = refer(pages)
    cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome",
                   what="booked")

    page = pages.get(f"/practice/referrals/{shown}")

    assert page.status == 200
    assert "First appointment booked" in page.text
    assert "City Road Medical Centre" in page.text
    assert "Referral received" in page.text
    assert "Coach found" in page.text
    assert "coach-amara" not in page.text and "coach-bilal" not in page.text  # noqa: PT018
    assert "awaiting_" not in page.text


def test_withdrawing_asks_first_then_withdraws_and_can_erase(cloud: Cloud, pages: Pages) -> None:
    referral_id, shown = refer(pages)

    confirm = pages.get(f"/practice/referrals/{shown}/withdraw")
    assert confirm.status == 200
    assert "Are you sure" in confirm.text
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert item.status != Status.WITHDRAWN

    done = pages.post(f"/practice/referrals/{shown}/withdraw",
                      {"exit_reason": "moved_away", "reason": "Moving away", "erase": "yes"})
    assert (done.status, done.location) == (303, f"/practice/referrals/{shown}?withdrawn=yes")
    after = pages.get(done.location)
    assert "The referral was withdrawn" in after.text
    assert "Withdrawn" in after.text
    assert "Patient's details deleted" in after.text
    assert "Withdraw this referral" not in after.text
    assert cloud.store.tables.personal.query(
        KeyConditionExpression=Key("referral_id").eq(referral_id))["Items"] == []
    # Erased: its NHS number's keyed hash went too, so a search by the number finds nothing.
    assert shown_on(search(pages, "4857773457").text, "referrals") == []
    assert shown_on(search(pages, shown).text, "referrals") == [referral_id]


def test_a_practice_withdrawal_keeps_the_reason_chosen_for_ops_reports_and_the_gp(
        cloud: Cloud, pages: Pages) -> None:
    """"Moved away" stays moved away: on the ops console, in its CSV, in the commissioner's
    "Why referrals ended", and in the email to the practice (not "chose to leave")."""
    referral_id, shown = refer(pages)
    confirm = pages.get(f"/practice/referrals/{shown}/withdraw")
    assert 'value="moved_away"' in confirm.text  # the coach's list, moved away among them
    assert 'value="no_longer_wishes"' in confirm.text

    done = pages.post(f"/practice/referrals/{shown}/withdraw", {"exit_reason": "moved_away"})

    assert done.status == 303, done.error_summary()
    item = cloud.store.referrals.get(referral_id)
    assert item is not None
    assert (item.status, item.exit_reason) == (Status.WITHDRAWN, "moved_away")
    assert pages.sign_in("ops").status == 303
    history = pages.get(f"/ops/referrals/{referral_id}").text
    assert re.search(r'id="exit-reason">Moved away<', history)
    exits = pages.get("/ops").text.partition('id="exits"')[2].partition("</table>")[0]
    assert "Moved away" in exits and "No longer wishes" not in exits  # noqa: PT018
    export = list(csv.DictReader(io.StringIO(pages.get("/ops/referrals.csv").text)))
    assert [r["exit_reason"] for r in export if r["referral_id"] == referral_id] == [
        "moved_away"]
    report = Api(cloud).call("GET", "/reports/outcomes", cloud.token(Role.COMMISSIONER)).body
    ended = {r["key"]: r["count"] for t in report["tables"] if t["id"] == "exits"
             for r in t["rows"]}
    # Rounded to a multiple of 5 (docs/outcomes.md): one moved away shows as 0 or 5, and no
    # practice's withdrawal is counted as the patient's wish.
    assert ended["moved_away"] in (0, 5)
    assert ended["no_longer_wishes"] == 0
    sender = FakeSender()
    Sending(cloud.store, sender, sender, cloud.settings).run(
        datetime.now(UTC) + timedelta(days=1))
    (email,) = [m for channel, m in sender.sent
                if channel == "email" and m.kind is Kind.PRACTICE_ENDED]
    assert "the patient moved away" in email.body
    assert "chose to leave" not in email.body


def test_another_practices_referral_is_not_found(cloud: Cloud, pages: Pages) -> None:
    _, shown = refer(pages)
    pages.sign_in("referrer:F83002")
    assert pages.get(f"/practice/referrals/{shown}").status == 404
    assert pages.get(f"/practice/referrals/{shown}/withdraw").status == 404


def test_a_job_or_any_engagement_is_shown_to_the_practice_only_if_the_patient_agreed(
        cloud: Cloud, pages: Pages) -> None:
    shared, kept = load(cloud, ("F83001", "IN_WORK", "coach-amara"),
                        ("F83001", "IN_WORK", "coach-amara"))
    cloud.store.referrals.update(kept, None, ReferralChange(share_outcome_with_gp=False))
    pages.sign_in("referrer:F83001")
    page = pages.get("/practice")

    rows = {r: page.text.partition(f'data-referral-id="{r}"')[2].partition("</tr>")[0]
            for r in (shared, kept)}
    assert "In work, still supported" in rows[shared]
    assert "Accepted" in rows[kept]
    assert "Being coached" not in rows[kept]
    private = pages.get(f"/practice/referrals/{kept}")
    assert private.status == 200
    assert "Started work" not in private.text
    assert "Started work" in pages.get(f"/practice/referrals/{shared}").text
