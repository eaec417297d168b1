"""The ways a message goes, and what became of it."""

from __future__ import annotations

from enum import StrEnum


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


# The outbox channels Notify carries, as Notify's own message types.
NOTIFY_TYPE = {Channel.SMS: "sms", Channel.EMAIL: "email", Channel.LETTER: "letter",
               Channel.PRACTICE_EMAIL: "email"}
# The channels a patient's message may take by Notify, one template each.
WRITTEN = (Channel.SMS, Channel.EMAIL, Channel.LETTER)
