"""The daily reconciliation of coaches' caseload counters: a free place is never idle while
someone waits, and a counter that drifted from the referrals really holding a place is
repaired and reported to ops.

Counters and holders change together in one transaction, so a drift means a defect or a
hand edit; the repair is a conditional write on the value read, so a change that lands in
between wins and the repair waits for tomorrow.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from workingbetter.adapters.store import Store
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import HOLDS_CAPACITY
from workingbetter.observability import count, logger

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.lifecycle import Lifecycle


def holds_place(item: Referral) -> bool:
    return item.status in HOLDS_CAPACITY and not item.capacity_released


class Reconciler:
    """The daily check of every coach's caseload count. Built once, by wiring."""

    def __init__(self, store: Store, notices: Notices, lifecycle: Lifecycle) -> None:
        self.store = store
        self.notices = notices
        self.lifecycle = lifecycle

    def run(self) -> dict[str, int]:
        tally: Counter[str] = Counter()
        for practice in self.store.directory.practices():
            for coach_id in practice.coach_ids:
                tally["repaired"] += self._check_coach(coach_id, practice.practice_ods)
            tally["offered"] += self.lifecycle.fill_free_places(practice.practice_ods)
        logger.info("caseloads reconciled", extra={"outcomes": dict(tally)})
        return {"repaired": tally["repaired"], "offered": tally["offered"]}

    def _check_coach(self, coach_id: str, practice_ods: str) -> int:
        store = self.store
        coach = store.directory.coach(coach_id)
        if coach is None:
            return 0
        counted = coach.active
        holding = [i for i in store.lists.for_coach(coach_id) if holds_place(i)]
        if counted == len(holding) or \
                not store.capacity.set_caseload(coach_id, counted, len(holding)):
            return 0
        logger.warning("caseload counter repaired", coach_id=coach_id, counted=counted,
                       holding=len(holding))
        count("CaseloadRepaired")
        about = (store.lists.waitlist(practice_ods) or [i.referral_id for i in holding])[:1]
        if about:  # an alert is filed beside a referral; with none affected the log must do
            self.notices.capacity_repaired(about[0], coach_id)
        return 1
