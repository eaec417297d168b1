"""Keeping a sign-in going and ending it. Only these routes receive the refresh token (its
cookie's path is /session): a page whose ID token is expiring sends the browser here first."""

from __future__ import annotations

import contextlib

from chalice.app import Response

from workingbetter.adapters.sign_in import CannotSignIn, LockedOut, SignInRefused, Tokens
from workingbetter.domain.errors import Unauthenticated
from workingbetter.routing import callers
from workingbetter.web.http import (
    REFRESH_COOKIE,
    SESSION_PATH,
    TOKEN_COOKIE,
    clear_cookie,
    clear_refresh_cookie,
    cookies,
    page,
    redirect,
    request,
    same_site_path,
    session_cookie,
)
from workingbetter.web.login_pages import cognito
from workingbetter.web.registry import blueprint

_ENDED = (SignInRefused, LockedOut, CannotSignIn)


def _subject(id_token: str) -> str | None:
    """Whose sign-in the token is, if it is still good."""
    try:
        return callers.signed_in(id_token).principal.subject
    except Unauthenticated:
        return None


@blueprint.route(f"{SESSION_PATH}/refresh", methods=["GET"])
@page
def refresh() -> Response:
    query: dict[str, str] = dict(request().query_params or {})
    next_page = same_site_path(query.get("next"))
    refresh_token = cookies().get(REFRESH_COOKIE)
    if not refresh_token:
        return redirect("/login", [clear_cookie()])
    try:
        tokens = cognito().refresh(refresh_token)
    except _ENDED:  # expired, or signed out elsewhere
        return redirect("/login", [clear_cookie(), clear_refresh_cookie()])
    if _subject(tokens.id_token) is None:  # a sign-in ended since (its ID tokens are refused)
        return redirect("/login", [clear_cookie(), clear_refresh_cookie()])
    return redirect(next_page, [session_cookie(tokens.id_token, tokens.expires_in)])


@blueprint.route(f"{SESSION_PATH}/sign-out", methods=["GET"])
@page
def sign_out() -> Response:
    """Every token of the person's sign-ins stops working, and both cookies go: the app
    refuses ID tokens issued before now (callers.end_sign_ins), and Cognito's GlobalSignOut
    ends the refresh and access tokens (it needs an access token: the refresh token gives a
    fresh one). Either cookie alone is enough to know whose sign-in ends."""
    held = cookies()
    fresh: Tokens | None = None
    if held.get(REFRESH_COOKIE):
        with contextlib.suppress(*_ENDED):  # already ended
            fresh = cognito().refresh(held[REFRESH_COOKIE])
    ending = {_subject(token) for token in (held.get(TOKEN_COOKIE), fresh and fresh.id_token)
              if token}
    for subject in ending - {None}:
        callers.end_sign_ins(str(subject))
    if fresh is not None:
        with contextlib.suppress(*_ENDED):
            cognito().sign_out(fresh.access_token)
    return redirect("/login?done=signed-out", [clear_cookie(), clear_refresh_cookie()])
