"""Where an appointment can go in a coach's diary: the one place that asks "the next free slot
for this coach at this practice after X", skipping the days they are away. First bookings,
rebookings and the cover of an absence all ask here, so that nothing is booked into an absence.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from workingbetter.adapters.absences import Absences
from workingbetter.adapters.store import Store
from workingbetter.domain import slots
from workingbetter.domain.absence import Absence, away
from workingbetter.domain.errors import TaskRefused
from workingbetter.domain.records.directory import Coach

WEEKS_AHEAD = 12  # how far past `after` a diary is searched before it counts as full


class DiaryFull(TaskRefused):
    """No free slot within `WEEKS_AHEAD`."""


def absences(store: Store, coach_id: str) -> list[Absence]:
    return Absences(store.tables.table).of(coach_id)


def next_free_slot(store: Store, coach: Coach, practice_ods: str, after: datetime,
                   skip: frozenset[datetime] = frozenset(), length: int = 1) -> datetime | None:
    """The first slot of the coach's sessions at the practice at least `slots.MIN_NOTICE`
    after `after` that nobody holds, on a day they are not away; None if none within
    `WEEKS_AHEAD` (or they sit in no session there). The diary is one: a time held at any
    practice is taken."""
    sessions = coach.sessions_at(practice_ods)
    held = {slots.parse_iso(s) for s in store.diary.booked_slots(coach.coach_id, slots.iso(after))}
    away_days = absences(store, coach.coach_id)
    horizon = after + timedelta(weeks=WEEKS_AHEAD)
    # The days away count as taken: the session's own rule (`slots.next_free_slot`) does the rest.
    closed = {start for start in itertools.takewhile(
        lambda start: start <= horizon, slots.candidate_slots(sessions, after))
        if away(away_days, start.astimezone(slots.UK).date())}
    return slots.next_free_slot(sessions, after, held | skip | closed, WEEKS_AHEAD, length)


def hold_next_slot(store: Store, coach: Coach, practice_ods: str, referral_id: str,
                   after: datetime) -> str:
    """Claim the next free slot (see `next_free_slot`) for the referral; its start."""
    return hold_next_run(store, coach, practice_ods, referral_id, after)[0]


def hold_next_run(store: Store, coach: Coach, practice_ods: str, referral_id: str,
                  after: datetime, length: int = 1) -> tuple[str, ...]:
    """Claim the next `length` consecutive free slots of one session (2: a longer
    appointment) for the referral, all or none; their starts."""
    if not coach.sessions_at(practice_ods):
        raise TaskRefused("coach has no session at the practice")
    lost: set[datetime] = set()
    while True:
        start = next_free_slot(store, coach, practice_ods, after, frozenset(lost), length)
        if start is None:
            raise DiaryFull("coach diary full")
        run = tuple(slots.iso(t) for t in slots.following(coach.sessions_at(practice_ods),
                                                          start, length))
        if hold_all(store, coach.coach_id, run, referral_id):
            return run
        lost.add(start)  # taken between our read and our write


def hold_all(store: Store, coach_id: str, starts: tuple[str, ...], referral_id: str) -> bool:
    """Hold each slot, or (one taken meanwhile) give back those held and hold none."""
    held = list(itertools.takewhile(
        lambda start: store.diary.hold_slot(coach_id, start, referral_id), starts))
    if len(held) == len(starts):
        return True
    store.diary.free_slots(coach_id, held, referral_id)
    return False
