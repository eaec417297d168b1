"""Cross-site request forgery: every form carries a nonce and an HMAC of it keyed by the
caller's own token. The session cookie is HttpOnly and SameSite=Lax already; this is the second
lock: another site can neither read the token nor compute the HMAC, so it cannot forge a form."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from workingbetter.domain.errors import Forbidden

EXPIRED = "This form has expired or was not sent from this service: reload the page and try again"


def new_nonce() -> str:
    """32 URL-safe characters; the referral form also uses it as its Idempotency-Key."""
    return secrets.token_urlsafe(24)


def token_for(session_token: str, nonce: str) -> str:
    return hmac.new(session_token.encode(), f"form:{nonce}".encode(), hashlib.sha256).hexdigest()


def check(session_token: str | None, nonce: str, sent: str) -> None:
    if not session_token or not nonce or not sent:
        raise Forbidden(EXPIRED)
    if not hmac.compare_digest(token_for(session_token, nonce), sent):
        raise Forbidden(EXPIRED)
