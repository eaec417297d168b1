"""Who is calling: a Cognito ID token of our pool, signed RS256 with the pool's key, for our
app client, unexpired; then exactly one role and the scope the role needs. Nothing else gets in:
not HS256 (keyed with the public key or anything else), not alg none, not another pool's or
client's token, not an access token where an ID token is due."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from infra.cognito import moto_keys
from tests.tokens import forged
from workingbetter.adapters.token_check import CognitoPool, FetchedKeys, StaticKeys, TokenCheck
from workingbetter.domain.auth import Principal, Role, principal_from_claims
from workingbetter.domain.errors import Forbidden, Unauthenticated

POOL = CognitoPool("eu-west-2", "eu-west-2_testpool", "test-client-id")


class MemorySignOuts:
    """Sign-outs kept in a dict (the table's own behaviour: tests/unit/test_sign_outs.py)."""

    def __init__(self) -> None:
        self.at: dict[str, int] = {}

    def signed_out_at(self, subject: str) -> int | None:
        return self.at.get(subject)

    def record(self, subject: str, at: int) -> None:
        self.at[subject] = max(at, self.at.get(subject, at))


CHECK = TokenCheck(POOL, StaticKeys(moto_keys()), MemorySignOuts())


def token(changes: dict[str, Any] | None = None, **how: Any) -> str:
    return forged(changes, pool=POOL, **how)


def bearer(value: str) -> str:
    return f"Bearer {value}"


# -- a good token -------------------------------------------------------------------------------


def test_a_referrer_token_gives_a_referrer_scoped_to_their_practice() -> None:
    principal = CHECK.principal(token({"cognito:groups": ["referrer"], "custom:coach_id": None,
                                       "custom:practice_ods": "F83001"}))
    assert (principal.role, principal.practice_ods, principal.coach_id) == (
        Role.REFERRER, "F83001", None)
    assert principal.actor == "referrer:F83001"


def test_a_coach_token_gives_a_coach_with_their_coach_id() -> None:
    principal = CHECK.bearer(bearer(token()))
    assert (principal.role, principal.coach_id, principal.practice_ods) == (
        Role.COACH, "coach-amara", None)
    assert principal.actor == "coach:coach-amara"


def test_a_token_from_a_sign_in_the_person_has_since_ended_is_refused() -> None:
    sign_outs = MemorySignOuts()
    check = TokenCheck(POOL, StaticKeys(moto_keys()), sign_outs)
    now = int(time.time())
    earlier = token({"sub": "u-1", "auth_time": now - 120, "iat": now - 5})  # refreshed since
    sign_outs.record("u-1", now - 60)

    with pytest.raises(Unauthenticated, match="signed out"):
        check.bearer(bearer(earlier))
    with pytest.raises(Unauthenticated):  # a sign-in in the very second of the sign-out too
        check.principal(token({"sub": "u-1", "auth_time": now - 60}))
    assert check.principal(token({"sub": "u-1", "auth_time": now - 59})).role is Role.COACH
    assert check.principal(token({"sub": "u-2", "auth_time": now - 120})).role is Role.COACH


@pytest.mark.parametrize("role", [Role.OPS, Role.COMMISSIONER])
def test_ops_and_commissioners_have_no_practice_or_coach(role: Role) -> None:
    principal = CHECK.principal(token({"cognito:groups": [str(role)], "sub": "u-9"}))
    assert principal == Principal(role=role, subject="u-9")
    assert principal.actor == str(role)


def test_a_practice_claim_on_a_coach_token_gives_no_practice_scope() -> None:
    principal = CHECK.principal(token({"custom:practice_ods": "F83001"}))
    assert principal.role is Role.COACH
    assert principal.practice_ods is None


def test_an_access_token_is_checked_against_the_client_id_not_an_audience() -> None:
    access = token({"token_use": "access", "aud": None, "client_id": POOL.client_id})
    assert CHECK.claims(access, "access")["client_id"] == POOL.client_id
    with pytest.raises(Unauthenticated):
        CHECK.claims(token({"token_use": "access", "aud": None, "client_id": "another"}),
                     "access")


# -- not signed in ------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
                                    "bearer {token}", "Token {token}", "{token}"])
def test_a_missing_or_non_bearer_authorization_is_unauthenticated(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        CHECK.bearer(header.format(token=token()) if header is not None else None)


REFUSED: dict[str, Callable[[], str]] = {
    "expired": lambda: token({"exp": int(time.time()) - 10}),
    "no expiry": lambda: token({"exp": None}),
    "another pool": lambda: token({"iss": "https://cognito-idp.eu-west-2.amazonaws.com/other"}),
    "another issuer": lambda: token({"iss": "https://issuer.example.com"}),
    "another app client": lambda: token({"aud": "someone-else"}),
    "no audience": lambda: token({"aud": None}),
    "an access token": lambda: token({"token_use": "access", "aud": None,
                                      "client_id": POOL.client_id}),
    "no token_use": lambda: token({"token_use": None}),
    "no subject": lambda: token({"sub": None}),
    "signed by a stranger's key": lambda: token(signer="stranger"),
    "a key id the pool does not have": lambda: token(kid="other-key"),
    "HS256 keyed with the pool's public key": lambda: token(alg="HS256"),
    "HS512 keyed with the pool's public key": lambda: token(alg="HS512"),
    "alg none": lambda: token(alg="none"),
    "not a JWT": lambda: "not.a.jwt",
    "empty": lambda: "",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_no_token_but_the_pools_own_unexpired_id_token_gets_in(case: str) -> None:
    with pytest.raises(Unauthenticated):
        CHECK.bearer(bearer(REFUSED[case]()))


def test_an_expired_token_says_so() -> None:
    with pytest.raises(Unauthenticated, match="expired"):
        CHECK.principal(token({"exp": int(time.time()) - 10}))


def test_the_tampered_payload_of_a_good_token_is_unauthenticated() -> None:
    header, _, signature = token().split(".")
    raised = token({"cognito:groups": ["ops"]}).split(".")[1]
    with pytest.raises(Unauthenticated):
        CHECK.principal(f"{header}.{raised}.{signature}")


# -- signed in but not allowed ------------------------------------------------------------------


@pytest.mark.parametrize("groups", [["referrer", "coach"], ["coach", "ops"], [], ["admin"],
                                    ["Coach"]])
def test_a_token_not_in_exactly_one_known_group_is_forbidden(groups: list[str]) -> None:
    with pytest.raises(Forbidden):
        CHECK.principal(token({"cognito:groups": groups, "custom:practice_ods": "F83001"}))


def test_a_token_with_no_groups_claim_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        CHECK.principal(token({"cognito:groups": None}))


def test_an_unknown_group_alongside_a_role_is_ignored() -> None:
    assert CHECK.principal(token({"cognito:groups": ["coach", "beta-testers"]})).role \
        is Role.COACH


def test_a_referrer_without_a_practice_or_a_coach_without_an_id_is_forbidden() -> None:
    with pytest.raises(Forbidden, match="practice"):
        principal_from_claims({"sub": "s", "cognito:groups": ["referrer"]})
    with pytest.raises(Forbidden, match="coach"):
        principal_from_claims({"sub": "s", "cognito:groups": ["coach"]})


def test_a_principal_may_only_do_what_its_role_allows() -> None:
    coach = Principal(role=Role.COACH, subject="s", coach_id="c1")
    coach.require(Role.COACH, Role.REFERRER)
    with pytest.raises(Forbidden):
        coach.require(Role.OPS)


# -- the pool's keys ---------------------------------------------------------------------------


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, list[str]]]:
    """The pool's JWKS over HTTP on loopback, counting fetches."""
    fetched: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fetched.append(self.path)
            body = json.dumps(moto_keys()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", fetched
    server.shutdown()
    server.server_close()


def test_the_keys_are_fetched_once_and_kept(jwks_server: tuple[str, list[str]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint, fetched = jwks_server
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    check = TokenCheck(POOL, FetchedKeys(POOL.jwks_url()), MemorySignOuts())
    for _ in range(3):
        assert check.principal(token()).role is Role.COACH
    with pytest.raises(Unauthenticated):  # an unknown key id soon after: not fetched again
        check.principal(token(kid="rotated"))
    assert fetched == [f"/{POOL.pool_id}/.well-known/jwks.json"]


def test_the_keys_are_read_from_cognito_itself_on_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_COGNITO_IDP", raising=False)
    assert POOL.jwks_url() == (
        "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_testpool/.well-known/jwks.json")
    assert POOL.issuer == "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_testpool"


def test_keys_are_never_fetched_over_plain_http_from_elsewhere() -> None:
    with pytest.raises(ValueError, match="HTTPS"):
        FetchedKeys("http://keys.example.com/jwks.json").key("dummy")


def test_a_manager_may_also_hold_one_other_role_and_no_more() -> None:
    both = CHECK.principal(token({"cognito:groups": ["ops", "manager"], "sub": "u-3"}))
    alone = CHECK.principal(token({"cognito:groups": ["manager"], "sub": "u-4"}))

    assert (both.role, both.manages, both.roles) == (Role.OPS, True,
                                                     frozenset({Role.OPS, Role.MANAGER}))
    assert (alone.role, alone.manages) == (Role.MANAGER, False)
    both.require(Role.MANAGER)
    both.require(Role.OPS)
    with pytest.raises(Forbidden):
        alone.require(Role.OPS)
    with pytest.raises(Forbidden):
        CHECK.principal(token({"cognito:groups": ["ops", "coach", "manager"], "sub": "u-5"}))
