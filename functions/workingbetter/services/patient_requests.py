"""What a patient can do from their own page, besides leaving: ask their coach to change or
cancel their appointment (a task for the coach; the patient's words are not stored), and change
how they are contacted (checked as the referral form checks it).

Bounded whatever the link sends: one open request of each kind per appointment (asking again
while it is open is answered, not repeated), a limit on the link's actions an hour, and their
timeline lines capped (domain/referral.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import ConditionFailed, Event, now_iso
from workingbetter.adapters.link_actions import LinkActions
from workingbetter.adapters.store import Store
from workingbetter.domain import parsing
from workingbetter.domain.errors import Conflict, DomainError, FieldError, InvalidInput
from workingbetter.domain.notification_kinds import ARRANGING_INTERPRETER, Kind
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.domain.referral import PATIENT_FACTS_LISTED_UNTIL, Status
from workingbetter.services import patient_link
from workingbetter.services.intake import Contact

if TYPE_CHECKING:
    from workingbetter.notifications.notices import Notices
    from workingbetter.settings import Settings  # pydantic-settings: only when read

PATIENT = "patient"
HOUR = 3600
ENDED = "Your referral has ended: there is nothing to change"


class Ask(StrEnum):
    CHANGE = "change"
    CANCEL = "cancel"


TASKS = {Ask.CHANGE: Kind.COACH_PATIENT_ASKS_TO_CHANGE,
         Ask.CANCEL: Kind.COACH_PATIENT_ASKS_TO_CANCEL}
CHOOSE = "Select whether you want to change or cancel your appointment"


class TooManyActions(DomainError):
    """The link did as much as it may this hour: nothing was done."""

    title = "Too many changes"

    def __init__(self, retry_after: int) -> None:
        super().__init__("This link has made as many changes as it may for now: try again "
                         "later")
        self.retry_after = retry_after


def _open(ask: Ask, about: str | None) -> ReferralChange:
    """The open request of a kind: the start of the appointment it is about (None: none)."""
    if ask is Ask.CHANGE:
        return ReferralChange(asked_to_change=about)
    return ReferralChange(asked_to_cancel=about)


class PatientRequests:
    """What the patient asks from their page. Built once, by wiring."""

    def __init__(self, store: Store, settings: Settings, notices: Notices) -> None:
        self.store = store
        self.settings = settings
        self.notices = notices

    def referral_for(self, token: str) -> Referral | None:
        """The live referral the patient's link opens (reading it never uses it up)."""
        return patient_link.referral_for(self.store, token)

    def has_left(self, token: str) -> bool:
        """Whether the referral a link names (live or not) was withdrawn: whoever holds the
        link has left (the id in a link is known only to its patient and the staff)."""
        referral_id = token.partition(".")[0]
        item = self.store.referrals.get(referral_id) \
            if referral_id and len(token) <= patient_link.MAX_TOKEN else None
        return item is not None and item.status is Status.WITHDRAWN

    def details(self, item: Referral, purpose: str) -> PersonalData | None:
        """The patient's own details, for a page of theirs (an audited read)."""
        return self.store.patients.read(item.referral_id, PATIENT, purpose)

    def act(self, item: Referral) -> None:
        """Count one action by the patient's link; refused past the hour's limit."""
        limit = self.settings.patient_link_actions_per_hour
        left = LinkActions(self.store.tables.table).take(item.referral_id, limit, HOUR)
        if not left:
            raise TooManyActions(HOUR)

    def ask_about_appointment(self, item: Referral, choice: str) -> tuple[Ask, bool]:
        """The request, and whether it is new (False: the same one is open, nothing was added)."""
        try:
            ask = Ask(choice)
        except ValueError:
            raise InvalidInput(CHOOSE, [FieldError("ask", CHOOSE)]) from None
        appointment = patient_link.upcoming(item)
        if appointment is None:
            raise Conflict("You have no appointment booked to change. Your coach will contact you.")
        asked_at = now_iso()
        opened = _open(ask, appointment.start)
        try:
            new = self.store.referrals.add_fact(
                item.referral_id, Event(f"patient_asked_to_{ask}", PATIENT), opened,
                unless=opened, listed_until=PATIENT_FACTS_LISTED_UNTIL)
        except ConditionFailed as error:
            raise Conflict(ENDED) from error
        if new:
            self.notices.patient_asks(item, TASKS[ask], asked_at)
        return ask, new

    def task_done(self, coach_id: str, referral_id: str, notification_id: str) -> bool:
        """The coach has done a task on their list; if it was a patient's request, it is no longer
        open, so they may ask again. False if the task is not on the coach's list."""
        outbox = self.store.outbox
        row = outbox.row(referral_id, notification_id)
        if row is None or row.kind in ARRANGING_INTERPRETER:
            return False  # done by recording the interpreter arranged: that sends what it holds
        if not outbox.clear_task(referral_id, notification_id, coach_id):
            return False
        for ask, kind in TASKS.items():
            if kind == row.kind:
                self.store.referrals.note(referral_id, _open(ask, None))
        return True

    def change_contact(self, item: Referral, answers: dict[str, Any]) -> Contact:
        """The chosen channel and the details given replace the old ones; a detail left blank
        keeps the one on file (their page shows it masked, never in full, so they cannot retype
        it). Letters go to the postal address the patient was referred with (their page does not
        ask for one)."""
        on_file = self.store.patients.read(item.referral_id, PATIENT,
                                           "the patient changed how they are contacted")
        held = on_file.patient if on_file else None
        if held is not None:
            kept = {"phone": held.phone, "email": held.email,
                    "address": {"lines": list(held.address.lines),
                                "postcode": held.address.postcode} if held.address else None}
            answers = {**answers, **{name: value for name, value in kept.items()
                                     if value and not answers.get(name)}}
        contact = parsing.parse(Contact, answers, "Your answers have errors: nothing was changed")
        if not self.store.patients.change_contact(item.referral_id, contact.model_dump(mode="json"),
                                    Event("contact_changed", PATIENT), PATIENT_FACTS_LISTED_UNTIL):
            raise Conflict(ENDED)
        return contact
