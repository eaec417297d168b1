"""Signing in and out of `make run` over HTTP, as a browser does: the local stack (moto's
server, which a request without AWS credentials reaches without naming a region) ends a
signed-out person's refresh token, and the ID token they held opens nothing any more."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from infra import tokens
from infra.cognito import DEMO_PASSWORD, DOMAIN, LOCAL_CODE
from tests.local_stack_process import Running

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(local_stack: Running) -> Running:
    """The worker's one stack, shared with the browser files: this file refers no one, and its
    signing out ends only the refresh tokens ops held then (each browser test signs in anew)."""
    return local_stack


@dataclass
class Browser:
    """Just enough of a browser: one cookie jar, no redirects followed."""

    api: str
    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, path: str, fields: dict[str, str] | None = None,
             bearer: str | None = None) -> tuple[int, str, str]:
        where = urlsplit(self.api)
        connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if bearer:
            headers = {"Authorization": f"Bearer {bearer}"}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        reply = connection.getresponse()
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        text = reply.read().decode()
        connection.close()
        return reply.status, reply.headers.get("Location", ""), text


def _hidden(text: str, name: str) -> str:
    return text.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def test_after_signing_out_nothing_the_person_held_works(stack: Running) -> None:
    browser = Browser(stack.api)
    email = f"ops@{DOMAIN}"
    status, _, asked = browser.send("POST", "/login", {"email": email, "password": DEMO_PASSWORD})
    assert status == 200
    assert "Enter your security code" in asked
    status, landing, _ = browser.send("POST", "/login/code", {
        "email": email, "session": _hidden(asked, "session"), "code": LOCAL_CODE})
    assert (status, landing) == (303, "/ops")
    held = dict(browser.cookies)
    assert browser.send("GET", "/ops")[0] == 200
    assert browser.send("GET", "/referrals", bearer=held["wb_token"])[0] == 200

    assert browser.send("GET", "/session/sign-out")[1] == "/login?done=signed-out"

    pool = tokens.local_pool(stack.stack_file)
    cognito = pool.client()
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": held["wb_refresh"]})
    browser.cookies = dict(held)
    assert browser.send("GET", "/session/refresh?next=/ops")[1] == "/login"
    browser.cookies = {"wb_token": held["wb_token"]}
    assert browser.send("GET", "/ops")[1].startswith("/session/refresh")
    assert browser.send("GET", "/referrals", bearer=held["wb_token"])[0] == 401
