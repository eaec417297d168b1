"""The service manager moves one referral to another coach at its practice: its place moves in
one transaction (two moves at once cannot both win; a full coach refuses), its appointments
still to come go to the new coach's diary, the patient is told who their new coach is, and the
daily reconcile finds nothing to repair. The page names the referral by reference, never the
patient. The run goes on with the new coach answering its steps."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.api_client import Api, appointment
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.integration.test_follow_ups import in_support, rows, session_slot
from tests.web.pages import Pages
from workingbetter.domain.auth import Role
from workingbetter.notifications.sending import Sending
from workingbetter.wiring import services

pytestmark = pytest.mark.integration


def other_coach(cloud: Cloud, coach_id: str) -> str:
    practice = cloud.store.directory.practice("F83001")
    assert practice is not None
    return next(s.coach_id for s in practice.sessions if s.coach_id != coach_id)


def nothing_to_repair(cloud: Cloud) -> None:
    report = services().reconciler.run()
    assert report["repaired"] == 0, report


def test_a_manager_moves_a_referral_and_its_follow_up_to_another_coach_on_the_page(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = in_support(api)
    old = str(cloud.referral(referral_id).coach_id)
    surgery = session_slot(cloud, referral_id)
    booked = api.call("POST", f"/referrals/{referral_id}/follow-ups", api.coach(old),
                      {"start": surgery.isoformat(), "mode": "surgery"})
    assert booked.status == 201, booked.body
    new = other_coach(cloud, old)
    page = f"/manage/referrals/{referral_id}/move"
    pages.sign_in("manager")

    shown = pages.get(page)
    assert shown.status == 200, shown.text
    item = cloud.referral(referral_id)
    assert str(item.reference) in shown.text
    assert "Ada" not in shown.text and "Testperson" not in shown.text  # noqa: PT018
    moved = pages.post(page, {**shown.keys_of(page), "coach_id": new})

    assert moved.status == 303, moved.error_summary()
    assert "1 appointment moved to their diary" in pages.follow(moved).text
    assert cloud.referral(referral_id).coach_id == new
    assert (cloud.coach(old).active, cloud.coach(new).active) == (0, 1)
    ahead = [r for r in cloud.store.diary.follow_ups(new, "2000", "9999")
             if r.referral_id == referral_id]
    assert [(r.outcome, r.mode) for r in ahead] == [(None, "surgery")]
    assert [r.outcome for r in cloud.store.diary.follow_ups(old, "2000", "9999")] == ["moved"]
    told = [n for n in rows(cloud, referral_id) if n.startswith("appointment_new_coach:")]
    assert len(told) == 1 and told[0].startswith(f"appointment_new_coach:{new}.")  # noqa: PT018
    assert f"appointment_moved:{ahead[0].start}" in rows(cloud, referral_id)
    sender = FakeSender()
    Sending(cloud.store, sender, sender, cloud.settings).run(
        datetime.now(UTC) + timedelta(seconds=10))
    introduced = [m.body for _, m in sender.sent if m.kind == "appointment_new_coach"]
    assert len(introduced) == 1
    assert f"your Working Better coach is now {cloud.coach(new).name}." in introduced[0]
    nothing_to_repair(cloud)
    # The new coach has the referral: its follow-ups and steps are theirs now.
    diary = api.call("GET", f"/referrals/{referral_id}/profile", api.coach(new))
    assert diary.status == 200, diary.body
    assert api.call("GET", f"/referrals/{referral_id}/profile", api.coach(old)).status == 404
    audit = api.call("GET", f"/coaches/{old}/absences", cloud.token(Role.MANAGER)).body["audit"]
    assert [(a["change"], a["reference"], a["other_coach"], a["moved"]) for a in audit] == [
        ("referral_moved_out", item.reference, new, 1)]
    shown_audit = pages.get(f"/manage/coaches/{new}/absences").text
    assert f"Referral {item.reference} moved in from {old} (1 appointment moved), by" \
        in shown_audit


def test_a_moved_first_appointment_goes_to_the_new_coach_and_the_run_takes_their_outcome(
        cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83001")
    waiting = cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome"
                             and bool(i.task_token))
    new = other_coach(cloud, str(waiting.coach_id))

    moved = api.call("POST", f"/referrals/{referral_id}/coach", cloud.token(Role.MANAGER),
                     {"coach_id": new})

    assert moved.status == 200, moved.body
    assert moved.body["appointments_moved"] == 1
    again = cloud.wait_for(referral_id, lambda i: bool(i.task_token)
                           and i.task_token != waiting.task_token)
    assert appointment(again).coach_id is None  # the new coach's own appointment now
    assert [s.referral_id for s in cloud.store.diary.slots_between(new, "2000", "9999")] \
        == [referral_id]
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"},
                    api.coach(new)).status == 200
    cloud.wait_for(referral_id, lambda i: i.status == "IN_SUPPORT")
    nothing_to_repair(cloud)


def test_a_full_coach_refuses_a_move_and_nothing_changes(cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83001")
    cloud.wait_for(referral_id, lambda i: i.appointment is not None)
    old = str(cloud.referral(referral_id).coach_id)
    new = other_coach(cloud, old)
    assert cloud.store.capacity.set_caseload(new, 0, cloud.settings.caseload_cap)

    refused = api.call("POST", f"/referrals/{referral_id}/coach", cloud.token(Role.MANAGER),
                       {"coach_id": new})

    assert refused.status == 409, refused.body
    assert refused.body["errors"] == [{"field": "coach_id", "message":
                                       "That coach has no free place now: choose another"}]
    assert cloud.referral(referral_id).coach_id == old
    assert cloud.coach(old).active == 1
    assert api.call("GET", f"/coaches/{old}/absences", cloud.token(Role.MANAGER)).body[
        "audit"] == []


def test_two_moves_at_once_cannot_both_win(cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83001")
    cloud.wait_for(referral_id, lambda i: i.appointment is not None)
    old = str(cloud.referral(referral_id).coach_id)
    new = other_coach(cloud, old)
    manager = cloud.token(Role.MANAGER)
    start = threading.Barrier(2)
    answers: list[int] = []

    def move() -> None:
        start.wait()
        answers.append(api.call("POST", f"/referrals/{referral_id}/coach", manager,
                                {"coach_id": new}).status)

    threads = [threading.Thread(target=move) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(answers) in ([200, 200], [200, 409])  # the second sees it done, or loses
    assert (cloud.coach(old).active, cloud.coach(new).active) == (0, 1)
    nothing_to_repair(cloud)


def test_moving_to_a_coach_at_another_practice_names_the_field(cloud: Cloud) -> None:
    api = Api(cloud)
    referral_id = api.refer("F83001")
    cloud.wait_for(referral_id, lambda i: i.appointment is not None)

    refused = api.call("POST", f"/referrals/{referral_id}/coach", cloud.token(Role.MANAGER),
                       {"coach_id": "coach-chloe"})

    assert refused.status == 422
    assert refused.body["errors"][0]["field"] == "coach_id"
