"""A manager records a coach's absence on a GOV.UK page: the first and last days away (never
why), errors linked to the box that is wrong, nothing written until it is right; after saving,
how many appointments moved; an absence still to come can be cancelled; each change audited on
the page, naming the manager and never a patient. The coach's own booking page offers no time
on a day away. Nobody but a manager gets in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.api_client import Api, appointment
from tests.conftest import Cloud
from tests.web.pages import Page, Pages
from workingbetter.domain import slots
from workingbetter.domain.auth import Role
from workingbetter.web import csrf
from workingbetter.web.http import csrf_key

pytestmark = pytest.mark.integration

COACH = "coach-amara"
PAGE = f"/manage/coaches/{COACH}/absences"


def boxes(prefix: str, day: date | None) -> dict[str, str]:
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month),
            f"{prefix}_year": str(day.year)}


def record(pages: Pages, first: date | None, last: date | None, **typed: str) -> Page:
    shown = pages.get(PAGE)
    assert shown.status == 200, shown.text
    return pages.post(PAGE, {**shown.keys_of(PAGE), **boxes("from", first),
                             **boxes("to", last), **typed})


def test_an_absence_with_mistakes_names_each_box_and_records_nothing(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")
    today = date.today()

    empty = record(pages, None, None)
    backwards = record(pages, today + timedelta(days=9), today + timedelta(days=2))
    unreal = record(pages, today, None, to_day="31", to_month="2", to_year="2027")

    assert empty.status == 422
    assert empty.error_summary() == [("#from-day", "Enter the first day away"),
                                     ("#to-day", "Enter the last day away")]
    assert backwards.status == 422
    assert backwards.error_summary() == [
        ("#to-day", "The last day away must be the same as or after the first day away")]
    assert unreal.error_summary() == [("#to-day", "The last day away must be a real date, "
                                                  "like 8 1 2027")]
    assert 'value="31"' in unreal.text  # what was typed comes back
    listed = pages.get(PAGE).text
    assert "None recorded" in listed
    assert 'id="audit">Nothing yet' in listed


def test_recording_an_absence_says_how_many_appointments_moved_and_audits_it_without_the_patient(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83001")
    item = cloud.wait_for(referral_id, lambda i: i.appointment is not None
                          and i.coach_id == COACH)
    on = slots.parse_iso(appointment(item).start).astimezone(slots.UK).date()
    pages.sign_in("manager")

    form = pages.get(PAGE)
    sent = {**form.keys_of(PAGE), **boxes("from", on), **boxes("to", on)}
    saved = pages.post(PAGE, sent)

    assert saved.status == 303, saved.error_summary()
    shown = pages.follow(saved)
    assert "1 appointment moved, each patient told" in shown.text
    assert ", 1 appointment moved), by" in shown.text
    assert "Do not say which, or why" in shown.text
    for patient in ("Ada", "Testperson", str(item.reference)):
        assert patient not in shown.text
    assert appointment(cloud.referral(referral_id)).start != appointment(item).start
    again = pages.post(PAGE, sent)
    assert again.status == 303  # the same form sent twice records once
    assert pages.follow(again).text.count("Absence recorded (") == 1


def test_an_absence_still_to_come_can_be_cancelled_and_nothing_is_booked_on_its_days_meanwhile(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83001")
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    coach_id = str(cloud.referral(referral_id).coach_id)
    page = f"/manage/coaches/{coach_id}/absences"
    pages.sign_in("manager")
    start = date.today() + timedelta(days=8)
    shown = pages.get(page)
    saved = pages.post(page, {**shown.keys_of(page), **boxes("from", start),
                              **boxes("to", start + timedelta(days=13))})
    assert saved.status == 303, saved.error_summary()

    coach = Pages(cloud.built.pool)
    coach.sign_in(f"coach:{coach_id}")
    offered = coach.get(f"/coach/diary/book/{referral_id}")
    assert offered.status == 200, offered.text
    for away in range(14):
        assert f'value="{(start + timedelta(days=away)).isoformat()}T' not in offered.text

    listed = pages.get(page)
    action = next(a for a in listed.text.split('action="')[1:] if "/cancel" in a).split('"')[0]
    cancelled = pages.post(action, listed.keys_of(action))
    assert cancelled.status == 303
    after = pages.follow(cancelled).text
    assert "Absence cancelled: appointments already moved" in after
    assert "None recorded" in after
    assert "Absence cancelled (" in after
    offered_again = coach.get(f"/coach/diary/book/{referral_id}").text
    assert any(f'value="{(start + timedelta(days=d)).isoformat()}T' in offered_again
               for d in range(14))  # the session's days in those two weeks are free again


@pytest.mark.parametrize("identity", ["referrer:F83001", "coach:coach-amara", "ops",
                                      "commissioner"])
def test_nobody_but_a_manager_reaches_a_coachs_absences(pages: Pages, cloud: Cloud,
                                                        identity: str) -> None:
    pages.sign_in(identity)
    own_keys = {"nonce": "their-own-form", "csrf": csrf.token_for(
        str(csrf_key(pages.cookies["wb_token"])), "their-own-form")}  # not refused as forged
    today = date.today()

    assert pages.get(PAGE).status == 403
    refused = pages.post(PAGE, {**own_keys, **boxes("from", today), **boxes("to", today)})
    assert refused.status == 403
    api = Api(cloud)
    token = cloud.token(Role(identity.split(":")[0]),
                        practice_ods="F83001" if identity.startswith("referrer") else None,
                        coach_id=COACH if identity.startswith("coach") else None)
    assert api.call("POST", f"/coaches/{COACH}/absences", token,
                    {"from": today.isoformat(), "to": today.isoformat()}).status == 403
    assert api.call("GET", f"/coaches/{COACH}/absences", cloud.token(Role.MANAGER)).body[
        "items"] == []
