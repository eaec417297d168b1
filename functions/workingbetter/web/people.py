"""Staff by name on the pages: who is signed in (every page's header), and the coaches and
practices the ops pages name and choose among. Names come from the sign-in's `name` and the
practice and coach records (services/staff.py): staff, never a patient; an id is shown only
where no name is known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.slots import WEEKDAYS
from workingbetter.wiring import services

if TYPE_CHECKING:
    from workingbetter.domain.records.directory import Practice
    from workingbetter.services.staff import Directory

ROLE_WORDS = {Role.REFERRER: "practice staff", Role.COACH: "coach", Role.OPS: "service manager",
              Role.COMMISSIONER: "commissioner", Role.MANAGER: "people manager"}


def signed_in_as(who: Principal) -> str:
    """"Priya Shah, practice staff at City Road Medical Centre"; with no name on the sign-in,
    "practice staff at City Road Medical Centre". A coach's name and practice come from their
    coach record when the sign-in has none."""
    known = services().staff.directory()
    name, practice_ods = who.name, who.practice_ods
    coach = known.coaches.get(who.coach_id or "") if who.role is Role.COACH else None
    if coach is not None:
        name, practice_ods = name or coach.name, coach.practice_ods
    practice = known.practices.get(practice_ods or "")
    role = ROLE_WORDS[who.role] + (f" at {practice.name}" if practice else "")
    return f"{name}, {role}" if name else role


@dataclass(frozen=True)
class Names:
    """The practices and coaches as the ops pages name them."""

    known: Directory

    @property
    def practices(self) -> list[Practice]:
        return sorted(self.known.practices.values(), key=lambda p: p.name)

    def practice(self, practice_ods: str | None) -> Practice | None:
        return self.known.practices.get(practice_ods or "")

    def practice_name(self, practice_ods: str | None) -> str:
        found = self.practice(practice_ods)
        return found.name if found else practice_ods or ""

    def coach_name(self, coach_id: str | None) -> str:
        found = self.known.coaches.get(coach_id or "")
        return (found.name or found.coach_id) if found else coach_id or ""

    def actor(self, by: str) -> str:
        """Who a timeline names (a role and an id, never a name, as stored) by name: coach:
        coach-dev is "Dev Sharma (coach)"; referrer:F83003 is practice staff at the practice."""
        role, _, scope = by.partition(":")
        if role == Role.COACH and scope:
            return f"{self.coach_name(scope)} (coach)"
        if role == Role.REFERRER and scope:
            return f"practice staff at {self.practice_name(scope)}"
        return by

    def coach_choices(self) -> list[tuple[str, str]]:
        """(coach id, "Amara Okafor, City Road Medical Centre, Mondays"), by name."""
        return sorted(((c.coach_id, f"{self.coach_name(c.coach_id)}, "
                        f"{self.practice_name(c.practice_ods)}, {_days(c.weekday)}")
                       for c in self.known.coaches.values()), key=lambda c: c[1].lower())


def _days(weekday: int) -> str:
    return f"{WEEKDAYS[weekday].capitalize()}s" if 0 <= weekday < len(WEEKDAYS) else ""


def names(fresh: bool = False) -> Names:
    return Names(services().staff.directory(fresh))
