"""The service manager runs the coaches on pages: adds one (their id checked and not taken),
gives them weekly surgery sessions (times checked, no overlap, a practice that takes part),
which booking uses from then on, and the days a week they work, which scale their caseload
cap (20 for five days). A session with appointments booked in it is not removed, a change
made meanwhile is never overwritten, each change is audited on the coach's page, and nobody
but a manager gets in. The JSON API answers over the same service."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from typing import Any

import pytest

from tests.api_client import Api, Reply
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.web.pages import Page, Pages
from tests.web.test_cover_pages import boxes
from tests.web.test_people import _invite
from workingbetter.domain import slots
from workingbetter.domain.auth import Role
from workingbetter.domain.records.directory import SurgerySession
from workingbetter.domain.records.referral import Referral
from workingbetter.web import csrf
from workingbetter.web.http import csrf_key

pytestmark = pytest.mark.integration

ODS = "Y01234"  # a practice the manager adds: only the new coach sits there
PRACTICE = {"practice_ods": ODS, "name": "Riverside Surgery", "email": "riverside@nhs.example",
            "address": "1 River Street, Leeds LS1 4AP", "phone": "0113 496 0000",
            "rooms": []}
COACH = "/manage/coaches/coach-nia"
# Wednesdays 10am to 1pm, 45-minute appointments: 10:00, 10:45, 11:30 and 12:15.
SESSION = {"practice_ods": ODS, "weekday": "2", "start": "10am", "end": "13:00",
           "minutes": "45"}


@pytest.fixture
def api(cloud: Cloud) -> Api:
    return Api(cloud)


def _add_coach(pages: Pages, **changes: str) -> Page:
    form = pages.get("/manage/coaches/add")
    assert form.status == 200, form.text
    return pages.post("/manage/coaches/add", {
        **form.keys_of("/manage/coaches/add"),
        **{"coach_id": "coach-nia", "name": "Nia Campbell", "days_a_week": "5", **changes}})


def _add_session(pages: Pages, coach: str = COACH, **changes: str) -> Page:
    action = f"{coach}/sessions/add"
    form = pages.get(action)
    assert form.status == 200, form.text
    return pages.post(action, {**form.hidden_in(action), **SESSION, **changes})


def _practice_and_coach(cloud: Cloud, pages: Pages, days: str = "5") -> None:
    """The manager adds a practice, a coach, and the coach's session there."""
    added = Api(cloud).call("POST", "/practices/manage", cloud.token(Role.MANAGER), PRACTICE)
    assert added.status == 201, added.body
    pages.sign_in("manager")
    assert _add_coach(pages, days_a_week=days).status == 303
    session = _add_session(pages)
    assert session.status == 303, session.error_summary()


def _settled(cloud: Cloud, referral_id: str) -> Referral:
    return cloud.wait_for(referral_id, lambda i: i.awaiting in {"appointment_outcome",
                                                                 "capacity"})


def test_a_referral_at_the_practice_is_booked_with_the_new_coach_inside_the_new_session(
        pages: Pages, cloud: Cloud, api: Api) -> None:
    _practice_and_coach(cloud, pages)
    shown = pages.get(COACH).text
    assert "Wednesdays 10am to 1pm at Riverside Surgery" in shown
    assert "Session added, by" in shown.partition('id="audit"')[2]

    booked = _settled(cloud, api.refer(ODS))

    assert booked.coach_id == "coach-nia"
    assert booked.appointment is not None
    assert booked.appointment.practice_ods == ODS
    local = slots.parse_iso(booked.appointment.start).astimezone(slots.UK)
    assert local.weekday() == 2
    assert f"{local:%H:%M}" in {"10:00", "10:45", "11:30", "12:15"}  # 45 minutes apart
    listed = pages.get("/manage/coaches").text
    assert "Wednesdays 10am to 1pm at Riverside Surgery" in listed
    assert "1 of 20 places taken" in listed
    pages.cookies.clear()
    pages.sign_in("coach:coach-nia")
    diary = pages.get("/coach/diary").text
    assert "Your surgery session</strong>, 10am to 1pm at Riverside Surgery" in diary


def test_adding_a_coach_with_mistakes_or_a_taken_id_is_refused_at_each_field(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")

    wrong = _add_coach(pages, coach_id="nia campbell!", name="", days_a_week="")
    taken = _add_coach(pages, coach_id="coach-amara")

    assert wrong.status == 422
    assert [href for href, _ in wrong.error_summary()] == ["#coach_id", "#name",
                                                           "#days_a_week"]
    assert taken.status == 409
    assert taken.error_summary() == [("#coach_id",
                                      "A coach with this id is already in Working Better")]
    amara = cloud.store.directory.coach("coach-amara")
    assert amara is not None
    assert amara.name == "Amara Okafor"
    assert cloud.store.directory.coach("nia campbell!") is None
    assert "Nothing yet" in pages.get("/manage/coaches/coach-amara").text  # no audit entry


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"start": "25:00"}, "#start", "Enter the start time, like 9:30am or 09:30"),
    ({"end": "half four"}, "#end", "Enter the end time, like 4:30pm or 16:30"),
    ({"start": "2pm", "end": "1pm"}, "#end", "The end must be after the start"),
    ({"start": "10am", "end": "10:30", "minutes": "45"}, "#minutes",
     "No appointment of that length fits between the start and the end"),
    ({"minutes": "5"}, "#minutes", "Enter the appointment length in minutes, from 15 to 120"),
    ({"weekday": "6"}, "#weekday", "Choose the day of the session, Monday to Friday"),
])
def test_a_session_with_wrong_times_is_refused_at_its_field_and_nothing_is_saved(
        pages: Pages, cloud: Cloud, changes: dict[str, str], field: str, words: str) -> None:
    pages.sign_in("manager")
    amara = "/manage/coaches/coach-amara"
    before = cloud.store.directory.coach("coach-amara")

    refused = _add_session(pages, amara, practice_ods="F83002", **changes)

    assert refused.status == 422
    assert refused.error_summary() == [(field, words)]
    assert cloud.store.directory.coach("coach-amara") == before


def test_a_session_overlapping_another_is_refused_and_a_left_practice_cannot_be_chosen(
        pages: Pages, cloud: Cloud, api: Api) -> None:
    pages.sign_in("manager")
    amara = "/manage/coaches/coach-amara"  # Mondays at City Road, lunch (12:30-1:30pm) free
    read = api.call("GET", "/practices/manage/F83006", cloud.token(Role.MANAGER)).body["read"]
    left = api.call("POST", "/practices/manage/F83006/leave", cloud.token(Role.MANAGER),
                    {"read": read})
    assert left.status == 200, left.body

    overlap = _add_session(pages, amara, practice_ods="F83002", weekday="0", start="12:00",
                           end="14:00", minutes="60")
    gone = _add_session(pages, amara, practice_ods="F83006", weekday="1")
    lunch = _add_session(pages, amara, practice_ods="F83002", weekday="0", start="12:30",
                         end="13:30", minutes="30")
    everything = _add_session(pages, amara, practice_ods="", weekday="", start="half nine",
                              end="", minutes="")

    assert overlap.status == 422
    assert overlap.error_summary() == [("#start", (
        "This overlaps the coach&#39;s session on Mondays 9:30am to 12:30pm at City Road "
        "Medical Centre: choose other times"))]
    assert 'value="F83006"' not in pages.get(f"{amara}/sessions/add").text
    assert gone.status == 422
    assert gone.error_summary() == [("#practice_ods", "Choose a practice that takes part")]
    assert [href for href, _ in everything.error_summary()] == [  # every mistake at once
        "#practice_ods", "#weekday", "#start", "#end", "#minutes"]
    assert lunch.status == 303, lunch.error_summary()
    coach = cloud.store.directory.coach("coach-amara")
    assert coach is not None
    assert SurgerySession("F83002", 0, "12:30", "13:30", 30) in coach.surgery_sessions
    goodinge = cloud.store.directory.practice("F83002")
    assert goodinge is not None
    assert "coach-amara" in goodinge.coach_ids  # the practice lists her in the same write


def test_a_coach_working_two_days_has_a_cap_of_eight_the_ninth_referral_waits_for_a_third_day(
        pages: Pages, cloud: Cloud, api: Api) -> None:
    _practice_and_coach(cloud, pages, days="2")
    ids: list[str] = []
    lock = threading.Lock()

    def refer(nhs: str) -> None:
        referral_id = api.refer(ODS, patient__nhs_number=nhs)
        with lock:
            ids.append(referral_id)

    threads = [threading.Thread(target=refer, args=(n,)) for n in VALID_NHS_NUMBERS[:9]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(_settled(cloud, rid).status for rid in ids)
    assert statuses == ["APPOINTMENT_BOOKED"] * 8 + ["WAITLISTED"]
    assert "8 of 8 places taken" in pages.get(COACH).text
    report = api.call("GET", f"/reports/outcomes?practice={ODS}", api.ops()).body
    caseloads = next(t for t in report["tables"] if t["id"] == "caseloads")["rows"]
    assert [(r["key"], r["days_per_week"], r["ips_cap"]) for r in caseloads] == [
        ("coach-nia", 2, 8.0)]  # the report's IPS cap is the one allocation keeps

    # A third day gives four more places: the referral waiting takes one at once (so it is
    # found before the change: after it, it may be placed already).
    waited = next(rid for rid in ids if cloud.referral(rid).status == "WAITLISTED")
    action = f"{COACH}/edit"
    raised = pages.post(action, {**pages.get(action).hidden_in(action), "name": "Nia Campbell",
                                 "days_a_week": "3"})
    assert raised.status == 303, raised.error_summary()
    assert cloud.wait_for(waited, lambda i: i.awaiting == "appointment_outcome").coach_id == \
        "coach-nia"
    assert "9 of 12 places taken" in pages.get(COACH).text
    # Lowering the days below the places taken is allowed, and the page says what it means.
    lowered = pages.post(action, {**pages.get(action).hidden_in(action), "name": "Nia Campbell",
                                  "days_a_week": "1"})
    assert lowered.status == 303, lowered.error_summary()
    shown = pages.follow(lowered).text
    assert "9 of 4 places taken" in shown
    assert "no new clients are allocated to them until they are under it" in shown


def test_a_session_with_an_appointment_booked_in_it_is_not_removed_and_a_stale_form_is_not_saved(
        pages: Pages, cloud: Cloud, api: Api) -> None:
    _practice_and_coach(cloud, pages)
    _settled(cloud, api.refer(ODS))
    first_tab = pages.get(COACH)
    second_tab = pages.get(COACH)
    action = f"{COACH}/sessions/remove"

    refused = pages.post(action, first_tab.hidden_in(action))

    assert refused.status == 409
    assert "1 appointment is booked in this session from now on" in refused.text
    # A second session, then removing it from a page read before it was added: reload.
    assert _add_session(pages, weekday="4").status == 303
    stale = pages.post(action, second_tab.hidden_in(action))
    assert stale.status == 409
    assert "reload the page" in stale.text
    friday = pages.get(COACH)
    removed = pages.post(action, {**friday.hidden_in(action), "session": f"{ODS}-4-1000"})
    assert removed.status == 303
    coach = cloud.store.directory.coach("coach-nia")
    assert coach is not None
    assert [s.weekday for s in coach.surgery_sessions] == [2]
    practice = cloud.store.directory.practice(ODS)
    assert practice is not None
    assert [(s.coach_id, s.weekday) for s in practice.sessions] == [("coach-nia", 2)]
    audit = pages.get(COACH).text.partition('id="audit"')[2]
    assert audit.count("Session removed, by") == 1
    assert audit.count("Session added, by") == 2
    entries = cloud.store.tables.table.query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": "COACH_AUDIT#coach-nia"})["Items"]
    assert len(entries) == 4  # added, two sessions added, one removed: nothing refused
    assert all(set(e) == {"pk", "sk", "change", "by"} for e in entries)  # ids, enums, times


@pytest.mark.parametrize("identity", ["referrer:F83001", "coach:coach-amara"])
def test_nobody_but_a_manager_reaches_the_coach_pages(pages: Pages, cloud: Cloud,
                                                       identity: str) -> None:
    pages.sign_in("manager")
    shown = pages.get("/manage/coaches/coach-amara")
    read = shown.hidden_in("/manage/coaches/coach-amara/sessions/remove")["read"]
    pages.cookies.clear()
    pages.sign_in(identity)

    for path in ("/manage/coaches", "/manage/coaches/add", "/manage/coaches/coach-amara",
                 "/manage/coaches/coach-amara/edit",
                 "/manage/coaches/coach-amara/sessions/add"):
        assert pages.get(path).status == 403, path
    own_keys = {"nonce": "their-own-form", "csrf": csrf.token_for(
        str(csrf_key(pages.cookies["wb_token"])), "their-own-form")}  # not refused as forged
    for action, fields in (("edit", {"name": "X", "days_a_week": "1"}),
                           ("sessions/add", SESSION),
                           ("sessions/remove", {"session": "F83001-0-0930"})):
        refused = pages.post(f"/manage/coaches/coach-amara/{action}",
                             {**own_keys, "read": read, **fields})
        assert refused.status == 403
    assert pages.post("/manage/coaches/add", {**own_keys, "coach_id": "coach-x", "name": "X",
                                              "days_a_week": "5"}).status == 403
    assert cloud.store.directory.coach("coach-x") is None
    amara = cloud.store.directory.coach("coach-amara")
    assert amara is not None
    assert (amara.name, amara.sessions) == ("Amara Okafor", None)


# -- the JSON API over the same service ----------------------------------------------------


def _problem(reply: Reply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == "application/problem+json"
    return dict(reply.body)


def test_the_api_adds_a_coach_and_a_session_and_refuses_a_taken_id_a_stale_read_or_an_overlap(
        cloud: Cloud, api: Api) -> None:
    manager = cloud.token(Role.MANAGER)
    body = {"coach_id": "coach-nia", "name": "Nia Campbell", "days_a_week": 2}

    added = api.call("POST", "/coaches/manage", manager, body)
    again = api.call("POST", "/coaches/manage", manager, body)
    session = {"practice_ods": "F83002", "weekday": 2, "start": "09:30", "end": "16:30",
               "minutes": 60}
    with_session = api.call("POST", "/coaches/manage/coach-nia/sessions", manager,
                            {**session, "read": added.body["read"]})
    stale = api.call("POST", "/coaches/manage/coach-nia", manager,
                     {"name": "Nia C.", "days_a_week": 3, "read": added.body["read"]})
    overlap = api.call("POST", "/coaches/manage/coach-nia/sessions", manager,
                       {**session, "start": "16:00", "end": "17:00",
                        "read": with_session.body["read"]})
    referrer = api.call("GET", "/coaches/manage", api.referrer("F83001"))

    assert added.status == 201, added.body
    assert (added.body["cap"], added.body["sessions"]) == (8, [])
    assert _problem(again, 409)["errors"] == [
        {"field": "coach_id", "message": "A coach with this id is already in Working Better"}]
    assert with_session.status == 200, with_session.body
    assert with_session.body["sessions"] == [{**session}]
    assert with_session.body["session_keys"] == ["F83002-2-0930"]
    assert [e["change"] for e in with_session.body["audit"]] == ["session_added", "added"]
    assert "reload the page" in _problem(stale, 409)["detail"]
    assert _problem(overlap, 422)["errors"][0]["field"] == "start"
    assert referrer.status == 403
    listed = api.call("GET", "/coaches/manage", manager).body["items"]
    assert {"coach-nia", "coach-amara"} <= {c["coach_id"] for c in listed}
    removed = api.call("POST", "/coaches/manage/coach-nia/sessions/remove", manager,
                       {"session": "F83002-2-0930", "read": with_session.body["read"]})
    assert removed.status == 200, removed.body
    assert removed.body["sessions"] == []


def _audit_lines(text: str) -> list[str]:
    audit = text.partition('id="audit"')[2].partition("</dl>")[0]
    return [line.rpartition(", by ")[0] for line in re.findall(r'__value">([^<]+)</dd>', audit)]


def test_the_coachs_page_links_to_their_absences_and_leaving_and_shows_every_change_newest_first(
        pages: Pages, cloud: Cloud) -> None:
    _practice_and_coach(cloud, pages)
    first = date.today() + timedelta(days=21)
    absences = f"{COACH}/absences"
    form = pages.get(absences)
    recorded = pages.post(absences, {**form.keys_of(absences), **boxes("from", first),
                                     **boxes("to", first + timedelta(days=1))})
    assert recorded.status == 303, recorded.error_summary()

    shown = pages.get(COACH).text

    assert f'href="{COACH}/absences"' in shown
    assert f'href="{COACH}/leave"' in shown
    # The coaches' audit (added, a session) and the cover audit (the absence) in one list.
    lines = _audit_lines(shown)
    assert [line.partition(" (")[0] for line in lines] == [
        "Absence recorded", "Session added", "Added"]


def test_a_coach_who_left_shows_as_left_gets_no_new_session_and_links_to_their_account(
        pages: Pages, cloud: Cloud) -> None:
    _practice_and_coach(cloud, pages)
    assert _invite(pages, "nia.campbell@nhs.example", "coach", "coach-nia",
                   name="Nia Campbell").status == 303
    leave = f"{COACH}/leave"
    left = pages.post(leave, pages.get(leave).keys_of(leave))
    assert left.status == 303, left.error_summary()

    listed = pages.get("/manage/coaches").text
    card = listed.partition("Nia Campbell</a>")[2].partition("govuk-summary-card__title")[0]
    shown = pages.get(COACH)
    refused = _add_session(pages, weekday="3")

    assert "Left the service" in card
    assert "Left the service" in shown.text.partition('id="left"')[2][:200]
    assert "Add a session" not in shown.text
    account = shown.text.partition('id="account"')[2][:300]
    assert 'href="/manage/people/' in account
    assert "nia.campbell@nhs.example" in account
    assert "disable it on their page" in account
    assert refused.status == 409
    assert [m for _, m in refused.error_summary()] == [
        "This coach has left the service: they get no new sessions"]
    assert len(cloud.coach("coach-nia").surgery_sessions) == 1
    assert _audit_lines(pages.get(COACH).text)[0].startswith("Left the service")
