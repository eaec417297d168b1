"""Leaving the service: voluntary means it works from every live status, at once.

The order closes every race: the WITHDRAWN write (conditional on the token the run waits on)
comes first, so every task handler afterwards refuses to act; then capacity, slot and marker
are released; personal data is erased if asked; last, the run is ended: a run waiting on a
token gets SendTaskFailure(Referral.Withdrawn), any other is stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, StrictBool, field_validator

from workingbetter.adapters.dynamo import ConditionFailed, Event, Item, now_iso
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import WITHDRAWN_ERROR, Workflow, run_names, runs_of
from workingbetter.domain import parsing
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.bands import ERASED_WITH_PERSONAL_DATA
from workingbetter.domain.errors import Conflict, NotFound
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.domain.referral import LEAVING_REASONS, ExitReason, Status
from workingbetter.domain.text import Paragraph
from workingbetter.services import patient_link
from workingbetter.services.access import can_see

if TYPE_CHECKING:
    from workingbetter.services.lifecycle import Lifecycle


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    # Why the patient is leaving, from the list a coach uses; kept as chosen (a withdrawal
    # that gives none is the patient's own wish: the service is voluntary).
    exit_reason: ExitReason = ExitReason.NO_LONGER_WISHES
    reason: Paragraph | None = None  # more detail: free text, kept with the coach's notes
    erase_personal_data: StrictBool = False

    @field_validator("exit_reason")
    @classmethod
    def _a_reason_for_leaving(cls, value: ExitReason) -> ExitReason:
        if value not in LEAVING_REASONS:
            raise ValueError(parsing.choose(LEAVING_REASONS))
        return value


def parse(body: Any) -> WithdrawRequest:
    if body is None:
        return WithdrawRequest()
    return parsing.parse(WithdrawRequest, body, "The request has errors: nothing was changed")


# Statuses in which a run with no task token sits in a Wait state (between reviews, in work):
# only a stop ends those.
WAITS_ON_THE_CLOCK = frozenset({Status.IN_SUPPORT, Status.IN_WORK})
LINK_GONE = "This link has expired or has already been used"


class Withdrawals:
    """Withdrawing a referral, by whoever asks. Built once, by wiring."""

    def __init__(self, store: Store, workflow: Workflow, lifecycle: Lifecycle) -> None:
        self.store = store
        self.workflow = workflow
        self.lifecycle = lifecycle

    def withdraw(self, principal: Principal, referral_id: str, body: Any) -> Item:
        principal.require(Role.REFERRER, Role.COACH)
        item = self.store.referrals.get(referral_id)
        if item is None or not can_see(principal, item):
            raise NotFound("No referral with that id is visible to you")
        request = parse(body)
        return self.withdraw_referral(item, principal.actor, request)

    def withdraw_by_link(self, token: str, body: Any) -> Item:
        """The patient's own one-time link (sent with their appointment confirmation): no login,
        unguessable, single use, gone once the referral ends."""
        item = patient_link.referral_for(self.store, token)
        if item is None:
            raise NotFound(LINK_GONE)
        request = parse(body)
        if not patient_link.use_up(self.store, token, item.referral_id):
            raise NotFound(LINK_GONE)
        return self.withdraw_referral(item, "patient", request)

    def _withdraw(self, item: Referral, actor: str, reason: ExitReason) -> Referral:
        """Mark the referral withdrawn (conditional on the token its run waits on), then end
        every run it has. Returns the item as it ends up (already ended: as it was)."""
        referral_id = item.referral_id
        for _ in range(5):  # the run may move between our read and our write: read again
            status = item.status
            if status.terminal:
                return item
            token = item.task_token
            try:
                ended = self.lifecycle.finish(referral_id, Status.WITHDRAWN,
                                              Event("withdrawn", actor), exit_reason=reason,
                                              only_if=ReferralChange(task_token=token))
            except ConditionFailed:
                fresh = self.store.referrals.get(referral_id)
                assert fresh is not None
                item = fresh
                continue
            self._end_runs(item, status, token)
            return ended
        raise Conflict("The referral kept changing while we withdrew it: try again")

    def end_for_the_service(self, item: Referral, actor: str, reason: ExitReason) -> Referral:
        """End a referral on the service's side (its practice left the pilot): as a withdrawal,
        every run ended and its place passed on, with the service's reason, not the patient's."""
        return self._withdraw(item, actor, reason)

    def _end_runs(self, item: Referral, status: Status, token: str | None) -> None:
        """No run outlasts its referral. The run waiting on a token is failed with
        Referral.Withdrawn (its Catch ends it); a run between tasks ends at its next task, which
        refuses the withdrawn referral; every other run still going (waiting on the clock, an
        in-work run just started) is stopped."""
        runs = list(dict.fromkeys([*runs_of(item), *run_names(item.referral_id)]))
        latest = runs_of(item)[-1]
        if token:
            self.workflow.send_failure(token, WITHDRAWN_ERROR)
        ends_itself = token is not None or status not in WAITS_ON_THE_CLOCK
        self.workflow.stop_all([r for r in runs if not (ends_itself and r == latest)],
                               WITHDRAWN_ERROR)

    def withdraw_referral(self, item: Referral, actor: str, request: WithdrawRequest) -> Item:
        """Withdraw on anyone's behalf (practice, coach, or the patient's own link). The reason is
        written first and taken back if nothing was withdrawn: a failed request changes nothing."""
        referral_id = item.referral_id
        note = self.store.case.add_note(referral_id, {
            "at": now_iso(), "event": "withdrawn", "reason": request.reason}) \
            if request.reason else None
        try:
            item = self._withdraw(item, actor, request.exit_reason)
        except Exception:
            if note:
                self.store.case.remove(note)
            raise
        status = item.status
        if status is not Status.WITHDRAWN and note:
            self.store.case.remove(note)
        if status is not Status.WITHDRAWN and not request.erase_personal_data:
            raise Conflict(f"This referral has already ended ({status}); nothing to withdraw")
        if request.erase_personal_data:
            self.store.patients.erase(referral_id, item.idempotency_record,
                                      item.request_hash)
            if not item.personal_data_erased:
                # The keyed hash of the NHS number goes too: with the key it re-identifies.
                self.store.referrals.update(referral_id, Event("personal_data_erased", actor),
                                            ERASED_WITH_PERSONAL_DATA, require_live=False)
        return {"referral_id": referral_id, "status": str(status),
                "personal_data_erased": bool(request.erase_personal_data
                                             or item.personal_data_erased)}
