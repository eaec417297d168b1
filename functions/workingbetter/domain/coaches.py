"""The coaches and their surgery sessions (staff records, never a patient's): what a service
manager did to a coach (the audit on their page), sessions in plain words, the rules a new
session must keep, and each practice's list of the coaches who sit there. Pure: values in,
values out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from workingbetter.domain import dates, slots
from workingbetter.domain.records.directory import Coach, Session, SurgerySession

SESSIONS_MAX = 10  # a coach's weekly sessions: two a day, with room to spare


class CoachChange(StrEnum):
    """What a manager did to a coach (an audit entry names one)."""

    ADDED = "added"
    EDITED = "edited"
    SESSION_ADDED = "session_added"
    SESSION_REMOVED = "session_removed"


@dataclass(frozen=True)
class CoachAuditEntry:
    coach_id: str
    at: datetime
    change: CoachChange
    by: str  # the manager's person id


def clock_words(text: str) -> str:
    """A session's "09:30" as people read it: "9:30am" (and "1pm", "midday")."""
    return dates.clock(slots.clock(text))


def session_words(session: SurgerySession, practice_name: str) -> str:
    """"Tuesdays 9:30am to 4:30pm at Goodinge Group Practice"."""
    return (f"{slots.WEEKDAYS[session.weekday].capitalize()}s {clock_words(session.start)} to "
            f"{clock_words(session.end)} at {practice_name}")


def in_order(sessions: Iterable[SurgerySession]) -> tuple[SurgerySession, ...]:
    return tuple(sorted(sessions, key=lambda s: (s.weekday, s.start, s.practice_ods)))


def overlaps(new: SurgerySession, sessions: Sequence[SurgerySession]) -> SurgerySession | None:
    """The coach's session the new one overlaps (on the same weekday, at any practice)."""
    return next((s for s in sessions if s.weekday == new.weekday
                 and slots.clock(s.start) < slots.clock(new.end)
                 and slots.clock(new.start) < slots.clock(s.end)), None)


def practice_sessions(practice_ods: str, was: Sequence[Session],
                      coaches: Iterable[Coach]) -> tuple[Session, ...]:
    """The practice's list of its coaches' sessions (a coach once a weekday) once `coaches`
    are as given: theirs replaced, every other coach's as it was."""
    changed = {c.coach_id: c for c in coaches}
    kept = [s for s in was if s.coach_id not in changed]
    new = [Session(c.coach_id, day) for c in changed.values()
           for day in sorted({s.weekday for s in c.sessions_at(practice_ods)})]
    return tuple(kept + new)


def coach_json(coach: Coach, full_time: int) -> dict[str, object]:
    """A coach as the manager's JSON API answers (staff records: no patient)."""
    return {"coach_id": coach.coach_id, "name": coach.name, "days_a_week": coach.days_a_week,
            "cap": coach.cap(full_time), "places_taken": coach.active,
            "sessions": [{"practice_ods": s.practice_ods, "weekday": s.weekday,
                          "start": s.start, "end": s.end, "minutes": s.minutes}
                         for s in in_order(coach.surgery_sessions)]}
