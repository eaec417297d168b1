"""The security headers every response carries, in one place (docs/architecture.md §4).

JSON and pages share the same rules (no caching, no sniffing, no framing) and differ only in
what each may load; HSTS goes on every response, JSON or page, once the service is deployed
behind HTTPS (the local stack speaks plain HTTP, where HSTS would be wrong).
"""

from __future__ import annotations

HSTS = "max-age=63072000; includeSubDomains; preload"
_EVERY = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
JSON = {
    **_EVERY,
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
# Styles, fonts and images from this origin only; no scripts at all: every page works without.
PAGE_CSP = ("default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HTML = {
    **_EVERY,
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": PAGE_CSP,
    "Referrer-Policy": "same-origin",
}


def transport(deployed: bool) -> dict[str, str]:
    """Added to every response: browsers come back over HTTPS only, once deployed."""
    return {"Strict-Transport-Security": HSTS} if deployed else {}
