"""Keeping a sign-in going and ending it. Only these routes receive the refresh token (its
cookie's path is /session): a page whose ID token is expiring sends the browser here first."""

from __future__ import annotations

import contextlib

from chalice.app import Response

from workingbetter.adapters.sign_in import CannotSignIn, LockedOut, SignInRefused
from workingbetter.web.http import (
    REFRESH_COOKIE,
    SESSION_PATH,
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
    return redirect(next_page, [session_cookie(tokens.id_token, tokens.expires_in)])


@blueprint.route(f"{SESSION_PATH}/sign-out", methods=["GET"])
@page
def sign_out() -> Response:
    """Every refresh token of the account stops working (GlobalSignOut needs an access token:
    the refresh token gives a fresh one), and both cookies go."""
    refresh_token = cookies().get(REFRESH_COOKIE)
    if refresh_token:
        with contextlib.suppress(*_ENDED):  # already ended
            cognito().sign_out(cognito().refresh(refresh_token).access_token)
    return redirect("/login?done=signed-out", [clear_cookie(), clear_refresh_cookie()])
