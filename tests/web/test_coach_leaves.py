"""A coach leaves: the service manager hands each referral of their caseload (by reference,
never the patient) to a coach at the practice with a free place, or to the waiting list; the
coach is marked as left and gets no new referral; each patient is told; the counters stay
exact, so the daily reconcile finds nothing to repair. A referral handed to the waiting list
waits on the real state machine, ahead of anyone referred after it, and the next free place
goes to it."""

from __future__ import annotations

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.integration.test_follow_ups import rows
from tests.integration.test_withdrawal import withdraw
from tests.web.pages import Page, Pages
from tests.web.test_referral_moves import nothing_to_repair, other_coach
from workingbetter.domain.referral import Status

pytestmark = pytest.mark.integration


def three_referrals(cloud: Cloud, api: Api) -> tuple[str, list[str], str, list[str]]:
    """With a cap of 2 at F83001: (the coach with two, their referrals, the other coach with
    one free place, their referral)."""
    made = []
    for n in range(3):
        referral_id = api.refer("F83001", patient__nhs_number=VALID_NHS_NUMBERS[n])
        cloud.wait_for(referral_id, lambda i: i.appointment is not None)
        made.append(cloud.referral(referral_id))
    by_coach: dict[str, list[str]] = {}
    for item in made:
        by_coach.setdefault(str(item.coach_id), []).append(item.referral_id)
    leaver = next(c for c, held in by_coach.items() if len(held) == 2)
    other = other_coach(cloud, leaver)
    return leaver, by_coach[leaver], other, by_coach[other]


def hand_over(pages: Pages, leaver: str, choices: dict[str, str]) -> Page:
    path = f"/manage/coaches/{leaver}/leave"
    shown = pages.get(path)
    assert shown.status == 200, shown.text
    return pages.post(path, {**shown.keys_of(path),
                             **{f"to-{r}": to for r, to in choices.items()}})


@pytest.mark.service_days(caseload_cap=2)
def test_a_leaving_coach_hands_over_to_a_colleague_and_the_waiting_list_and_nothing_needs_repair(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    leaver, theirs, other, _ = three_referrals(cloud, api)
    first, second = sorted(theirs, key=lambda r: cloud.referral(r).created_at)
    pages.sign_in("manager")

    shown = pages.get(f"/manage/coaches/{leaver}/leave")
    for referral_id in theirs:
        assert str(cloud.referral(referral_id).reference) in shown.text
    assert "Ada" not in shown.text and "Testperson" not in shown.text  # noqa: PT018
    assert f'href="/manage/referrals/{first}/move"' in shown.text  # or move just one
    done = hand_over(pages, leaver, {first: other, second: "waitlist"})

    assert done.status == 303, done.error_summary()
    assert "1 handed to other coaches, 1 on the waiting list" in pages.follow(done).text
    assert cloud.coach(leaver).left
    assert (cloud.coach(leaver).active, cloud.coach(other).active) == (0, 2)
    assert cloud.referral(first).coach_id == other
    waiting = cloud.wait_for(second, lambda i: i.status == Status.WAITLISTED
                             and i.awaiting == "capacity" and bool(i.task_token),
                             what="waiting for a place in a new run")
    assert waiting.coach_id is None
    assert any(n.startswith(f"appointment_new_coach:{other}.") for n in rows(cloud, first))
    assert any(n.startswith("appointment_coach_left:") for n in rows(cloud, second))
    assert cloud.store.diary.slots_between(leaver, "2000", "9999") == []
    nothing_to_repair(cloud)
    assert "Left the service (2 referrals handed over), by" in \
        pages.get(f"/manage/coaches/{leaver}/absences").text
    # Nobody new goes to the coach who left; the next free place goes to the one handed back.
    later = api.refer("F83001", patient__nhs_number=VALID_NHS_NUMBERS[3])
    cloud.wait_for(later, lambda i: i.status == Status.WAITLISTED and bool(i.task_token))
    withdraw(api, first)
    placed = cloud.wait_for(second, lambda i: i.appointment is not None
                            and i.status == Status.APPOINTMENT_BOOKED
                            and i.coach_id == other, what="the handed-back referral placed")
    assert placed.appointment is not None and not placed.appointment.outcome  # noqa: PT018
    assert cloud.referral(later).status == Status.WAITLISTED
    assert cloud.coach(leaver).active == 0
    nothing_to_repair(cloud)


@pytest.mark.service_days(caseload_cap=2)
def test_a_hand_over_with_a_referral_unchosen_or_too_many_for_a_coach_changes_nothing(
        pages: Pages, cloud: Cloud) -> None:
    api = Api(cloud)
    leaver, theirs, other, _ = three_referrals(cloud, api)
    first, second = sorted(theirs, key=lambda r: cloud.referral(r).created_at)
    pages.sign_in("manager")

    unchosen = hand_over(pages, leaver, {first: other})
    too_many = hand_over(pages, leaver, {first: other, second: other})

    assert unchosen.status == 422
    assert unchosen.error_summary() == [
        (f"#to-{second}", "Choose a coach with a free place, or the waiting list")]
    assert too_many.error_summary() == [
        (f"#to-{second}", "That coach has 1 free place: choose another, or the waiting list")]
    assert not cloud.coach(leaver).left
    assert (cloud.coach(leaver).active, cloud.coach(other).active) == (2, 1)
    assert {cloud.referral(r).coach_id for r in theirs} == {leaver}
