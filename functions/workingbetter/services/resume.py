"""Picking a referral up where its run stopped: from every stop, a way on.

A run stops while its referral is still live when a human step stays unanswered after every
chase (`attention: stalled`), or when a step failed and ops did not retry it within 30 days.
Coaches sit in a surgery one day a week, so late answers are normal: a late answer to the
stalled step is accepted and a new run (`<id>-resume-<n>`) carries it on from the decision
that follows the step; ops can resume any such referral from the step it stopped at.

The claim on the referral is a conditional write, so one resume wins; the run is started after
it, and if it cannot start, the claim is undone (the referral shows as stalled again).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import Event
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import Workflow, runs_of
from workingbetter.domain import human_steps, slots
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.referral import UNSET, Referral, ReferralChange
from workingbetter.domain.referral import STALLED, TASK_FAILED, Status

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read

__all__ = ["STALLED", "TASK_FAILED", "Resumption", "outcome_timeout", "payload",
           "step_name", "wait_of", "where"]

# Where a referral with no step outstanding picks up, by its status: the task that moves it on.
_BY_STATUS: dict[Status, dict[str, Any]] = {
    Status.RECEIVED: {"retry": {"step": "Triage"}},
    Status.TRIAGE: {"retry": {"step": "AllocateCoach"}},
    Status.ALLOCATED: {"retry": {"step": "BookFirstAppointment"}},
    Status.IN_SUPPORT: {"step": {"back_to": human_steps.REVIEW.wait().back_to,
                                 "exhausted": False, "next": None}},
    Status.IN_WORK: {"step": {"back_to": human_steps.SUSTAINMENT_CHECK.wait(13).back_to,
                              "exhausted": False, "next": None}},
}


def wait_of(awaiting: str, item: Referral) -> human_steps.Wait:
    """Which wait of the run a step is (the in-work checks wait in a state per week)."""
    return human_steps.step(awaiting).wait(item.sustainment_week)


def step_name(awaiting: str, item: Referral) -> str:
    """The value the run routes on to come back to the step's wait (a value no step declares
    goes to the routing Choice's default: the referral is flagged as stalled)."""
    return wait_of(awaiting, item).back_to if awaiting in human_steps.BY_VALUE else awaiting


def outcome_timeout(settings: Settings, start_iso: str) -> int:
    """How long a run waits for an appointment's outcome: until the appointment, plus the
    time a coach has to record it (in seconds on the run's clock)."""
    now = datetime.now(UTC)
    days_until = max(0.0, (slots.parse_iso(start_iso) - now).total_seconds() / 86400)
    return settings.seconds(days_until + settings.appointment_outcome_days)


def where(item: Referral) -> dict[str, Any]:
    """The new run's input beyond the referral id: the step to start at, as the ASL's own
    routing values (`step.back_to` for a wait or an answered decision, `retry.step` for a
    task). Ids, enums and numbers only."""
    if item.resume_with:
        return {"step": dict(item.resume_with)}
    if item.attention == TASK_FAILED and item.failed_at:
        return {"retry": {"step": item.failed_at}}
    awaiting = item.awaiting
    if awaiting and awaiting != Awaiting.OPS_RETRY:
        return {"step": {"back_to": step_name(str(awaiting), item), "exhausted": False,
                         "next": None}}
    if item.failed_at:
        return {"retry": {"step": item.failed_at}}
    status = item.status
    if status is Status.WAITLISTED:
        return {"step": {"back_to": human_steps.CAPACITY.wait().back_to, "exhausted": False,
                         "next": None}}
    if status is Status.APPOINTMENT_BOOKED:
        return {"step": {"back_to": human_steps.APPOINTMENT_OUTCOME.wait().back_to,
                         "exhausted": False, "next": None}}
    return dict(_BY_STATUS.get(status, {"retry": {"step": "Triage"}}))


def payload(settings: Settings, item: Referral,
            start: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the states after `start` read from the run's input."""
    body: dict[str, Any] = {"plan": {"route": "accept", "timers": settings.timers()}, **start}
    appointment = item.appointment
    if appointment:
        body["booking"] = {"outcome_timeout": outcome_timeout(settings, appointment.start)}
    return body


class Resumption:
    """Starts a referral's next run: ops resuming a stopped one, or a late answer carried
    on."""

    def __init__(self, store: Store, workflow: Workflow, settings: Settings) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings

    def start_run(self, item: Referral, start: Mapping[str, Any]) -> str:
        """Start the referral's next run at `start`; on failure the referral is flagged as
        stalled again, with where it was to go on from, so that ops can resume it."""
        referral_id = item.referral_id
        number = len(runs_of(item))
        try:
            name = self.workflow.resume(referral_id, number, payload(self.settings, item, start))
        except Exception:
            self.store.referrals.update(
                referral_id, Event("resume_failed", "system"),
                ReferralChange(attention=STALLED, resume_with=start.get("step") or UNSET))
            raise
        self.store.referrals.add_run(referral_id, name)
        return name

    def resume(self, item: Referral, actor: str) -> Referral:
        """Ops resume a referral whose run has stopped. Raises ConditionFailed if someone else
        resumed or changed it first."""
        start = where(item)
        updated = self.store.referrals.update(
            item.referral_id, Event("resumed", actor, {"from": _label(start)}),
            ReferralChange(chases=0, attention=None, resume_with=None),
            only_if=ReferralChange(attention=item.attention, task_token=None))
        self.start_run(updated, start)
        return updated

    def carry_on(self, item: Referral, awaiting: str, output: Mapping[str, Any]) -> str:
        """A late answer to a stalled step was recorded: a new run goes on from the
        decision."""
        step = {"back_to": wait_of(awaiting, item).answered, "exhausted": False,
                "next": output.get("next")}
        return self.start_run(item, {"step": step})


def _label(start: Mapping[str, Any]) -> str:
    return str(start["retry"]["step"] if "retry" in start else start["step"]["back_to"])

