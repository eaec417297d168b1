"""Ending a referral, whoever ends it: the workflow, a coach, the practice or the patient.

Ending always does the same clean-up, in the same order: the status write first (so every
task handler that runs afterwards refuses to act), then capacity, diary slot and the
one-active-referral marker.
"""

from __future__ import annotations

from typing import Any

from workingbetter.domain.referral import TERMINAL, ExitReason, Status
from workingbetter.store import ConditionFailed, Event, Item, Store


def finish(
    store: Store,
    referral_id: str,
    status: Status,
    event: Event,
    *,
    exit_reason: ExitReason | None = None,
    only_if: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Item:
    """Move a live referral to a terminal status and release what it held.

    Raises ConditionFailed if the referral had already ended (or `only_if` no longer holds).
    """
    assert status in TERMINAL
    fields: dict[str, Any] = {"status": str(status), **(extra or {})}
    if exit_reason is not None:
        fields["exit_reason"] = str(exit_reason)
    item = store.update(
        referral_id, event, set_fields=fields,
        remove=["awaiting", "task_token", "waitlist_pk", "attention"], only_if=only_if,
    )
    release(store, item)
    return item


def release(store: Store, item: Item) -> None:
    """Free everything an ended referral held. Safe to repeat: each part happens once."""
    referral_id = item["referral_id"]
    if item.get("coach_id"):
        store.release_capacity(referral_id, item["coach_id"])
        appointment = item.get("appointment")
        if appointment and appointment.get("start"):
            store.free_slot(item["coach_id"], appointment["start"], referral_id)
    store.end_patient_marker(item["patient_key"], referral_id)


__all__ = ["ConditionFailed", "finish", "release"]
