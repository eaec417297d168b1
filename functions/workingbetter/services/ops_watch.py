"""What ops watch, read for the ops pages: the counters, the referrals flagged for attention,
the runs that failed, the messages that could not be delivered, and one referral's runs and
their history. Ids, enums and dates only: never a patient's personal data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.outbox import public_view
from workingbetter.adapters.workflow import runs_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workingbetter.adapters.dynamo import Item
    from workingbetter.adapters.store import Store
    from workingbetter.adapters.workflow import Workflow
    from workingbetter.domain.records.referral import Referral


@dataclass(frozen=True)
class Runs:
    """A referral's runs as Step Functions still holds them (it forgets a run 90 days after
    it ends): their names, oldest first, each one it still describes, and their events."""

    names: list[str]
    described: dict[str, dict[str, Any]]
    history: list[dict[str, Any]]


class OpsWatch:
    """Built once, by wiring."""

    def __init__(self, store: Store, workflow: Workflow) -> None:
        self.store = store
        self.workflow = workflow
        self.outbox = store.outbox

    def counts(self) -> dict[str, int]:
        return self.store.lists.status_counts()

    def flagged(self, count: int, fields: Iterable[str]) -> tuple[list[Referral], bool]:
        return self.store.lists.flagged(count, fields)

    def failed_runs(self) -> list[Item]:
        """Runs that failed or timed out, newest first, each named by its reference."""
        return self._with_references(self.workflow.ended_badly())

    def undelivered(self, count: int) -> list[Item]:
        """Messages that could not be delivered (what ops may see of them), by reference."""
        return self._with_references([public_view(r) for r in self.outbox.undelivered(count)])

    def notifications(self, referral_id: str | None) -> list[Item]:
        """What was sent or is due, to whom by role and channel (never the words or an
        address): a referral's, or, without one, everything still waiting and what failed."""
        rows = self.outbox.for_referral(referral_id) if referral_id else \
            self.outbox.due("9999-12-31T23:59:59Z") + self.outbox.failed()
        return [public_view(row) for row in rows]

    def undelivered_count(self) -> int:
        return self.outbox.undelivered_count()

    def exists(self, referral_id: str) -> bool:
        return self.store.referrals.get(referral_id) is not None

    def runs(self, referral_id: str) -> Runs:
        stored = self.store.referrals.get(referral_id)
        names = runs_of(stored) if stored else [referral_id]
        described = {name: run for name in names for run in [self.workflow.describe(name)]
                     if run}
        return Runs(names, described, self.workflow.history(list(described)))

    def _with_references(self, rows: list[Item]) -> list[Item]:
        """Name each row's referral by its short reference, as the rest of the console does
        (one read for them all); a referral with none keeps its id."""
        found = self.store.lists.references([str(row["referral_id"]) for row in rows])
        for row in rows:
            row["reference"] = found.get(str(row["referral_id"]))
        return rows
