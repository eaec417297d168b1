"""What a practice may see of a referral (domain/disclosure.py), status by status: with the
patient's consent everything; without it the referral itself and never the patient's part."""

from __future__ import annotations

import pytest

from workingbetter.domain import disclosure
from workingbetter.domain.records.referral import Appointment, Referral, TimelineEvent
from workingbetter.domain.referral import ExitReason, Status

STEPS = [("referral_received", Status.RECEIVED), ("coach_allocated", Status.ALLOCATED),
         ("appointment_booked", Status.APPOINTMENT_BOOKED),
         ("first_appointment_attended", Status.IN_SUPPORT), ("job_started", Status.IN_WORK),
         ("in_work_13_weeks", Status.IN_WORK), ("job_ended_before_week_26", Status.EXITED),
         ("personal_data_erased", Status.EXITED)]


def walked(to: int, shares: bool) -> Referral:
    timeline = tuple(TimelineEvent(f"2026-01-{i + 1:02}T09:00:00.000000Z", event, "x")
                     for i, (event, _) in enumerate(STEPS[:to + 1]))
    status = STEPS[to][1]
    return Referral("r", timeline[0].at, status, "F83001", updated_at=timeline[-1].at,
                    timeline=timeline, share_outcome_with_gp=shares,
                    appointment=Appointment("2026-01-10T09:00:00.000000Z", "F83001"),
                    exit_reason=ExitReason.JOB_ENDED if status is Status.EXITED else None)


@pytest.mark.parametrize("to", range(len(STEPS)))
def test_without_consent_a_practice_sees_the_referral_and_not_the_patients_part(
        to: int) -> None:
    item = walked(to, shares=False)
    seen = disclosure.by_practice(item)
    events = [e.event for e in seen.timeline]
    assert set(events) <= disclosure.ABOUT_THE_REFERRAL | {disclosure.SUPPORT_ENDED}
    assert seen.updated_at == seen.timeline[-1].at
    assert (seen.appointment, seen.exit_reason, seen.outcome_shared) == (None, None, False)
    if item.status in disclosure.WITH_THE_SERVICE:
        assert (seen.stage, seen.task_status) == ("ACCEPTED", "accepted")
    else:
        assert seen.stage == item.status
    if item.status is Status.EXITED:
        # It ended when the job ended (the 6th of January), not when the details went.
        assert ("2026-01-07T09:00:00.000000Z", "support_ended") in \
            [(e.at, e.event) for e in seen.timeline]
        assert seen.ended_at == seen.updated_at


@pytest.mark.parametrize("to", range(len(STEPS)))
def test_with_consent_a_practice_sees_what_the_coach_sees(to: int) -> None:
    item = walked(to, shares=True)
    assert disclosure.by_practice(item) == disclosure.in_full(item)
    assert disclosure.in_full(item).stage == item.status


def test_a_practice_filters_by_what_it_sees_of_every_referral() -> None:
    assert disclosure.statuses_for_filter("ACCEPTED", practice_sees=True) == \
        disclosure.WITH_THE_SERVICE
    assert disclosure.statuses_for_filter("WAITLISTED", practice_sees=True) == \
        (Status.WAITLISTED,)
    with pytest.raises(ValueError, match="filter by ACCEPTED"):
        disclosure.statuses_for_filter("IN_WORK", practice_sees=True)
    assert disclosure.statuses_for_filter("IN_WORK", practice_sees=False) == (Status.IN_WORK,)
