"""A coach's absence is covered: a manager records the days a coach is away (never why);
from then on nothing is booked into them, and each appointment of theirs on those days moves
to the soonest free slot (theirs after the absence, or a colleague's at the practice), the
patient told by their channel. The run waiting for a moved first appointment's outcome is not
stranded: it waits again, with a time limit worked out from the new time, and takes the
covering coach's outcome. Driven through the JSON API on the real state machine."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.api_client import Api, appointment
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.integration.test_follow_ups import in_support, rows, session_slot
from workingbetter.domain import slots
from workingbetter.domain.auth import Role
from workingbetter.domain.records.referral import Referral
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration

PRACTICE = "F83001"  # two coaches: coach-amara on Mondays, coach-bilal on Thursdays


def day_of(start_iso: str) -> date:
    return slots.parse_iso(start_iso).astimezone(slots.UK).date()


def away(api: Api, cloud: Cloud, coach_id: str, first: date, last: date) -> Any:
    reply = api.call("POST", f"/coaches/{coach_id}/absences", cloud.token(Role.MANAGER),
                     {"from": first.isoformat(), "to": last.isoformat()})
    assert reply.status == 201, reply.body
    return reply.body


def colleague(cloud: Cloud, coach_id: str) -> str:
    practice = cloud.store.directory.practice(PRACTICE)
    assert practice is not None
    return next(s.coach_id for s in practice.sessions if s.coach_id != coach_id)


def booked_timeouts(cloud: Cloud, referral_id: str) -> list[int]:
    """The outcome wait's time limit each booking gave the run (seconds), in order."""
    found = []
    for event in cloud.history(referral_id):
        details = event.get("stateExitedEventDetails") or {}
        if details.get("name") == "BookFirstAppointment":
            found.append(int(json.loads(details["output"])["booking"]["outcome_timeout"]))
    return found


def test_an_absence_moves_the_first_appointment_to_a_colleagues_sooner_session_and_the_run_waits_for_its_outcome_from_the_new_time(  # noqa: E501
        cloud: Cloud, api: Api) -> None:
    referral_id = api.refer(PRACTICE)
    waiting = cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome"
                             and bool(i.task_token))
    own = str(waiting.coach_id)
    first = appointment(waiting)
    # Away from today until three weeks after the appointment: the colleague is sooner.
    absence = away(api, cloud, own, date.today(), day_of(first.start) + timedelta(weeks=3))

    assert absence["moved"] == 1
    moved = cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome"
                           and bool(i.task_token) and i.task_token != waiting.task_token,
                           what="the run waiting again for the moved appointment")
    now = appointment(moved)
    covering = colleague(cloud, own)
    assert now.coach_id == covering  # cover: the caseload stays with its coach
    assert moved.coach_id == own
    assert day_of(now.start) > date.today()
    assert cloud.coach(own).active == 1 and cloud.coach(covering).active == 0  # noqa: PT018
    assert [s.referral_id for s in cloud.store.diary.slots_between(covering, now.start, "9999")] \
        == [referral_id]
    assert cloud.store.diary.slots_between(own, first.start, "9999") == []
    told = rows(cloud, referral_id)[f"appointment_moved:{now.start}"]
    assert told.channel == "sms"
    sender = FakeSender()
    Sending(cloud.store, sender, sender, cloud.settings).run(
        datetime.now(UTC) + timedelta(seconds=10))  # past quiet hours on the service clock
    words = [m.body for _, m in sender.sent if m.kind == "appointment_moved"]
    start = slots.parse_iso(now.start).astimezone(slots.UK)
    assert words == [
        "Hello Ada, your coach is away, so your Working Better appointment has moved. It is "
        f"now on {start:%A} {start.day} {start:%B} at {start:%H:%M}, at City Road Medical "
        "Centre. If the new time does not suit you, please call the surgery. It is still "
        "your choice to take part."]
    # The run waits again, its limit worked out from the new time (later than the first).
    before, after = booked_timeouts(cloud, referral_id)
    later = (slots.parse_iso(now.start) - slots.parse_iso(first.start)).total_seconds()
    assert after - before >= cloud.settings.seconds(later / 86400) - 5
    # The covering coach records the outcome, and support goes on.
    api.awaiting(referral_id, "appointment_outcome")
    recorded = api.step(referral_id, "appointment-outcome", {"outcome": "attended"},
                        api.coach(covering))
    assert recorded.status == 200, recorded.body
    cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")


def test_nothing_is_booked_into_an_absence_recorded_before_the_referral(
        cloud: Cloud, api: Api) -> None:
    for coach_id in ("coach-amara", "coach-bilal"):
        away(api, cloud, coach_id, date.today(), date.today() + timedelta(weeks=2))

    referral_id = api.refer(PRACTICE)

    booked = cloud.wait_for(referral_id, lambda i: i.appointment is not None)
    assert day_of(appointment(booked).start) > date.today() + timedelta(weeks=2)


def test_a_follow_up_on_a_day_away_moves_to_its_coachs_next_free_session_and_none_can_be_booked_then(  # noqa: E501
        cloud: Cloud, api: Api) -> None:
    referral_id = in_support(api)
    coach = api.coach_of(referral_id)
    item: Referral = cloud.referral(referral_id)
    surgery = session_slot(cloud, referral_id)
    path = f"/referrals/{referral_id}/follow-ups"
    booked = api.call("POST", path, coach, {"start": surgery.isoformat(), "mode": "surgery"})
    assert booked.status == 201, booked.body
    day = surgery.date()

    covered = away(api, cloud, str(item.coach_id), day, day)

    assert covered["moved"] == 1
    again = api.call("POST", path, coach, {"start": surgery.isoformat(), "mode": "surgery"})
    assert again.status == 422, again.body
    assert again.body["errors"][0]["field"] == "start"
    follow_ups = [r for r in cloud.store.diary.follow_ups(str(item.coach_id), "2000", "9999")
                  if r.referral_id == referral_id]
    assert [(day_of(r.start) == day, r.outcome) for r in follow_ups] == [
        (True, "moved"), (False, None)]
    new = follow_ups[1].start
    assert day_of(new) > day
    assert f"appointment_moved:{new}" in rows(cloud, referral_id)


def test_an_absence_sent_again_with_its_key_records_once_and_a_key_reused_for_other_days_is_refused(
        cloud: Cloud, api: Api) -> None:
    manager = cloud.token(Role.MANAGER)
    path = "/coaches/coach-amara/absences"
    days = {"from": (date.today() + timedelta(days=30)).isoformat(),
            "to": (date.today() + timedelta(days=31)).isoformat()}

    first = api.call("POST", path, manager, days, **{"Idempotency-Key": "absence-1"})
    again = api.call("POST", path, manager, days, **{"Idempotency-Key": "absence-1"})
    other = api.call("POST", path, manager, {**days, "to": days["from"]},
                     **{"Idempotency-Key": "absence-1"})
    backwards = api.call("POST", path, manager, {"from": days["to"], "to": days["from"]})

    assert (first.status, again.status) == (201, 201)
    assert again.body["absence_id"] == first.body["absence_id"]
    assert other.status == 409
    assert backwards.status == 422
    assert backwards.body["errors"] == [{"field": "to", "message": "The last day away must be "
                                         "the same as or after the first day away"}]
    listed = api.call("GET", path, manager).body
    assert [(a["from"], a["to"]) for a in listed["items"]] == [(days["from"], days["to"])]
    assert [a["change"] for a in listed["audit"]] == ["absence_added"]


def test_only_an_absence_still_to_come_can_be_cancelled(cloud: Cloud, api: Api) -> None:
    manager = cloud.token(Role.MANAGER)
    path = "/coaches/coach-bilal/absences"
    started = away(api, cloud, "coach-bilal", date.today(), date.today() + timedelta(days=2))
    to_come = away(api, cloud, "coach-bilal", date.today() + timedelta(days=9),
                   date.today() + timedelta(days=9))

    refused = api.call("POST", f"{path}/{started['absence_id']}/cancel", manager, {})
    cancelled = api.call("POST", f"{path}/{to_come['absence_id']}/cancel", manager, {})
    unknown = api.call("POST", f"{path}/no-such-absence/cancel", manager, {})

    assert refused.status == 409
    assert cancelled.status == 200
    assert [a["absence_id"] for a in cancelled.body["items"]] == [started["absence_id"]]
    assert [a["change"] for a in cancelled.body["audit"]] == [
        "absence_cancelled", "absence_added", "absence_added"]
    assert unknown.status == 404
