"""Moving one booked appointment to another time, perhaps with another coach, the patient
told by their channel. A coach's absence moves what falls on their days away (services/
cover.py); a referral moving to another coach takes its appointments to the new coach's diary
(services/caseload_moves.py). Each move holds the new time first, then writes, then frees the
old time: a move that loses a race gives its new time back and changes nothing.

A run waiting for a first appointment's outcome has a time limit worked out at booking, which a
later appointment would outrun. So the move is the outcome step's answer "rebook" (as a
cancellation is), with the new appointment already on the referral: the run books again, finds
it (a retry's path), and waits with a limit worked out from the new time. A stalled run is
carried on by a new run the same way (`lifecycle.answer`).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workingbetter.adapters.dynamo import ConditionFailed, Event, now_iso
from workingbetter.adapters.store import Store
from workingbetter.domain import diary, slots
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.diary import FollowUp
from workingbetter.domain.records.directory import Coach
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.services import diary_slots
from workingbetter.services.diary_slots import DiaryFull

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.lifecycle import Lifecycle
    from workingbetter.settings import Settings  # pydantic-settings: only when read

SYSTEM = "system"


class Moves:
    def __init__(self, store: Store, settings: Settings, notices: Notices,
                 lifecycle: Lifecycle) -> None:
        self.store = store
        self.settings = settings
        self.notices = notices
        self.lifecycle = lifecycle

    def first(self, item: Referral, held_by: str, actor: str, to: Coach | None = None) -> bool:
        """The first appointment (its time held in `held_by`'s diary) to `to`'s next free
        slot, or without `to` to the soonest free slot of the practice's coaches (the
        referral's own coach first on a tie). False if it ended, was answered or moved
        meanwhile; DiaryFull if nobody has a free slot."""
        booked = item.appointment
        assert booked is not None
        own = str(item.coach_id)
        # A longer appointment moves as one: both its slots, together.
        with_coach, held = self._hold(item, booked.practice_ods, own, to, len(booked.held))
        start_iso = held[0]
        now = datetime.now(UTC)
        moved = replace(booked, start=start_iso, coach_id=None if with_coach == own else
                        with_coach, due_at=slots.iso(self.settings.on_real_clock(
                            slots.parse_iso(start_iso), now)),
                        also=held[1] if len(held) > 1 else None)
        event = Event("appointment_moved", actor, {"start": start_iso,
                                                   "cover": with_coach != own})
        try:
            if item.awaiting == Awaiting.APPOINTMENT_OUTCOME:
                updated = self.lifecycle.answer(item, Awaiting.APPOINTMENT_OUTCOME,
                                                {"next": "rebook"}, event,
                                                change=ReferralChange(appointment=moved))
            else:  # between booking and waiting: the run's wait is chased if it runs out
                updated = self.store.referrals.update(item.referral_id, event,
                                            ReferralChange(appointment=moved),
                                            only_if=ReferralChange(appointment=booked))
        except ConditionFailed:
            self.store.diary.free_slots(with_coach, held, item.referral_id)
            return False  # answered, ended or moved meanwhile: theirs to settle
        self.store.diary.free_slots(held_by, booked.held, item.referral_id)
        self.notices.moved(updated, start_iso, first=True)
        return True

    def _hold(self, item: Referral, practice_ods: str, own: str, to: Coach | None,
              length: int) -> tuple[str, tuple[str, ...]]:
        """(coach, starts) of the `length` consecutive slots taken for the referral."""
        if to is not None:
            return to.coach_id, diary_slots.hold_next_run(
                self.store, to, practice_ods, item.referral_id, datetime.now(UTC), length)
        practice = self.store.directory.practice(practice_ods)
        ids = [own, *(c for c in (practice.coach_ids if practice else ()) if c != own)]
        now = datetime.now(UTC)
        for _ in range(5):
            offers = [(start, coach) for coach in self.store.directory.coaches(ids)
                      if not coach.left
                      and (start := diary_slots.next_free_slot(self.store, coach, practice_ods,
                                                                  now, length=length))]
            if not offers:
                break
            start, coach = min(offers, key=lambda o: (o[0], o[1].coach_id != own))
            run = tuple(slots.iso(t) for t in slots.following(
                coach.sessions_at(practice_ods), start, length))
            if diary_slots.hold_all(self.store, coach.coach_id, run, item.referral_id):
                return coach.coach_id, run
        raise DiaryFull(practice_ods)

    def follow_up(self, item: Referral, row: FollowUp, to: Coach, actor: str) -> bool:
        """A follow-up to `to`'s next free session slot (its own coach's, for an absence; the
        new coach's, when the referral moves). False if recorded or moved meanwhile."""
        start_iso = diary_slots.hold_next_slot(self.store, to, item.practice_ods,
                                               item.referral_id, datetime.now(UTC))
        now = datetime.now(UTC)
        due_at = slots.iso(self.settings.on_real_clock(slots.parse_iso(start_iso), now))
        if not self.store.diary.follow_up_outcome(row.coach_id, row.start, item.referral_id,
                                            "moved", actor):
            self.store.diary.free_slot(to.coach_id, start_iso, item.referral_id)
            return False
        self.store.diary.book_follow_up(replace(row, coach_id=to.coach_id, start=start_iso,
                                          due_at=due_at, booked_at=now_iso(), booked_by=actor))
        self.store.diary.free_slot(row.coach_id, row.start, item.referral_id)
        notices = self.notices
        notices.follow_up_over(item, diary.follow_up_id(row.start), "moved")
        notices.follow_up_booked(item, start_iso, diary.follow_up_id(start_iso))
        notices.moved(item, start_iso, first=False)
        with contextlib.suppress(ConditionFailed):  # ended a moment ago: the diary keeps it
            self.store.referrals.add_fact(item.referral_id, Event("follow_up_moved", SYSTEM,
                                                        {"mode": row.mode}))
        return True
