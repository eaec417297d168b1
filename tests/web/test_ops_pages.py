"""The ops console at scale: its list filtered by status, practice, coach or "needs attention",
paged; found by reference; exported as CSV (ids, references, enums and dates only); exits by
reason; and each run of a referral in plain words."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.web.pages import Pages
from tests.web.test_lists import load, shown_on
from workingbetter.domain.records.referral import ReferralChange

pytestmark = pytest.mark.integration


def ops(pages: Pages) -> Pages:
    assert pages.sign_in("ops").status == 303
    return pages


def test_the_list_is_filtered_by_practice_coach_or_attention(cloud: Cloud, pages: Pages) -> None:
    ids = load(cloud, ("F83001", "IN_SUPPORT", "coach-amara"), ("F83002", "IN_SUPPORT",
                                                                "coach-chloe"),
               ("F83001", "EXITED", "coach-bilal"), ("F83001", "WAITLISTED", None))
    cloud.store.referrals.update(ids[3], None, ReferralChange(attention="overdue_capacity"))
    ops(pages)

    assert shown_on(pages.get("/ops?practice_ods=F83001").text, "latest") == \
        [ids[3], ids[2], ids[0]]
    assert shown_on(pages.get("/ops?practice_ods=F83001&status=EXITED").text, "latest") == \
        [ids[2]]
    assert shown_on(pages.get("/ops?coach_id=coach-chloe").text, "latest") == [ids[1]]
    assert shown_on(pages.get("/ops?attention=yes").text, "latest") == [ids[3]]
    assert pages.get("/ops?coach_id=%3Cscript%3E").status == 400


def test_paging_keeps_the_filters(cloud: Cloud, pages: Pages) -> None:
    ids = load(cloud, *[("F83002" if i % 2 else "F83001", "EXITED", None) for i in range(60)])
    ops(pages)
    first = pages.get("/ops?practice_ods=F83002")
    following = re.search(r'href="(/ops\?[^"]+)" rel="next"', first.text)
    assert following
    link = following.group(1).replace("&amp;", "&")
    assert "practice_ods=F83002" in link
    second = pages.get(link)
    assert shown_on(first.text, "latest") + shown_on(second.text, "latest") == \
        [r for i, r in enumerate(ids) if i % 2][::-1]


def test_a_reference_finds_the_referral(cloud: Cloud, pages: Pages) -> None:
    referral_id = Api(cloud).refer()
    reference = str(cloud.referral(referral_id).reference)
    ops(pages)

    found = pages.get(f"/ops?q={reference.lower()}")
    missing = pages.get("/ops?q=WB-0000-0000")

    assert (found.status, found.location) == (303, f"/ops/referrals/{referral_id}")
    assert missing.status == 404
    assert missing.error_summary() == [("#q", "No referral has that reference or id")]


def test_the_export_is_the_filtered_list_with_no_personal_data(cloud: Cloud,
                                                               pages: Pages) -> None:
    ids = load(cloud, ("F83001", "EXITED", "coach-amara"), ("F83002", "IN_SUPPORT",
                                                            "coach-chloe"))
    ops(pages)
    console = pages.get("/ops?practice_ods=F83001")
    assert 'href="/ops/referrals.csv?practice_ods=F83001"' in console.text

    export = pages.get("/ops/referrals.csv?practice_ods=F83001")

    assert export.status == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["referral_id"] for r in rows] == [ids[0]]
    assert rows[0]["status"] == "EXITED"
    assert rows[0]["exit_reason"] == "job_sustained_26_weeks"
    assert "Bench" not in export.text  # the patients' names are never read here
    assert "9434765919" not in export.text


def test_exits_are_broken_down_by_reason(cloud: Cloud, pages: Pages) -> None:
    load(cloud, *[("F83001", "EXITED", None)] * 3, ("F83001", "IN_SUPPORT", None))
    ops(pages)
    exits = pages.get("/ops").text.partition('id="exits"')[2].partition("</table>")[0]
    assert re.search(r"Job sustained 26 weeks</th><td[^>]*>3<", exits)


def test_each_run_is_its_own_section_in_plain_words(cloud: Cloud, pages: Pages) -> None:
    api = Api(cloud)
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    api.call("POST", f"/referrals/{referral_id}/withdraw", api.referrer(), {})
    cloud.wait_for_execution(referral_id)
    ops(pages)

    history = pages.get(f"/ops/referrals/{referral_id}")

    assert history.status == 200
    first = history.text.partition('id="run-1"')[2].partition("</section>")[0]
    assert "Booked the first appointment" in first
    assert "Ended: withdrawn" in first
    assert 'id="run-2"' not in history.text
    assert "No longer wishes" in history.text  # the referral's exit reason
    assert "StateEntered" not in history.text


def test_the_coach_filter_is_a_choice_of_coaches_by_name(cloud: Cloud, pages: Pages) -> None:
    ids = load(cloud, ("F83001", "IN_SUPPORT", "coach-amara"), ("F83002", "IN_SUPPORT",
                                                                "coach-chloe"))
    ops(pages)

    console = pages.get("/ops").text
    chooser = console.partition('<select class="govuk-select" id="coach" name="coach_id"')[2]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>',
                         chooser.partition("</select>")[0])

    assert ("", "All coaches") in options
    assert ("coach-amara", "Amara Okafor, City Road Medical Centre, Mondays") in options
    assert len(options) == 1 + 7  # every pilot coach, by name
    chosen = pages.get("/ops?coach_id=coach-amara").text
    assert shown_on(chosen, "latest") == [ids[0]]
    assert '<option value="coach-amara" selected>' in chosen
    listed = chosen.partition('id="latest"')[2].partition("</table>")[0]
    assert "City Road Medical Centre, Amara Okafor" in listed  # names, not ids


def test_the_ops_referral_page_shows_the_appointment_by_date_time_and_place(
        cloud: Cloud, pages: Pages) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83002")
    booked = api.awaiting(referral_id, "appointment_outcome")
    assert booked.appointment is not None
    ops(pages)

    page = pages.get(f"/ops/referrals/{referral_id}").text
    shown = page.partition('id="appointment">')[2].partition("</dd>")[0]

    start = datetime.fromisoformat(booked.appointment.start.replace("Z", "+00:00"))
    local = start.astimezone(ZoneInfo("Europe/London"))
    expected = f"{local:%A} {local.day} {local:%B %Y} at {local.hour % 12 or 12}:{local:%M}"
    assert shown.startswith(expected + ("am" if local.hour < 12 else "pm")), shown
    assert "Goodinge Group Practice, 20 Northdown Street, London N1 9BG" in shown
    assert "Testperson" not in page  # never the patient's name
    assert "Chloe Evans" in page  # the coach, by name
    timeline = page.partition('id="timeline"')[2]
    assert "practice staff at Goodinge Group Practice" in timeline  # who referred, by name
    assert "referrer:F83002" not in timeline
