"""The one place the rule lives for how a message reaches a patient: the way they chose, a
template Notify has for it, their communication needs, or their coach's task."""

from __future__ import annotations

from collections.abc import Iterable

from workingbetter.domain.channels import WRITTEN, Channel
from workingbetter.domain.communication_needs import NO_PHONE_CALLS, Need
from workingbetter.domain.notification_kinds import KINDS, Kind


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
    """The written channels Notify has a template of this kind for."""
    return frozenset(c for c in WRITTEN if c in KINDS[kind].notify)


_CHOSEN: dict[str | None, Channel] = {"sms": Channel.SMS, "email": Channel.EMAIL,
                                      "letter": Channel.LETTER, None: Channel.LETTER}
