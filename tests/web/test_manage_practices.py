"""The service manager runs the practices on pages: adds one (its ODS code checked and not
taken), edits it (a change made meanwhile is never overwritten), pauses its new referrals with
a reason the referral form shows (and the API and FHIR intake refuse), resumes them, and lets
it leave the pilot while its open referrals carry on with their coaches. Each change is
audited on the practice's page; nobody but a manager gets in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api_client import Api, Reply
from tests.conftest import Cloud, referral_body
from tests.integration.test_fhir import example
from tests.integration.test_follow_ups import rows
from tests.web.pages import Page, Pages
from tests.web.test_pages import referrer
from tests.web.test_referral_moves import nothing_to_repair
from workingbetter.domain.auth import Role
from workingbetter.domain.records.directory import PracticeStatus
from workingbetter.domain.referral import LIVE
from workingbetter.web import csrf
from workingbetter.web.http import csrf_key

pytestmark = pytest.mark.integration

PRACTICE = "/manage/practices/F83001"
NEW = {"practice_ods": "Y01234", "name": "Riverside Surgery", "email": "riverside@nhs.example",
       "address": "1 River Street, Leeds LS1 4AP", "phone": "0113 496 0000",
       "rooms": "Room 4, first floor\r\n\r\nThe quiet room\r\n"}


def _add(pages: Pages, **changes: str) -> Page:
    form = pages.get("/manage/practices/add")
    assert form.status == 200, form.text
    return pages.post("/manage/practices/add", {**form.keys_of("/manage/practices/add"),
                                                **NEW, **changes})


def _post_on(pages: Pages, shown: Page, action: str, **fields: str) -> Page:
    """A form on the practice's page, sent as the browser sends it (with what it read)."""
    return pages.post(action, {**shown.hidden_in(action), **fields})


def _pause(pages: Pages, reason: str) -> Page:
    return _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/pause", reason=reason)


def test_a_manager_adds_a_practice_which_is_listed_taking_referrals_with_its_rooms(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")

    added = _add(pages)

    assert added.status == 303, added.error_summary()
    shown = pages.follow(added)
    assert "Practice added" in shown.text
    assert "Room 4, first floor" in shown.text
    assert "The quiet room" in shown.text
    assert "Added, by" in shown.text  # the audit, by the manager
    listed = pages.get("/manage/practices").text
    assert "Riverside Surgery" in listed and "Y01234" in listed  # noqa: PT018
    held = cloud.store.directory.practice("Y01234")
    assert held is not None
    assert held.rooms == ("Room 4, first floor", "The quiet room")
    assert held.status is PracticeStatus.TAKING


def test_adding_a_practice_with_mistakes_names_each_field_and_writes_nothing(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")

    refused = _add(pages, practice_ods="y0123", name="", email="not-an-address",
                   rooms="Room 1\n" + "x" * 1000)

    assert refused.status == 422
    fields = [href for href, _ in refused.error_summary()]
    assert fields == ["#practice_ods", "#name", "#email", "#rooms"], refused.error_summary()
    assert "like F83004" in refused.text
    assert cloud.store.directory.practice("y0123") is None
    assert cloud.store.directory.practice("Y0123") is None


def test_an_ods_code_already_in_the_service_is_refused_on_its_field(pages: Pages,
                                                                    cloud: Cloud) -> None:
    pages.sign_in("manager")
    was = cloud.store.directory.practice("F83001")

    refused = _add(pages, practice_ods="F83001", name="Someone Else's Surgery")

    assert refused.status == 409
    assert refused.error_summary() == [
        ("#practice_ods", "A practice with this ODS code is already in Working Better")]
    assert cloud.store.directory.practice("F83001") == was
    assert "Nothing yet" in pages.get(PRACTICE).text  # no audit entry for what did not happen


def test_an_edit_is_saved_but_a_change_made_meanwhile_is_not_overwritten(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")
    first_tab = pages.get(f"{PRACTICE}/edit")
    second_tab = pages.get(f"{PRACTICE}/edit")
    assert 'value="F83001"' not in first_tab.text  # the ODS code is not the form's to change
    action = f"{PRACTICE}/edit"
    fields = {"name": "City Road Medical Centre", "email": "cityroad@nhs.example",
              "address": "2 City Road, Leeds LS2 1AB", "phone": "0113 496 0001"}

    saved = pages.post(action, {**first_tab.hidden_in(action), **fields, "rooms": "Room 1"})
    late = pages.post(action, {**second_tab.hidden_in(action), **fields, "rooms": "Room 9"})

    assert saved.status == 303, saved.error_summary()
    assert late.status == 409
    assert "reload the page" in late.text
    held = cloud.store.directory.practice("F83001")
    assert held is not None
    assert held.rooms == ("Room 1",)
    assert held.address == "2 City Road, Leeds LS2 1AB"
    assert pages.get(PRACTICE).text.count("Details changed") == 1


def test_pausing_needs_a_reason(pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")

    refused = _pause(pages, "   ")

    assert refused.status == 422
    assert refused.error_summary() == [
        ("#reason", "Enter why the practice is not taking new referrals")]
    held = cloud.store.directory.practice("F83001")
    assert held is not None
    assert held.status is PracticeStatus.TAKING


def test_a_paused_practice_says_why_on_its_referral_form_and_intake_refuses_it(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    before = api.refer("F83001")
    pages.sign_in("manager")

    paused = _pause(pages, "The coach's room is being refurbished until March")

    assert paused.status == 303, paused.error_summary()
    shown = pages.follow(paused).text
    assert "The coach&#39;s room is being refurbished until March" in shown
    assert "1 open referral carries on with its coach" in shown
    pages.cookies.clear()
    form = referrer(pages).get("/referrals/new")
    assert "not taking new referrals for now" in form.text
    assert "The coach&#39;s room is being refurbished until March" in form.text
    assert 'action="/referrals/new"' not in form.text  # no sending offered
    refused = api.call("POST", "/referrals", api.referrer("F83001"),
                       referral_body(practice_ods="F83001",
                                     patient__nhs_number="9434765919"))
    assert refused.status == 422
    assert {k.lower(): v for k, v in refused.headers.items()}["content-type"] == (
        "application/problem+json")
    assert refused.body["errors"] == [{
        "field": "practice_ods",
        "message": "City Road Medical Centre is not taking new referrals for now: "
                   "The coach's room is being refurbished until March"}]
    carried_on = cloud.store.referrals.get(before)
    assert carried_on is not None
    assert carried_on.status in LIVE  # the referral sent before carries on


def test_resuming_offers_the_referral_form_again(pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")
    assert _pause(pages, "Staff shortage").status == 303

    resumed = _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/resume")

    assert resumed.status == 303, resumed.error_summary()
    held = cloud.store.directory.practice("F83001")
    assert held is not None
    assert (held.status, held.paused_reason) == (PracticeStatus.TAKING, "")
    pages.cookies.clear()
    assert 'action="/referrals/new"' in referrer(pages).get("/referrals/new").text


def test_a_practice_that_leaves_takes_no_referrals_and_its_open_ones_carry_on(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    before = api.refer("F83001")
    pages.sign_in("manager")

    left = _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/leave")

    assert left.status == 303, left.error_summary()
    shown = pages.follow(left).text
    assert "Left the pilot" in shown
    assert "1 open referral carries on with its coach" in shown
    pages.cookies.clear()
    form = referrer(pages).get("/referrals/new").text
    assert "City Road Medical Centre has left the Working Better pilot" in form
    assert 'action="/referrals/new"' not in form
    refused = api.call("POST", "/referrals", api.referrer("F83001"),
                       referral_body(practice_ods="F83001",
                                     patient__nhs_number="9434765919"))
    assert refused.status == 422
    assert "has left the Working Better pilot" in refused.body["errors"][0]["message"]
    carried_on = cloud.store.referrals.get(before)
    assert carried_on is not None
    assert carried_on.status in LIVE


def test_a_leaving_practices_open_referrals_can_end_each_patient_told_nothing_left_running(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    booked = api.refer("F83001")
    waiting = api.refer("F83001", patient__nhs_number="9434765919")
    for referral_id in (booked, waiting):
        cloud.wait_for(referral_id, lambda i: i.awaiting in {"appointment_outcome", "capacity"})
    elsewhere = api.refer("F83002", patient__nhs_number="9434765870")
    pages.sign_in("manager")

    unchosen = _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/leave",
                        open_referrals="perhaps")
    assert unchosen.status == 422
    assert [href for href, words in unchosen.error_summary()
            if words.startswith("Choose whether its open referrals carry on")] == ["#ending"]
    unchanged = cloud.store.directory.practice("F83001")
    assert unchanged is not None
    assert unchanged.status is PracticeStatus.TAKING  # nothing changed

    left = _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/leave", open_referrals="end")

    assert left.status == 303, left.error_summary()
    shown = pages.follow(left).text
    assert "its open referrals have ended" in shown
    assert "Its open referrals ended, each patient told" in shown.partition('id="audit"')[2]
    for referral_id in (booked, waiting):
        ended = cloud.wait_for(referral_id, lambda i: i.status == "WITHDRAWN")
        assert ended.exit_reason == "practice_left"
        assert cloud.wait_for_execution(referral_id) != "RUNNING"  # every run ended
        told = [n for n in rows(cloud, referral_id) if n.startswith("appointment_practice_left")]
        assert told, rows(cloud, referral_id)
    assert cloud.referral(elsewhere).status in LIVE  # another practice's carry on
    nothing_to_repair(cloud)  # places given back: the counters are exact


def test_each_change_is_audited_on_the_practices_page_with_who_and_no_reason_words(
        pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("manager")
    assert _pause(pages, "Flooded waiting room").status == 303
    assert _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/resume").status == 303
    assert _post_on(pages, pages.get(PRACTICE), f"{PRACTICE}/leave").status == 303

    shown = pages.get(PRACTICE).text

    audit = shown.partition('id="audit"')[2]
    for words in ("Left the pilot, by", "New referrals resumed, by", "New referrals paused, by"):
        assert words in audit
    assert audit.index("Left the pilot") < audit.index("New referrals resumed")  # latest first
    entries = cloud.store.tables.table.query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": "PRACTICE_AUDIT#F83001"})["Items"]
    assert len(entries) == 3
    assert all(set(e) == {"pk", "sk", "change", "by"} for e in entries)  # ids, enums, times


@pytest.mark.parametrize("identity", ["referrer:F83001", "coach:coach-amara", "ops",
                                      "commissioner"])
def test_nobody_but_a_manager_reaches_the_practice_pages(pages: Pages, cloud: Cloud,
                                                          identity: str) -> None:
    pages.sign_in("manager")
    shown = pages.get(PRACTICE)
    pages.cookies.clear()
    pages.sign_in(identity)

    assert pages.get("/manage/practices").status == 403
    assert pages.get("/manage/practices/add").status == 403
    assert pages.get(PRACTICE).status == 403
    assert pages.get(f"{PRACTICE}/edit").status == 403
    own_keys = {"nonce": "their-own-form", "csrf": csrf.token_for(
        str(csrf_key(pages.cookies["wb_token"])), "their-own-form")}  # not refused as forged
    for action in ("leave", "resume", "pause", "edit"):
        refused = pages.post(f"{PRACTICE}/{action}", {
            **own_keys, "read": shown.hidden_in(f"{PRACTICE}/leave")["read"], "reason": "x"})
        assert refused.status == 403
        assert "You cannot do this" in refused.text
    assert pages.post("/manage/practices/add", {**own_keys, **NEW}).status == 403
    assert cloud.store.directory.practice("Y01234") is None
    held = cloud.store.directory.practice("F83001")
    assert held is not None
    assert held.status is PracticeStatus.TAKING



# -- the JSON API over the same service ----------------------------------------------------

def _problem(reply: Reply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == "application/problem+json"
    return dict(reply.body)


def test_the_api_adds_edits_pauses_and_refuses_a_taken_code_or_a_stale_read(
        cloud: Cloud) -> None:
    api, manager = Api(cloud), cloud.token(Role.MANAGER)
    body = {**NEW, "rooms": ["Room 4"]}

    added = api.call("POST", "/practices/manage", manager, body)
    again = api.call("POST", "/practices/manage", manager, body)
    wrong = api.call("POST", "/practices/manage", manager, {**body, "practice_ods": "Y1"})

    assert added.status == 201, added.body
    assert (added.body["status"], added.body["rooms"]) == ("taking", ["Room 4"])
    assert _problem(again, 409)["errors"] == [
        {"field": "practice_ods",
         "message": "A practice with this ODS code is already in Working Better"}]
    assert [e["field"] for e in _problem(wrong, 422)["errors"]] == ["practice_ods"]
    read = added.body["read"]
    details = {k: v for k, v in body.items() if k != "practice_ods"}  # the code cannot change
    edited = api.call("POST", "/practices/manage/Y01234", manager,
                      {**details, "read": read, "phone": "0113 496 0999"})
    assert edited.status == 200, edited.body
    stale = api.call("POST", "/practices/manage/Y01234/pause", manager,
                     {"read": read, "reason": "Staff shortage"})
    assert "reload the page" in _problem(stale, 409)["detail"]
    no_reason = api.call("POST", "/practices/manage/Y01234/pause", manager,
                         {"read": edited.body["read"], "reason": ""})
    assert _problem(no_reason, 422)["errors"][0]["field"] == "reason"
    paused = api.call("POST", "/practices/manage/Y01234/pause", manager,
                      {"read": edited.body["read"], "reason": "Staff shortage"})
    assert (paused.body["status"], paused.body["paused_reason"]) == ("paused", "Staff shortage")
    assert [e["change"] for e in paused.body["audit"]] == ["paused", "edited", "added"]
    # Leaving: a body that is no object, or an ending not offered, is refused, never a 500.
    assert api.call("POST", "/practices/manage/Y01234/leave", manager, 242).status == 409
    unknown = api.call("POST", "/practices/manage/Y01234/leave", manager,
                       {"read": paused.body["read"], "open_referrals": "archive"})
    assert _problem(unknown, 422)["errors"][0]["field"] == "open_referrals"


def test_fhir_intake_from_a_paused_practice_is_refused_naming_why(cloud: Cloud) -> None:
    api, manager = Api(cloud), cloud.token(Role.MANAGER)
    read = api.call("GET", "/practices/manage/F83001", manager).body["read"]
    assert api.call("POST", "/practices/manage/F83001/pause", manager,
                    {"read": read, "reason": "Staff shortage"}).status == 200

    reply = api.call("POST", "/fhir/ServiceRequest", api.referrer(), example(),
                     **{"Content-Type": "application/fhir+json"})

    assert reply.status == 422, reply.body
    assert "not taking new referrals for now: Staff shortage" in json.dumps(reply.body)
    assert api.call("GET", "/referrals", api.ops()).body["items"] == []


def test_a_practice_stored_before_it_had_a_status_can_be_paused(pages: Pages,
                                                                 cloud: Cloud) -> None:
    cloud.store.tables.table.update_item(Key={"pk": "PRACTICE", "sk": "F83001"},
                                  UpdateExpression="REMOVE #s, rooms, paused_reason",
                                  ExpressionAttributeNames={"#s": "status"})
    pages.sign_in("manager")

    assert _pause(pages, "Staff shortage").status == 303

    held = cloud.store.directory.practice("F83001")
    assert held is not None
    assert (held.status, held.paused_reason) == (PracticeStatus.PAUSED, "Staff shortage")
