"""A patient's communication needs after intake: read (audited) and changed, by their coach on
the case record or by the patient on their own page, through the one rule below. Whoever
meets the needs (letters, bookings) or copies what is held about the patient reads them with
`read`."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from workingbetter.adapters.dynamo import ConditionFailed, Event, now_iso
from workingbetter.adapters.store import Store
from workingbetter.domain import parsing
from workingbetter.domain.communication_needs import (
    INTERPRETERS,
    CommunicationNeed,
    kinds_of,
    needs_interpreter,
)
from workingbetter.domain.errors import Conflict
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.services.intake import CommunicationNeeds

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices

ERASED = "The patient's details were erased: nothing more can be recorded for them"
REFUSED = "The communication needs have errors: nothing was saved"
CHANGED = "communication_needs_changed"  # the timeline's line: who, when, never what
NOTHING_TO_ARRANGE = "There is no appointment waiting for an interpreter"
ARRANGED = "interpreter_arranged"  # the timeline's line: who, when, for which appointment
ENDED = "This referral has ended: its communication needs can no longer be changed"


class NeedsChange(BaseModel):
    """Every need the patient has now (the list replaces the last one; empty: none)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    communication_needs: CommunicationNeeds


class Needs:
    """A patient's communication needs, read and changed. Built once, by wiring."""

    def __init__(self, store: Store, notices: Notices) -> None:
        self.store = store
        self.notices = notices

    def read(self, referral_id: str, actor: str,
             purpose: str) -> tuple[CommunicationNeed, ...] | None:
        """The patient's needs (an audited read of personal data); None once erased."""
        return self.store.patients.communication_needs(referral_id, actor, purpose)

    def change(self, item: Referral, body: Any, actor: str,
               listed_until: int) -> tuple[CommunicationNeed, ...]:
        """Replace the patient's needs with those in `body` (field errors name each wrong one);
        Conflict once the referral has ended or their details were erased, nothing written. The
        timeline says who changed them (never what they are), as a fact bounded like the other
        facts of the person who changed them (domain/referral.py). An interpreter needed from now
        on, for a first appointment already booked, becomes the coach's task to arrange one."""
        request = parsing.parse(NeedsChange, body, REFUSED)
        if item.status.terminal:
            raise Conflict(ENDED)
        needs = tuple(n.record() for n in request.communication_needs)
        if not self.store.patients.set_communication_needs(item.referral_id, needs):
            raise Conflict(ERASED)
        # Ended a moment ago: the needs stand as the person left them, the line unlisted.
        with contextlib.suppress(ConditionFailed):
            self.store.referrals.add_fact(item.referral_id, Event(CHANGED, actor),
                                          listed_until=listed_until)
        self._interpreter_now_needed(item, needs)
        return needs

    def _interpreter_now_needed(self, before: Referral,
                                needs: tuple[CommunicationNeed, ...]) -> None:
        """The patient was told of their appointment before anyone knew they need an
        interpreter: the coach is asked to arrange one for it all the same (and chased), as a
        booking with the need would have asked."""
        appointment = before.appointment
        if (appointment is None or appointment.outcome or appointment.start <= now_iso()[:19]
                or needs_interpreter(before.need_kinds) or not needs_interpreter(kinds_of(needs))):
            return
        now = self.store.referrals.get(before.referral_id)
        if now is not None and now.interpreter_arranged != appointment.start:
            self.notices.interpreter_needed(now, appointment.start)

    def interpreter_arranged(self, item: Referral, actor: str) -> None:
        """The coach arranged the interpreter for the first appointment as it stands: recorded on
        the referral (conditional on what was read, so two posts record it once), a timeline line
        (who, when), counted as met, and the held confirmation sent. A repeat changes nothing;
        Conflict when no appointment waits for one."""
        appointment = item.appointment
        if appointment is None or appointment.outcome or not needs_interpreter(item.need_kinds):
            raise Conflict(NOTHING_TO_ARRANGE)
        if item.interpreter_arranged == appointment.start:
            return  # recorded already
        try:
            self.store.referrals.update(item.referral_id,
                                   Event(ARRANGED, actor, {"start": appointment.start}),
                         ReferralChange(interpreter_arranged=appointment.start),
                         only_if=ReferralChange(interpreter_arranged=item.interpreter_arranged))
        except ConditionFailed:
            return  # recorded meanwhile by another post (or the referral ended)
        self.store.referrals.needs_met(item.referral_id,
                                       sorted(INTERPRETERS.intersection(item.need_kinds)))
        self.notices.interpreter_arranged(item, appointment.start)
