"""Signing in with Cognito (moto's, in-process): email address and password at /login, the
authenticator app's code, lock-out after wrong passwords, the ID token in an HttpOnly cookie
refreshed before it expires, and signing out everywhere."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import boto3
import jwt
import pytest

from infra.cognito import DEMO_PASSWORD, LOCAL_CODE
from tests.conftest import Cloud
from tests.tokens import BAD_TOKENS
from tests.web.pages import REFERRAL_FORM, Pages, person
from workingbetter.adapters.sign_in_attempts import MAX_FAILURES
from workingbetter.domain.auth import Role
from workingbetter.web import http, login_pages

pytestmark = pytest.mark.integration


class _Later:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def time(self) -> float:
        return time.time() + self.seconds


@contextlib.contextmanager
def pages_clock_at(monkeypatch: pytest.MonkeyPatch, seconds: float) -> Iterator[None]:
    """The pages see the clock this much later (the token check itself does not)."""
    with monkeypatch.context() as patched:
        patched.setattr(http, "time", _Later(seconds))
        yield


def test_a_page_without_a_sign_in_sends_you_to_the_login_page(pages: Pages) -> None:
    for path in ("/", "/referrals/new", "/coach", "/ops?status=FAILED"):
        page = pages.get(path)
        assert page.status == 303, path
        assert page.location.startswith("/session/refresh?next=%2F"), path
        assert pages.follow(page).text.count('name="password"') == 1, path


@pytest.mark.parametrize(("identity", "landing"), [
    ("referrer:F83002", "/practice"), ("coach:coach-chloe", "/coach"), ("ops", "/ops")])
def test_signing_in_sets_http_only_cookies_and_lands_by_role(
        pages: Pages, identity: str, landing: str) -> None:
    page = pages.sign_in(identity)

    assert (page.status, page.location) == (303, landing)
    id_cookie, refresh = page.set_cookies
    assert id_cookie.startswith("wb_token=ey")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/;", "Max-Age=3600"):
        assert attribute in id_cookie
    assert "Secure" not in id_cookie  # the local stack (and this test) speaks plain HTTP
    assert refresh.startswith("wb_refresh=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/session"):
        assert attribute in refresh
    assert pages.get(landing).status == 200
    assert pages.get("/").location == landing


def test_the_cookie_holds_a_cognito_id_token_of_the_pool(cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("coach:coach-chloe")
    claims = jwt.decode(pages.cookies["wb_token"], options={"verify_signature": False})
    assert jwt.get_unverified_header(pages.cookies["wb_token"])["alg"] == "RS256"
    assert claims["iss"].endswith(f"/{cloud.built.pool.pool_id}")
    assert claims["aud"] == cloud.built.pool.client_id
    assert (claims["token_use"], claims["cognito:groups"]) == ("id", ["coach"])
    assert claims["custom:coach_id"] == "coach-chloe"


def test_a_wrong_password_and_an_unknown_address_read_the_same(pages: Pages) -> None:
    pages.pool.add(person("coach:coach-chloe"))
    wrong = pages.post("/login", {"email": "coach-chloe@workingbetter.example",
                                  "password": "not-the-password"}, keys=False)
    unknown = pages.post("/login", {"email": "nobody@workingbetter.example",
                                    "password": "not-the-password"}, keys=False)

    for page in (wrong, unknown):
        assert page.status == 401
        assert page.error_summary() == [("#email", "Enter a correct email address and password")]
        assert "set-cookie" not in page.headers
        assert 'value="not-the-password"' not in page.text  # a password is never shown again
    assert 'value="coach-chloe@workingbetter.example"' in wrong.text


def test_an_empty_form_names_both_fields(pages: Pages) -> None:
    page = pages.post("/login", {"email": "", "password": ""}, keys=False)
    assert page.status == 422
    assert page.error_summary() == [("#email", "Enter your email address"),
                                    ("#password", "Enter your password")]


def test_wrong_passwords_lock_the_account_even_with_the_right_one(pages: Pages) -> None:
    account = person("referrer:F83001")
    pages.pool.add(account)
    for _ in range(MAX_FAILURES):
        assert pages.post("/login", {"email": account.email, "password": "guess-1234567"},
                          keys=False).status == 401

    locked = pages.post("/login", {"email": account.email.upper(), "password": DEMO_PASSWORD},
                        keys=False)

    assert locked.status == 429
    assert "wrong password too many times" in locked.error_summary()[0][1]
    assert "set-cookie" not in locked.headers


def test_cognitos_own_lock_out_is_shown_as_a_lock_out(pages: Pages,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    def exceeded(*args: object, **kwargs: object) -> None:
        raise ClientError({"Error": {"Code": "NotAuthorizedException",
                                     "Message": "Password attempts exceeded"}}, "InitiateAuth")

    monkeypatch.setattr(login_pages.cognito()._client, "initiate_auth", exceeded)
    page = pages.post("/login", {"email": "a@b.example", "password": "whatever-123A"},
                      keys=False)
    assert page.status == 429
    assert "wrong password too many times" in page.error_summary()[0][1]


def test_a_sign_in_must_pass_the_authenticator_code(pages: Pages) -> None:
    account = person("ops")
    pages.pool.add(account)
    asked = pages.post("/login", {"email": account.email, "password": DEMO_PASSWORD},
                       keys=False)
    assert asked.status == 200
    assert "Enter your security code" in asked.text
    assert "set-cookie" not in asked.headers

    wrong = pages.post("/login/code", {"email": account.email, "session": asked.hidden("session"),
                                       "code": "12"}, keys=False)
    assert wrong.status == 422
    assert wrong.error_summary() == [("#code", login_pages.WRONG_CODE)]

    signed_in = pages.post("/login/code", {"email": account.email,
                                           "session": asked.hidden("session"),
                                           "code": LOCAL_CODE}, keys=False)
    assert (signed_in.status, signed_in.location) == (303, "/ops")


@pytest.mark.parametrize("problem", sorted(BAD_TOKENS))
def test_no_page_takes_a_bad_token_as_a_sign_in(pages: Pages, problem: str) -> None:
    bad = BAD_TOKENS[problem]({"cognito:groups": ["ops"], "custom:coach_id": None})
    for path in ("/ops", "/coach", "/referrals/new", "/"):
        if bad is not None:
            pages.cookies["wb_token"] = bad
        page = pages.follow(pages.get(path))
        assert 'name="password"' in page.text, (problem, path)
        assert "wb_token" not in pages.cookies
        sent = pages.post("/ops/referrals/x/retry", {"nonce": "n", "csrf": "c"}, keys=False)
        assert (sent.status, sent.location) == (303, "/login"), (problem, path)


def test_a_token_near_its_expiry_is_refreshed_before_the_page_is_shown(
        cloud: Cloud, pages: Pages, monkeypatch: pytest.MonkeyPatch) -> None:
    pages.sign_in("coach:coach-amara")
    first = pages.cookies["wb_token"]
    time.sleep(1.1)  # a new token has a later iat
    with pages_clock_at(monkeypatch, 3600 - 60):  # a minute before the hour-long token ends
        page = pages.get("/coach")
    assert page.location == "/session/refresh?next=%2Fcoach"
    back = pages.get(page.location)
    assert back.location == "/coach"
    assert pages.cookies["wb_token"] != first
    assert pages.get("/coach").status == 200


def test_refresh_sends_you_only_to_a_page_of_this_site(pages: Pages) -> None:
    pages.sign_in("coach:coach-amara")
    for next_page in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = pages.get(f"/session/refresh?next={next_page}")
        assert page.location == "/", next_page


def test_signing_out_ends_the_refresh_token_everywhere(cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("ops")
    refresh_token = pages.cookies["wb_refresh"]

    page = pages.get("/session/sign-out")

    assert (page.status, page.location) == (303, "/login?done=signed-out")
    assert pages.cookies == {}
    assert "You have signed out" in pages.get(page.location).text
    assert pages.follow(pages.get("/ops")).text.count('name="password"') == 1
    cognito = boto3.client("cognito-idp")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=cloud.built.pool.client_id,
                              AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": refresh_token})
    # A refresh after signing out sends you to sign in again.
    pages.cookies["wb_refresh"] = refresh_token
    assert pages.get("/session/refresh?next=/ops").location == "/login"


def test_cookies_are_secure_when_served_over_https(pages: Pages,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from workingbetter.settings import get_settings

    monkeypatch.setenv("WB_PUBLIC_URL", "https://working-better.example.nhs.uk")
    get_settings.cache_clear()
    page = pages.sign_in("coach:coach-amara")
    assert all("; Secure" in cookie for cookie in page.set_cookies)
    # Host-only: served at the council's address through CloudFront, never a parent domain.
    assert not any("domain=" in cookie.lower() for cookie in page.set_cookies)
    get_settings.cache_clear()


def test_a_commissioner_lands_where_their_reports_will_be(pages: Pages) -> None:
    page = pages.sign_in("commissioner")
    expected = login_pages.landing(Role.COMMISSIONER)  # /reports once the app serves it
    assert page.location == expected
    assert pages.follow(page).status == 200


def test_a_form_shown_before_a_refresh_can_be_sent_after_it(
        pages: Pages, monkeypatch: pytest.MonkeyPatch) -> None:
    pages.sign_in("referrer:F83001")
    form = pages.get("/referrals/new")
    first = pages.cookies["wb_token"]
    time.sleep(1.1)  # a new token has a later iat
    with pages_clock_at(monkeypatch, 3600 - 60):
        refreshing = pages.get("/referrals/new")  # another tab refreshes the sign-in
    pages.follow(refreshing)
    assert pages.cookies["wb_token"] != first

    posted = pages.post("/referrals/new", {"nonce": form.hidden("nonce"),
                                           "csrf": form.hidden("csrf"), **REFERRAL_FORM})

    assert posted.status == 303, posted.error_summary()  # on to the confirmation (PRG)
    sent = pages.get(posted.location)
    assert sent.status == 200
    assert "Referral sent" in sent.text
