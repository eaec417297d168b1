"""What a patient can do from their own page, besides leaving: ask their coach to change or
cancel their appointment (a task for the coach; the patient's words are not stored), and change
how they are contacted (checked as the referral form checks it)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.store import ConditionFailed, Event, Store, now_iso
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records import Referral
from workingbetter.domain.referral import ContactPreference
from workingbetter.notifications.notices import Notices
from workingbetter.services import parsing, patient_link
from workingbetter.services.intake import Contact

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read

PATIENT = "patient"


class Ask(StrEnum):
    CHANGE = "change"
    CANCEL = "cancel"


TASKS = {Ask.CHANGE: Kind.COACH_PATIENT_ASKS_TO_CHANGE,
         Ask.CANCEL: Kind.COACH_PATIENT_ASKS_TO_CANCEL}
CHOOSE = "Select whether you want to change or cancel your appointment"


def ask_about_appointment(store: Store, settings: Settings, item: Referral,
                          choice: str) -> Ask:
    try:
        ask = Ask(choice)
    except ValueError:
        raise InvalidInput(CHOOSE, [FieldError("ask", CHOOSE)]) from None
    if patient_link.upcoming(item) is None:
        raise Conflict("You have no appointment booked to change. Your coach will contact you.")
    asked_at = now_iso()
    try:
        fresh = store.update(item.referral_id, Event(f"patient_asked_to_{ask}", PATIENT))
    except ConditionFailed as error:
        raise Conflict("Your referral has ended: there is nothing to change") from error
    Notices.of(store, settings).patient_asks(fresh, TASKS[ask], asked_at)
    return ask


def change_contact(store: Store, item: Referral, answers: dict[str, Any]) -> Contact:
    """The chosen channel and the details given replace the old ones. Letters go to the
    postal address the patient was referred with (their page does not ask for one)."""
    if answers.get("contact_preference") == ContactPreference.LETTER and \
            not answers.get("address"):
        on_file = store.read_personal_data(item.referral_id, PATIENT,
                                           "patient chose letters on their page")
        address = on_file.patient.address if on_file else None
        if address:
            answers = {**answers, "address": {"lines": list(address.lines),
                                              "postcode": address.postcode}}
    contact = parsing.parse(Contact, answers, "Your answers have errors: nothing was changed")
    if not store.change_contact(item.referral_id, contact.model_dump(mode="json"),
                                Event("contact_changed", PATIENT)):
        raise Conflict("Your referral has ended: there is nothing to change")
    return contact
