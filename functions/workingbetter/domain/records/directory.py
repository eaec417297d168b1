"""The directory: practices, the coaches who sit in them, and their surgery sessions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Session:
    """A coach's weekly session at a practice, as the practice lists it: which coaches work
    there (kept with the coach's `SurgerySession`s in the same transaction)."""

    coach_id: str
    weekday: int


@dataclass(frozen=True, slots=True)
class SurgerySession:
    """A coach's weekly surgery session: appointments of `minutes` from `start` (UK wall-clock
    "HH:MM"), each ending by `end`."""

    practice_ods: str
    weekday: int  # 0 = Monday
    start: str
    end: str
    minutes: int = 60


# A coach from before sessions were set on the pages sits in surgery on their weekday with
# the usual day: one-hour appointments, lunch left free (two sessions, either side of it).
USUAL_DAY = (("09:30", "12:30"), ("13:30", "16:30"))
FULL_TIME_DAYS = 5


def usual_day(weekday: int, practice_ods: str = "") -> tuple[SurgerySession, ...]:
    return tuple(SurgerySession(practice_ods, weekday, start, end) for start, end in USUAL_DAY)


class PracticeStatus(StrEnum):
    """Whether a practice takes new referrals (its open referrals carry on in every one)."""

    TAKING = "taking"
    PAUSED = "paused"  # for a while, with the manager's reason
    LEFT = "left"  # it has left the pilot


@dataclass(frozen=True, slots=True)
class Practice:
    practice_ods: str
    name: str
    sessions: tuple[Session, ...] = ()
    email: str = ""  # its generic mailbox, for feedback
    address: str = ""  # where patients go to their appointments
    phone: str = ""  # whom patients call
    rooms: tuple[str, ...] = ()  # the rooms it lends the coaches, by name
    status: PracticeStatus = PracticeStatus.TAKING
    paused_reason: str = ""  # the service manager's words, shown on the referral form

    @property
    def coach_ids(self) -> tuple[str, ...]:
        """The coaches with a session here, each once (one may sit here on several days)."""
        return tuple(dict.fromkeys(s.coach_id for s in self.sessions))


@dataclass(frozen=True, slots=True)
class Coach:
    coach_id: str
    practice_ods: str  # their first session's practice ("" with none)
    weekday: int  # and its weekday
    active: int = 0  # places taken in their caseload
    name: str = ""  # as staff know them (a member of staff's name: never a patient's)
    calendar_key: str | None = None  # the SHA-256 of their calendar link's secret
    # Their sessions as the service manager set them; None for a coach from before (a seed
    # row without times): the usual day at `practice_ods` on `weekday`.
    sessions: tuple[SurgerySession, ...] | None = None
    days_a_week: int = FULL_TIME_DAYS  # the days they work for the service: scales their cap
    left: bool = False  # left the service: given no referral, offered to nobody

    @property
    def surgery_sessions(self) -> tuple[SurgerySession, ...]:
        if self.sessions is not None:
            return self.sessions
        return usual_day(self.weekday, self.practice_ods) if self.practice_ods else ()

    @property
    def practices(self) -> tuple[str, ...]:
        """The practices they sit in (their first session's first)."""
        return tuple(dict.fromkeys(s.practice_ods for s in self.surgery_sessions))

    def sessions_at(self, practice_ods: str) -> tuple[SurgerySession, ...]:
        return tuple(s for s in self.surgery_sessions if s.practice_ods == practice_ods)

    def cap(self, full_time: int) -> int:
        """Their caseload cap: the full-time cap scaled by the days they work, rounded half
        up, at least 1 (IPS: 20 for a full-time coach, so 8 for two days)."""
        return max(1, (full_time * self.days_a_week * 2 + FULL_TIME_DAYS) // (2 * FULL_TIME_DAYS))

