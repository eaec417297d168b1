"""A patient who needs a longer appointment (a communication need) is booked two consecutive
slots of one session, both held for them so nobody else is booked into the second; both are
given back together when the appointment is cancelled or the referral ends, and move together
when their coach's absence moves the appointment. Driven through the JSON API on the real
state machine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.api_client import Api, appointment
from tests.conftest import Cloud
from tests.integration.test_cover import PRACTICE, away, day_of
from tests.integration.test_withdrawal import withdraw
from workingbetter.domain import slots
from workingbetter.domain.records.referral import Appointment, Referral

pytestmark = pytest.mark.integration

LONGER = [{"need": "longer_appointment"}]


def booked_longer(cloud: Cloud, api: Api) -> Referral:
    referral_id = api.refer(PRACTICE, patient__communication_needs=LONGER)
    return cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome"
                          and bool(i.task_token), what="booked")


def held(cloud: Cloud, coach_id: str, referral_id: str) -> list[str]:
    return [s.start for s in cloud.store.diary.slots_between(coach_id, "2000", "9999")
            if s.referral_id == referral_id]


def consecutive(first: Appointment) -> bool:
    assert first.also is not None
    gap = slots.parse_iso(first.also) - slots.parse_iso(first.start)
    return timedelta(0) < gap <= timedelta(hours=2)


def test_a_longer_appointment_holds_two_consecutive_slots_and_counts_as_met(
        cloud: Cloud, api: Api) -> None:
    item = booked_longer(cloud, api)
    first = appointment(item)

    assert consecutive(first)
    assert held(cloud, str(item.coach_id), item.referral_id) == [first.start, first.also]
    assert item.needs_met == ("longer_appointment",)


def test_withdrawing_gives_back_both_slots(cloud: Cloud, api: Api) -> None:
    item = booked_longer(cloud, api)
    assert len(held(cloud, str(item.coach_id), item.referral_id)) == 2
    withdraw(api, item.referral_id)

    assert held(cloud, str(item.coach_id), item.referral_id) == []


def test_an_absence_moves_both_slots_together(cloud: Cloud, api: Api) -> None:
    item = booked_longer(cloud, api)
    own = str(item.coach_id)
    first = appointment(item)

    away(api, cloud, own, date.today(), day_of(first.start) + timedelta(weeks=3))

    moved = cloud.wait_for(item.referral_id, lambda i: i.appointment is not None
                           and i.appointment.start != first.start, what="moved")
    now = appointment(moved)
    assert consecutive(now)
    assert held(cloud, own, item.referral_id) == []
    assert held(cloud, now.with_coach(own), item.referral_id) == [now.start, now.also]
