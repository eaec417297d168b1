"""Signing out signs out: from then on the ID token the person held opens no page and no API
route (Cognito's GlobalSignOut ends refresh and access tokens, but an ID token would stay good
until it expires, so the app refuses any token issued before the person's sign-out), and the
refresh token gets no new one."""

from __future__ import annotations

import boto3
import pytest
from chalice.test import Client

from tests.conftest import Cloud
from tests.web.pages import Pages
from workingbetter.handlers.api import app

pytestmark = pytest.mark.integration


def _api(token: str, path: str = "/referrals") -> int:
    reply = Client(app).http.get(path, headers={"Authorization": f"Bearer {token}"})
    return int(reply.status_code)


def test_after_signing_out_the_old_cookie_opens_no_page(pages: Pages) -> None:
    pages.sign_in("referrer:F83001")
    old = pages.cookies["wb_token"]
    assert pages.get("/practice").status == 200

    assert pages.get("/session/sign-out").location == "/login?done=signed-out"

    pages.cookies.clear()
    pages.cookies["wb_token"] = old  # kept by whoever copied it
    page = pages.follow(pages.get("/practice"))
    assert 'name="password"' in page.text
    assert "wb_token" not in pages.cookies
    pages.cookies["wb_token"] = old
    sent = pages.post("/referrals/new", {"nonce": "n", "csrf": "c"}, keys=False)
    assert (sent.status, sent.location) == (303, "/login")


def test_after_signing_out_the_old_bearer_opens_no_api_route(pages: Pages) -> None:
    pages.sign_in("ops")
    old = pages.cookies["wb_token"]
    assert _api(old) == 200
    assert _api(old, "/ops/notifications") == 200

    pages.get("/session/sign-out")

    assert _api(old) == 401
    assert _api(old, "/ops/notifications") == 401


def test_after_signing_out_the_old_refresh_token_gets_no_new_token(
        cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("coach:coach-amara")
    refresh_token = pages.cookies["wb_refresh"]

    pages.get("/session/sign-out")

    cognito = boto3.client("cognito-idp")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=cloud.built.pool.client_id,
                              AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": refresh_token})
    pages.cookies["wb_refresh"] = refresh_token
    assert pages.get("/session/refresh?next=/coach").location == "/login"


def test_signing_out_with_only_the_id_token_still_ends_it(pages: Pages) -> None:
    """The refresh cookie is sent only to /session/…; a sign-out that finds only the ID token
    (the refresh cookie lost or cleared) still ends that sign-in."""
    pages.sign_in("coach:coach-chloe")
    old = pages.cookies["wb_token"]
    del pages.cookies["wb_refresh"]

    pages.get("/session/sign-out")

    assert _api(old, "/referrals") == 401


def test_signing_in_again_after_signing_out_works(pages: Pages,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pages.sign_in("referrer:F83002")
    pages.get("/session/sign-out")
    import time

    time.sleep(1.1)  # tokens carry whole seconds: a new sign-in is a second later
    assert pages.sign_in("referrer:F83002").location == "/practice"
    assert pages.get("/practice").status == 200
