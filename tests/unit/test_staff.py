"""The names of practices and coaches are read once and kept a while: every page's header
names them, and they change a few times a year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from workingbetter.adapters.directory import Directory
from workingbetter.domain.records.directory import Coach, Practice, Session
from workingbetter.services.staff import KEPT_SECONDS, Staff


class Records:
    """The staff records a store holds, counting each read."""

    def __init__(self) -> None:
        self.reads = 0
        self.name = "City Road Medical Centre"

    def practices(self) -> list[Practice]:
        self.reads += 1
        return [Practice("F83001", self.name, (Session("coach-amara", 0),))]

    def coaches(self, coach_ids: Sequence[str]) -> list[Coach]:
        self.reads += 1
        return [Coach(c, "F83001", 0, name="Amara Okafor") for c in coach_ids]


def test_names_are_read_once_then_again_when_they_have_been_kept_long_enough() -> None:
    records, now = Records(), [1000.0]
    staff = Staff(cast(Directory, records), clock=lambda: now[0])

    first = staff.directory()
    records.name = "City Road Surgery"
    now[0] += KEPT_SECONDS - 1
    kept = staff.directory()
    now[0] += 2
    later = staff.directory()

    assert first.coaches["coach-amara"].name == "Amara Okafor"
    assert kept.practices["F83001"].name == "City Road Medical Centre"
    assert later.practices["F83001"].name == "City Road Surgery"
    assert records.reads == 4  # practices and coaches, twice
