"""What can be sent, to whom, and by which channel."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from workingbetter.domain.communication_needs import LETTER_FORMATS, NO_PHONE_CALLS, Need


class Kind(StrEnum):
    APPOINTMENT_CONFIRMATION = "appointment_confirmation"
    APPOINTMENT_REMINDER = "appointment_reminder"
    APPOINTMENT_FOLLOW_UP_REMINDER = "appointment_follow_up_reminder"
    APPOINTMENT_FOLLOW_UP_MISSED = "appointment_follow_up_missed"
    APPOINTMENT_MOVED = "appointment_moved"  # its coach is away: a new time, and where
    APPOINTMENT_NEW_COACH = "appointment_new_coach"  # a manager moved them to another coach
    APPOINTMENT_COACH_LEFT = "appointment_coach_left"  # waiting for a new coach's place
    APPOINTMENT_PRACTICE_LEFT = "appointment_practice_left"  # support ended: the surgery left
    COACH_OUTCOME_NOT_RECORDED = "coach_outcome_not_recorded"
    COACH_REVIEW_OVERDUE = "coach_review_overdue"
    COACH_SUSTAINMENT_OVERDUE = "coach_sustainment_overdue"
    COACH_PATIENT_ASKS_TO_CHANGE = "coach_patient_asks_to_change"  # from the patient's page
    COACH_PATIENT_ASKS_TO_CANCEL = "coach_patient_asks_to_cancel"
    COACH_MESSAGE_UNDELIVERED = "coach_message_undelivered"
    COACH_FOLLOW_UP_OUTREACH = "coach_follow_up_outreach"
    # An interpreter need: arrange one for the appointment (its confirmation waits), and a
    # chase when it is still not arranged close to the day.
    COACH_ARRANGE_INTERPRETER = "coach_arrange_interpreter"
    COACH_INTERPRETER_NOT_ARRANGED = "coach_interpreter_not_arranged"
    OPS_NOT_ACKNOWLEDGED = "ops_not_acknowledged"
    OPS_TRIAGE_OVERDUE = "ops_triage_overdue"
    OPS_WAITLIST_OVER_LIMIT = "ops_waitlist_over_limit"
    OPS_RUN_FAILED = "ops_run_failed"
    OPS_NOTIFICATION_FAILED = "ops_notification_failed"
    OPS_CAPACITY_REPAIRED = "ops_capacity_repaired"
    # A standard letter went instead of a format's: sent straight to the topic, naming the
    # template, never through a referral's outbox (which patient needs it is not ops' to know).
    OPS_LETTER_FORMAT_MISSING = "ops_letter_format_missing"
    PRACTICE_ACCEPTED = "practice_accepted"
    PRACTICE_FIRST_ATTENDED = "practice_first_attended"
    PRACTICE_ENDED = "practice_ended"

    @property
    def audience(self) -> str:
        """patient, coach, ops or practice: read off the name."""
        prefix = self.value.split("_", 1)[0]
        return "patient" if prefix == "appointment" else prefix


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    COACH_TASK = "coach_task"  # the coach rings (or writes) instead
    OPS_ALERT = "ops_alert"
    PRACTICE_EMAIL = "practice_email"


class State(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"  # never accepted by the provider, after every retry
    # What the provider's delivery receipt said afterwards (GOV.UK Notify's callbacks).
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary_failure"
    PERMANENT_FAILURE = "permanent_failure"


class FailureReason(StrEnum):
    """Why a message was given up on: what ops see of it, never the error's words."""

    PROVIDER_FAILED = "provider_failed"  # the provider failed every attempt
    NO_TEMPLATE = "no_template"  # no template for its kind and channel: a deployment's gap
    UNEXPECTED = "unexpected"  # anything else went wrong putting it together or sending it


# Still worth sending after the referral has ended: the ending itself, and ops' own alerts.
# A patient whose surgery left is told their support has ended once it has.
AFTER_THE_END = frozenset({Kind.PRACTICE_ENDED, Kind.APPOINTMENT_PRACTICE_LEFT,
                           Kind.OPS_RUN_FAILED, Kind.OPS_NOTIFICATION_FAILED,
                           Kind.OPS_CAPACITY_REPAIRED})


# The kinds of message GOV.UK Notify sends, each by the Notify channels it can take: one Notify
# template for each pair (settings.notify_templates, keyed "kind.channel").
BY_NOTIFY: dict[Kind, tuple[str, ...]] = {
    Kind.APPOINTMENT_CONFIRMATION: ("sms", "email", "letter"),
    Kind.APPOINTMENT_REMINDER: ("sms", "email"),  # a letter posted the day before is too late
    Kind.APPOINTMENT_FOLLOW_UP_REMINDER: ("sms", "email"),
    Kind.APPOINTMENT_FOLLOW_UP_MISSED: ("sms", "email"),
    Kind.APPOINTMENT_MOVED: ("sms", "email", "letter"),
    Kind.APPOINTMENT_NEW_COACH: ("sms", "email", "letter"),
    Kind.APPOINTMENT_COACH_LEFT: ("sms", "email", "letter"),
    Kind.APPOINTMENT_PRACTICE_LEFT: ("sms", "email", "letter"),
    Kind.PRACTICE_ACCEPTED: ("email",),
    Kind.PRACTICE_FIRST_ATTENDED: ("email",),
    Kind.PRACTICE_ENDED: ("email",),
}
NOTIFY_TEMPLATE_KEYS = frozenset(f"{kind}.{channel}" for kind, channels in BY_NOTIFY.items()
                                 for channel in channels)
# Each letter in a format a need asks for (large print, easy read) is its own Notify letter
# template. A council may not have made them yet: each is optional, and a letter without its
# format's template goes as the standard letter with ops told (OPS_LETTER_FORMAT_MISSING).
FORMAT_TEMPLATE_KEYS = frozenset(f"{key}_{fmt}" for key in NOTIFY_TEMPLATE_KEYS
                                 if key.endswith(".letter") for fmt in LETTER_FORMATS.values())


def template_keys_problem(keys: Iterable[str]) -> str | None:
    """What is wrong with the keys of the Notify template ids a deployment gives
    (WB_NOTIFY_TEMPLATES), or None: exactly one for each kind and channel Notify sends."""
    given = set(keys)
    missing = sorted(NOTIFY_TEMPLATE_KEYS - given)
    unknown = sorted(given - NOTIFY_TEMPLATE_KEYS - FORMAT_TEMPLATE_KEYS)
    if not (missing or unknown):
        return None
    return (f"WB_NOTIFY_TEMPLATES needs exactly a template id for each of the "
            f"{len(NOTIFY_TEMPLATE_KEYS)} keys `python -m infra.template_keys` lists (and "
            f"optionally its large-print and easy-read letters): "
            f"missing {missing}, unknown {unknown}")


# The coach's tasks about an interpreter to arrange: done only by recording it arranged (which
# sends the confirmation they hold), stale once it is.
ARRANGING_INTERPRETER = frozenset({Kind.COACH_ARRANGE_INTERPRETER,
                                   Kind.COACH_INTERPRETER_NOT_ARRANGED})

# The outbox channels Notify carries, as Notify's own message types.
NOTIFY_TYPE = {Channel.SMS: "sms", Channel.EMAIL: "email", Channel.LETTER: "letter",
               Channel.PRACTICE_EMAIL: "email"}
# Messages about a follow-up appointment: keyed by the follow-up's id (its start).
FOLLOW_UP_KINDS = frozenset({Kind.APPOINTMENT_FOLLOW_UP_REMINDER, Kind.APPOINTMENT_FOLLOW_UP_MISSED,
                             Kind.COACH_FOLLOW_UP_OUTREACH})


def patient_channel(kind: Kind, contact_preference: str | None, needs: Iterable[str] = (),
                    held: Iterable[Channel] | None = None) -> Channel:
    """How a message of this kind reaches a patient: the way they chose (letters if they never
    said) when Notify has a template for it, else their coach's task: the coach rings or
    writes (a phone call is only ever the coach's). So no message is scheduled for a channel
    it has no template for: a reminder the day before by letter would come too late, so there
    is no such template, and the coach rings instead.

    Their communication needs come first (the one place this rule lives): "information by
    email" turns letters into emails; a need that rules out a phone call (`NO_PHONE_CALLS`)
    turns a phone call into a text or an email. `held` is the channels their details allow
    (None when scheduling, without reading them: checked again when it is sent)."""
    need_set, templated = set(needs), _templated(kind)
    instead = templated if held is None else templated & set(held)  # a switch needs details
    chosen = _CHOSEN.get(contact_preference, Channel.COACH_TASK)
    if chosen is Channel.LETTER and Need.INFORMATION_BY_EMAIL in need_set \
            and Channel.EMAIL in instead:
        return Channel.EMAIL
    if chosen in templated:
        return chosen
    if need_set & NO_PHONE_CALLS:
        written = (Channel.EMAIL, Channel.SMS) if Need.CONTACT_BY_EMAIL in need_set \
            else (Channel.SMS, Channel.EMAIL)
        return next((c for c in written if c in instead), Channel.COACH_TASK)
    return Channel.COACH_TASK


# The needs a message meets by the way it went (for the reports' "met"): a text or email meets
# "contact by text relay" as well, as nobody had to ring. Formats are met by the letter's
# template (sending.py); an interpreter or a longer appointment by the booking.
MET_BY_CHANNEL: dict[Channel, frozenset[Need]] = {
    Channel.SMS: frozenset({Need.CONTACT_BY_TEXT, Need.CONTACT_BY_TEXT_RELAY}),
    Channel.EMAIL: frozenset({Need.CONTACT_BY_EMAIL, Need.INFORMATION_BY_EMAIL,
                              Need.CONTACT_BY_TEXT_RELAY}),
    Channel.LETTER: frozenset({Need.CONTACT_BY_LETTER}),
}


def needs_met_by(channel: Channel, needs: Iterable[str]) -> tuple[str, ...]:
    """The patient's needs a message sent by `channel` meets."""
    return tuple(sorted(n for n in needs if n in MET_BY_CHANNEL.get(channel, ())))


def no_phone_calls(needs: Iterable[str]) -> bool:
    """Whether the coach must write (text, email, letter) rather than ring."""
    return bool(set(needs) & NO_PHONE_CALLS)


def _templated(kind: Kind) -> frozenset[Channel]:
    return frozenset(c for c in (Channel.SMS, Channel.EMAIL, Channel.LETTER)
                     if c.value in BY_NOTIFY.get(kind, ()))


_CHOSEN: dict[str | None, Channel] = {"sms": Channel.SMS, "email": Channel.EMAIL,
                                      "letter": Channel.LETTER, None: Channel.LETTER}
