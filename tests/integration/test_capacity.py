"""Coach capacity: a coach never holds more than the caseload cap, and a freed place goes to
the longest-waiting referral at the practice without any polling."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from workingbetter.handlers import tasks

pytestmark = pytest.mark.integration

# Goodinge Group Practice (F83002) has one coach, coach-chloe.
PRACTICE = "F83002"


@pytest.mark.service_days(caseload_cap=2)
def test_a_coach_never_holds_more_than_the_cap_under_concurrent_referrals(
        cloud: Cloud, api: Api) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def refer(nhs: str) -> None:
        referral_id = api.refer(PRACTICE, patient__nhs_number=nhs)
        with lock:
            ids.append(referral_id)

    threads = [threading.Thread(target=refer, args=(n,)) for n in VALID_NHS_NUMBERS[:5]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    settled = [cloud.wait_for(rid, lambda i: i.awaiting in {"appointment_outcome",
                                                                    "capacity"})
               for rid in ids]
    statuses = sorted(i.status for i in settled)
    assert statuses == ["APPOINTMENT_BOOKED"] * 2 + ["WAITLISTED"] * 3
    coach = cloud.store.directory.coach("coach-chloe")
    assert coach is not None
    assert coach.active == 2
    starts = [i.appointment.start for i in settled if i.appointment]
    assert len(set(starts)) == 2  # never double-booked


@pytest.mark.service_days(caseload_cap=1)
def test_a_freed_place_goes_to_the_longest_waiting_referral(cloud: Cloud, api: Api) -> None:
    first = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[1])
    api.awaiting(first, "appointment_outcome")
    waiting = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[2])
    item = api.awaiting(waiting, "capacity")
    assert item.status == "WAITLISTED"
    later = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[3])
    api.awaiting(later, "capacity")
    ops_view = api.get(waiting, api.ops()).body
    assert (ops_view["status"], ops_view["awaiting"]) == ("WAITLISTED", "capacity")

    reply = api.call("POST", f"/referrals/{first}/withdraw", api.referrer(PRACTICE), {})
    assert reply.status == 200

    booked = api.awaiting(waiting, "appointment_outcome")
    assert booked.status == "APPOINTMENT_BOOKED"
    assert booked.coach_id == "coach-chloe"
    still = cloud.store.referrals.get(later)
    assert still is not None
    assert still.status == "WAITLISTED"
    coach = cloud.store.directory.coach("coach-chloe")
    assert coach is not None
    assert coach.active == 1


@pytest.mark.service_days(caseload_cap=1)
def test_a_place_freed_while_a_referral_joins_the_waitlist_goes_to_it(
        cloud: Cloud, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The place is freed after the allocation found none and before the referral's run
    parks on the waitlist: nobody was on the list to offer it to (found by the fault test)."""
    first = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[1])
    api.awaiting(first, "appointment_outcome")
    park = tasks.await_step

    def freed_just_before_parking(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("awaiting") == "capacity":
            reply = api.call("POST", f"/referrals/{first}/withdraw", api.referrer(PRACTICE),
                             {})
            assert reply.status == 200
        return park(event, context)

    monkeypatch.setattr(tasks, "await_step", freed_just_before_parking)
    waiting = api.refer(PRACTICE, patient__nhs_number=VALID_NHS_NUMBERS[2])

    booked = api.awaiting(waiting, "appointment_outcome")  # long before the waitlist's limit
    assert booked.status == "APPOINTMENT_BOOKED"
    assert booked.coach_id == "coach-chloe"
