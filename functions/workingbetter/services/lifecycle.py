"""Ending a referral, and answering the human step a run waits on.

Ending always cleans up the same way, in the same order: the status write first (so every
task handler that runs afterwards refuses to act), then capacity, diary slot, the
one-active-referral marker, and the freed place offered to the practice's waitlist.

Answering a step writes the decision first, conditional on the run's task token (one answer
wins), then hands the token back to Step Functions. If the step timed out in between, the
chase path finds the recorded answer (`last_answer`) and carries on from it: nothing is lost.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import ConditionFailed, Event
from workingbetter.adapters.referral_codec import NO_CHANGE
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import TokenExpired, Workflow
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.referral import LastAnswer, Referral, ReferralChange
from workingbetter.domain.referral import TERMINAL, ExitReason, Status
from workingbetter.observability import count, logger
from workingbetter.services.resume import STALLED

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.services.resume import Resumption
    from workingbetter.settings import Settings

# An ended (or answered) referral waits for nothing: its run's fields go.
_NO_RUN = ReferralChange(awaiting=None, task_token=None, waitlist=None, attention=None)


class Lifecycle:
    """Ends referrals, frees what they held and passes places on; answers the step a run
    waits on. Built once, by wiring."""

    def __init__(self, store: Store, workflow: Workflow, settings: Settings, notices: Notices,
                 resumption: Resumption) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings
        self.notices = notices
        self.resumption = resumption

    def finish(self, referral_id: str, status: Status, event: Event, *,
               exit_reason: ExitReason | None = None, only_if: ReferralChange = NO_CHANGE,
               extra: ReferralChange = NO_CHANGE, offer_places: bool = True) -> Referral:
        """Move a live referral to a terminal status and release what it held (offering its
        place on, unless `offer_places` is False: a referral triage turned down held none).

        Raises ConditionFailed if the referral had already ended (or `only_if` no longer
        holds).
        """
        assert status in TERMINAL
        change = extra.merged(_NO_RUN).merged(ReferralChange(status=status))
        if exit_reason is not None:
            change = change.merged(ReferralChange(exit_reason=exit_reason))
        item = self.store.referrals.update(referral_id, event, change, only_if=only_if)
        self.release(item, offer_places)
        self.notices.ended(item)
        count("ReferralEnded", status=str(status), exit_reason=str(exit_reason or "none"))
        return item

    def release(self, item: Referral, offer_places: bool = True) -> None:
        """Free everything an ended referral held. Safe to repeat: each part happens once."""
        store, referral_id, coach_id = self.store, item.referral_id, item.coach_id
        if coach_id:
            appointment = item.appointment
            if appointment and not appointment.outcome:
                store.diary.free_slots(appointment.with_coach(coach_id), appointment.held,
                                       referral_id)
            store.diary.cancel_follow_ups(coach_id, referral_id, "system")
            if store.capacity.release(referral_id, coach_id) and offer_places:
                self.offer_place(item.practice_ods)
        elif offer_places:
            # It may have been offered a place it never took: the place goes to the next in
            # line.
            self.pass_on_free_place(item.practice_ods)
        if item.patient_key:  # gone once the personal data was erased
            store.referrals.end_patient_marker(item.patient_key, referral_id)
        store.links.drop_withdraw_link(referral_id)  # the patient's link expires with it
        # Retention: personal data goes by TTL a set time after the referral ends; the
        # workflow item (ids and enums) stays for the aggregate reports.
        keep = self.settings.seconds(self.settings.personal_data_retention_days)
        store.patients.expire(referral_id, int(time.time()) + keep)

    def free_places(self, practice_ods: str) -> int:
        """Places free in the caseloads of the practice's coaches."""
        directory = self.store.directory
        practice = directory.practice(practice_ods)
        coaches = (directory.coach(coach_id)
                   for coach_id in (practice.coach_ids if practice else ()))
        return sum(max(0, c.cap(self.settings.caseload_cap) - c.active) for c in coaches
                   if c and not c.left)

    def pass_on_free_place(self, practice_ods: str) -> str | None:
        """A place offered but not taken (withdrawn, failed) goes to the next in line: a free
        place is never idle while someone waits."""
        if self.free_places(practice_ods) == 0:
            return None
        return self.offer_place(practice_ods)

    def fill_free_places(self, practice_ods: str) -> int:
        """Offer each free place at the practice to the next in line (new places: a coach's
        new session or days; the daily reconcile); how many were offered."""
        offered = 0
        for _ in range(self.free_places(practice_ods)):
            if self.offer_place(practice_ods) is None:
                break
            offered += 1
        return offered

    def offer_place(self, practice_ods: str) -> str | None:
        """A place freed at a practice: wake its longest-waiting referral (no polling)."""
        for referral_id in self.store.lists.waitlist(practice_ods):
            item = self.store.referrals.get(referral_id)
            if not item or item.awaiting != Awaiting.CAPACITY or not item.task_token:
                continue
            try:
                self.answer(item, Awaiting.CAPACITY, {"next": "allocate"},
                            Event("place_offered", "system"))
            except ConditionFailed:
                continue  # withdrawn or woken by someone else meanwhile: the next in line
            return referral_id
        return None

    def answer(self, item: Referral, awaiting: Awaiting, output: Mapping[str, Any],
               event: Event, *, change: ReferralChange = NO_CHANGE,
               end_as: tuple[Status, ExitReason] | None = None) -> Referral:
        """Record the answer to the step the run waits on, then let the run go on.

        `output` (enums only) is what the run sees; `end_as` ends the referral with the
        answer. Raises ConditionFailed if another answer or a withdrawal got there first.
        """
        token = item.task_token
        fields = change.merged(ReferralChange(
            last_answer=LastAnswer(str(awaiting), dict(output))))
        # A stalled step (its run ended after every chase) still takes its answer: late
        # answers are normal when coaches are in surgery one day a week. One answer wins.
        guard = ReferralChange(task_token=token) if token else \
            ReferralChange(task_token=None, attention=STALLED)
        if end_as is not None:
            status, reason = end_as
            updated = self.finish(item.referral_id, status, event, exit_reason=reason,
                                  only_if=guard, extra=fields)
        else:
            updated = self.store.referrals.update(item.referral_id, event,
                                                  fields.merged(_NO_RUN), only_if=guard)
        if token is None:
            if end_as is None:  # the answer ended nothing: a new run carries it on
                self.resumption.carry_on(updated, str(awaiting), output)
            return updated
        try:
            self.workflow.send_success(token, output)
        except TokenExpired:
            # The step's time limit fired at the same moment: the chase reads last_answer.
            logger.info("answer recorded after the step timed out; the chase will carry it on",
                        referral_id=item.referral_id, awaiting=str(awaiting))
        return updated
