"""Items become typed records and back: numbers as int, lists as tuples, enums as enums."""

from __future__ import annotations

from decimal import Decimal

from workingbetter.adapters.item_codec import decode, encode
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.referral import (
    Appointment,
    Referral,
    ReferralChange,
    TimelineEvent,
)
from workingbetter.domain.referral import Status


def test_an_item_reads_as_a_typed_referral_and_leaves_its_keys_behind() -> None:
    referral = decode(Referral, {
        "pk": "REFERRAL#r1", "sk": "REFERRAL", "referral_id": "r1", "status": "IN_SUPPORT",
        "created_at": "2030-01-01T00:00:00Z", "practice_ods": "F83001",
        "awaiting": "review", "chases": Decimal(2), "runs": ["r1"],
        "appointment": {"start": "2030-01-08T09:00:00Z", "practice_ods": "F83001",
                        "number": Decimal(1)},
        "timeline": [{"at": "2030-01-01T00:00:00Z", "event": "referral_received", "by": "x"}]})

    assert referral.status is Status.IN_SUPPORT
    assert referral.awaiting is Awaiting.REVIEW
    assert referral.chases == 2
    assert type(referral.chases) is int
    assert referral.runs == ("r1",)
    assert referral.appointment == Appointment("2030-01-08T09:00:00Z", "F83001", 1)
    assert referral.timeline == (TimelineEvent("2030-01-01T00:00:00Z", "referral_received",
                                               "x"),)
    assert referral.coach_id is None
    assert referral.missed_in_a_row == 0


def test_records_are_written_as_plain_maps_without_their_empty_fields() -> None:
    assert encode(Appointment("2030-01-08T09:00:00Z", "F83001", 2)) == {
        "start": "2030-01-08T09:00:00Z", "practice_ods": "F83001", "number": 2}
    assert encode(Status.EXITED) == "EXITED"
    assert encode(("a", "b")) == ["a", "b"]


def test_a_change_names_only_what_it_sets_or_removes() -> None:
    change = ReferralChange(status=Status.TRIAGE, task_token=None)

    assert change.given() == {"status": Status.TRIAGE, "task_token": None}
    assert change.merged(ReferralChange(task_token="t")).given() == {
        "status": Status.TRIAGE, "task_token": "t"}
