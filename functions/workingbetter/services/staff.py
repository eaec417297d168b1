"""Who works where, by name: the practices and the coaches their sessions name. Staff records
only (never a patient's), read at most once every KEPT_SECONDS per container, since every page's
header names the practice and they change a few times a year."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workingbetter.adapters.directory import Directory as Records
    from workingbetter.domain.records.directory import Coach, Practice

KEPT_SECONDS = 300.0  # a practice or coach added or renamed shows within this


@dataclass(frozen=True)
class Directory:
    practices: dict[str, Practice]
    coaches: dict[str, Coach]


class Staff:
    def __init__(self, directory: Records, clock: Callable[[], float] = time.monotonic) -> None:
        self.records = directory
        self.clock = clock
        self._kept: tuple[float, Directory] | None = None

    def directory(self, fresh: bool = False) -> Directory:
        """One Query for the practices and one BatchGetItem for their coaches, when the copy
        kept is older than KEPT_SECONDS, or when `fresh` asks: what a manager added a moment
        ago must be there to choose (an invitation to the practice they just added)."""
        kept, now = self._kept, self.clock()
        if not fresh and kept is not None and now - kept[0] < KEPT_SECONDS:
            return kept[1]
        practices = {p.practice_ods: p for p in self.records.practices()}
        coaches = self.records.coaches(
            [s.coach_id for p in practices.values() for s in p.sessions])
        found = Directory(practices, {c.coach_id: c for c in coaches})
        self._kept = (now, found)
        return found

    def practice(self, practice_ods: str) -> Practice | None:
        """One practice as it is now (a consistent read, not the kept copy)."""
        return self.records.practice(practice_ods)

    def coach(self, coach_id: str) -> Coach | None:
        """One coach as they are now: their caseload count and calendar link included."""
        return self.records.coach(coach_id)
