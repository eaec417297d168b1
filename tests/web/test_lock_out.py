"""Wrong passwords lock an address after MAX_FAILURES tries in the window, however they are
sent: each attempt reserves its try (one conditional update that counts and decides) before
Cognito is asked, so a burst sent in parallel cannot slip extra guesses through."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from infra.cognito import DEMO_PASSWORD
from tests.web.pages import FORM, Pages, person
from workingbetter.adapters.sign_in import CognitoSignIn
from workingbetter.adapters.sign_in_attempts import MAX_FAILURES
from workingbetter.handlers.api import app
from workingbetter.web import login_pages

pytestmark = pytest.mark.integration

BURST = 14


class CountingCognito:
    """Cognito's sign-in, counting the passwords that reach it."""

    def __init__(self, real: CognitoSignIn) -> None:
        self.real = real
        self.tried: list[str] = []
        self._lock = threading.Lock()

    def password(self, email: str, password: str) -> object:
        with self._lock:
            self.tried.append(password)
        return self.real.password(email, password)


def _burst(email: str, password: str) -> list[int]:
    """BURST sign-ins sent at the same moment, each from its own client."""
    start = threading.Barrier(BURST)

    def one(_: int) -> int:
        client = Client(app)
        body = urlencode({"email": email, "password": password}).encode()
        start.wait(timeout=60)
        return int(client.http.post("/login", body=body,
                                    headers={"Content-Type": FORM}).status_code)

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(one, range(BURST)))


def test_bursts_of_wrong_passwords_in_parallel_let_at_most_five_tries_reach_cognito(
        pages: Pages, monkeypatch: pytest.MonkeyPatch) -> None:
    account = person("referrer:F83001")
    pages.pool.add(account)
    counting = CountingCognito(login_pages.cognito())
    monkeypatch.setattr(login_pages, "cognito", lambda: counting)

    for burst in range(3):
        statuses = _burst(account.email, f"wrong-guess-{burst}A")
        assert set(statuses) <= {401, 429}, statuses

    assert len(counting.tried) <= MAX_FAILURES
    locked = pages.post("/login", {"email": account.email, "password": DEMO_PASSWORD},
                        keys=False)
    assert locked.status == 429
    assert "wrong password too many times" in locked.error_summary()[0][1]
    assert "wb_token" not in pages.cookies
    assert DEMO_PASSWORD not in counting.tried  # the right one never reached Cognito either


def test_a_successful_sign_in_starts_the_count_again(pages: Pages) -> None:
    account = person("coach:coach-amara")
    pages.pool.add(account)
    for _ in range(MAX_FAILURES - 1):
        assert pages.post("/login", {"email": account.email, "password": "wrong-guess-1A"},
                          keys=False).status == 401
    assert pages.sign_in("coach:coach-amara").status == 303
    pages.cookies.clear()
    for _ in range(MAX_FAILURES - 1):
        assert pages.post("/login", {"email": account.email, "password": "wrong-guess-2A"},
                          keys=False).status == 401
    assert pages.sign_in("coach:coach-amara").status == 303
