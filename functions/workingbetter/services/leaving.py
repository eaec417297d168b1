"""A coach leaves: the service manager hands each referral of their caseload to a named coach
at its practice with a free place, or to the waiting list when none has one; the coach is
marked as left (no new allocation, offered to nobody); each patient is told. Every counter
moves in the same transaction as the referral it counts, so the daily reconcile finds nothing
to repair.

The waiting list keeps its one order, by when each referral was made (its index's sort key):
a patient handed back is offered the next place before anyone referred after them. We chose
this over "joins at the back": they were accepted first and lose their coach through no act of
their own. Their run stops and a new one waits for a place (`<id>-resume-<n>`), so the place
they are given books them a first appointment with their new coach.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.caseloads import hand_back, mark_left
from workingbetter.adapters.dynamo import ConditionFailed, Event
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import WITHDRAWN_ERROR, Workflow, runs_of
from workingbetter.domain import human_steps
from workingbetter.domain.absence import CoverAuditEntry, CoverChange
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from workingbetter.domain.records.directory import Coach
from workingbetter.domain.records.referral import Referral
from workingbetter.observability import count
from workingbetter.services.caseload_moves import CaseloadMoves, with_places
from workingbetter.services.reconcile import holds_place

if TYPE_CHECKING:
    from workingbetter.adapters.absences import CoverAudit
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.resume import Resumption
    from workingbetter.settings import Settings  # pydantic-settings: only when read

WAITLIST = "waitlist"
REFUSED = "The caseload was not handed over: nothing was changed"
CHOOSE = "Choose a coach with a free place, or the waiting list"


@dataclass(frozen=True)
class LeavePage:
    coach: Coach
    caseload: list[Referral]  # ids, references and statuses: never the patients' details
    choices: list[Coach]  # the practice's other coaches with a free place


@dataclass(frozen=True)
class Left:
    moved: int  # referrals handed to named coaches
    waitlisted: int


class Leaving:
    def __init__(self, store: Store, workflow: Workflow, settings: Settings,
                 audit: CoverAudit, moves: CaseloadMoves, notices: Notices,
                 resumption: Resumption, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings
        self.audit = audit
        self.moves = moves
        self.notices = notices
        self.resumption = resumption
        self.clock = clock

    def page(self, manager: Principal, coach_id: str) -> LeavePage:
        manager.require(Role.MANAGER)
        coach = self._coach(coach_id)
        return LeavePage(coach, self.caseload(coach_id),
                         with_places(self.store, self.settings, coach.practice_ods, coach_id))

    def caseload(self, coach_id: str) -> list[Referral]:
        """The referrals holding a place with the coach, oldest first."""
        return sorted((r for r in self.store.lists.for_coach(coach_id) if holds_place(r)),
                      key=lambda r: r.created_at)

    def leave(self, manager: Principal, coach_id: str, body: Any) -> Left:
        """`body`: {"hand_over": {referral_id: coach_id or "waitlist"}} for every referral of
        the caseload. Checked whole before anything changes."""
        manager.require(Role.MANAGER)
        shown = self.page(manager, coach_id)
        plan = self._plan(shown, body)
        at = datetime.fromtimestamp(self.clock(), UTC)
        self.audit.record(CoverAuditEntry(coach_id, at, CoverChange.LEFT, manager.subject,
                                          moved=len(plan)))
        mark_left(self.store, coach_id)
        tally: Counter[str] = Counter()
        choices = {c.coach_id: c for c in shown.choices}
        for item in shown.caseload:
            to = plan[item.referral_id]
            if to == WAITLIST:
                tally[WAITLIST] += self._to_waitlist(item, coach_id, manager.actor)
            else:
                with contextlib.suppress(Conflict):  # moved or ended meanwhile
                    self.moves.move_to(manager, item, choices[to])
                    tally["moved"] += 1
        count("CoachLeft", waitlisted=str(min(tally[WAITLIST], 10)))
        return Left(tally["moved"], tally[WAITLIST])

    def _plan(self, shown: LeavePage, body: Any) -> dict[str, str]:
        given = body.get("hand_over") if isinstance(body, dict) else None
        given = given if isinstance(given, dict) else {}
        free = {c.coach_id: c.cap(self.settings.caseload_cap) - c.active for c in shown.choices}
        taken: Counter[str] = Counter()
        plan: dict[str, str] = {}
        errors = []
        for item in shown.caseload:
            to = str(given.get(item.referral_id) or "")
            field = f"hand_over.{item.referral_id}"
            if to != WAITLIST and to not in free:
                errors.append(FieldError(field, CHOOSE))
                continue
            if to != WAITLIST:
                taken[to] += 1
                if taken[to] > free[to]:
                    errors.append(FieldError(field, f"That coach has {free[to]} free "
                                                    f"{'place' if free[to] == 1 else 'places'}:"
                                                    " choose another, or the waiting list"))
                    continue
            plan[item.referral_id] = to
        if errors:
            raise InvalidInput(REFUSED, errors)
        return plan

    def _to_waitlist(self, item: Referral, coach_id: str, actor: str) -> int:
        """Its place given back and the referral on the waiting list, then its run ended and
        a new one waiting for a place (which may be offered at once)."""
        try:
            hand_back(self.store, item, coach_id, Event("coach_left_waitlisted", actor))
        except ConditionFailed:
            return 0  # ended or moved meanwhile
        self.store.diary.cancel_follow_ups(coach_id, item.referral_id, actor)
        booked = item.appointment
        if booked is not None and not booked.outcome:
            self.store.diary.free_slots(booked.with_coach(coach_id), booked.held, item.referral_id)
        if item.task_token:
            self.workflow.send_failure(item.task_token, WITHDRAWN_ERROR)
        self.workflow.stop_all(runs_of(item), WITHDRAWN_ERROR)
        again = self.store.referrals.get(item.referral_id)
        assert again is not None
        self.resumption.start_run(again, {"step": {
            "back_to": human_steps.CAPACITY.wait().back_to, "exhausted": False, "next": None}})
        self.notices.waitlisted_again(again)
        return 1

    def _coach(self, coach_id: str) -> Coach:
        found = self.store.directory.coach(coach_id)
        if found is None:
            raise NotFound("No coach with that id")
        return found

