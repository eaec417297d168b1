"""The patient's link: the key to their own page, with no sign-in.

The token is `<referral id>.<random>`; only its SHA-256 is stored, one live link per referral (a
newer message's link replaces it). It opens the page while the referral is live; leaving uses it
up. Every check lives here, so the page and the leave request cannot drift apart.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from workingbetter.adapters.store import Store
from workingbetter.domain import slots
from workingbetter.domain.records.referral import Appointment, Referral

MAX_TOKEN = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def referral_for(store: Store, token: str) -> Referral | None:
    """The live referral the link opens; None when the link is unknown, replaced, used up, or
    its referral has ended. Reading it never uses the link up."""
    referral_id, _, secret = token.partition(".")
    if not secret or len(token) > MAX_TOKEN:
        return None
    item = store.referrals.get(referral_id)
    if item is None or item.status.terminal:
        return None
    if not store.links.withdraw_link_is_live(referral_id, token_hash(token)):
        return None
    return item


def use_up(store: Store, token: str, referral_id: str) -> bool:
    """Leaving: the link is deleted as it is used (one request wins)."""
    return store.links.use_withdraw_link(referral_id, token_hash(token))


def upcoming(item: Referral) -> Appointment | None:
    """The patient's next appointment, if one is booked and still to come."""
    appointment = item.appointment
    if not appointment or not item.coach_id:
        return None
    # due_at is when it comes round on the real clock (the service clock may run faster).
    if slots.parse_iso(appointment.due_at or appointment.start) <= \
            datetime.now(UTC):
        return None
    return appointment
