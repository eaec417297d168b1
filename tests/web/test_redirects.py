"""A page that sends you on (`next`, `back`) only ever sends you to a page of this site: one
leading slash, then printable characters with no backslash, no whitespace, no control
characters and no scheme or host even once decoded. Anything else goes to a safe default,
never elsewhere and never a 500."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.web.pages import Pages
from workingbetter.web import csrf
from workingbetter.web.http import csrf_key, same_site_path
from workingbetter.wiring import services

pytestmark = pytest.mark.integration

ATTACKS = ["/\t/evil.example", "/\r\nSet-Cookie:x", "//evil.example", "/\\evil.example",
           "https://evil.example/", "/%2F%2Fevil.example", "/ /evil.example",
           "/\x00/evil.example", "\t//evil.example", "/%5Cevil.example", "/\u3000/evil.example",
           "/%09/evil.example", "javascript:alert(1)", "/\x7f/evil.example"]


def assert_same_site(location: str) -> None:
    """A path of this site as sent, and its path part as decoded once and twice over (a
    query can hold anything encoded: it cannot change where the browser goes)."""
    assert all("!" <= c <= "~" for c in location), location
    path = location.split("?", 1)[0].split("#", 1)[0]
    for seen in (location, path, unquote(path), unquote(unquote(path))):
        assert seen.startswith("/"), location
        assert not seen.startswith(("//", "/\\")), location
        assert "\\" not in seen, location
        assert all("!" <= c <= "~" for c in seen), location
        parts = urlsplit(seen)
        assert (parts.scheme, parts.netloc) == ("", ""), location


@pytest.fixture
def signed_in(pages: Pages) -> Pages:
    pages.sign_in("coach:coach-amara")
    return pages


@pytest.mark.parametrize("target", ATTACKS)
def test_refresh_sends_you_only_to_a_page_of_this_site(signed_in: Pages, target: str) -> None:
    page = signed_in.get(f"/session/refresh?{urlencode({'next': target}, quote_via=quote)}")
    assert page.status == 303
    assert page.location == "/", target


def test_refresh_keeps_a_page_of_this_site_with_its_query(signed_in: Pages) -> None:
    page = signed_in.get("/session/refresh?next=%2Fcoach%2Fdiary%3Fweek%3D2026-01-05")
    assert page.location == "/coach/diary?week=2026-01-05"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.builds(lambda rest: "/" + rest, st.text(st.characters(codec="utf-8"), max_size=30)),
    st.builds("".join, st.lists(st.sampled_from(
        ["/", "\\", "\t", "\r", "\n", " ", "%", "2F", "5C", "09", ":", "evil.example", "@",
         "?", "#", "\x00", "\u2028"]), max_size=8))))
@example(target="/\t/evil.example")
@example(target="/\r\nSet-Cookie:x")
def test_whatever_next_says_refresh_sends_you_to_a_page_of_this_site(
        signed_in: Pages, target: str) -> None:
    page = signed_in.get(f"/session/refresh?{urlencode({'next': target}, quote_via=quote)}")
    assert page.status == 303, target
    assert_same_site(page.location)


@settings(max_examples=2000, deadline=None)
@given(target=st.text(st.characters(codec="utf-8"), max_size=40))
def test_a_target_is_kept_only_when_it_is_a_page_of_this_site(target: str) -> None:
    kept = same_site_path(target, "/default")
    assert kept in (target, "/default")
    assert_same_site(kept)


class RecordsNothing:
    """The diary's follow-ups, answering as if the outcome was recorded."""

    def record_outcome(self, *args: object) -> None:
        return None


@pytest.mark.parametrize("back", ["/coach/\r\nSet-Cookie:x", "/coach/\t/evil.example",
                                  "/coach/%0d%0aSet-Cookie:x", "//evil.example/coach/",
                                  "https://evil.example/coach/", "/ops"])
def test_a_diary_form_goes_back_only_to_a_coach_page(
        signed_in: Pages, monkeypatch: pytest.MonkeyPatch, back: str) -> None:
    monkeypatch.setattr(services(), "follow_ups", RecordsNothing())
    nonce = csrf.new_nonce()
    keys = {"nonce": nonce,
            "csrf": csrf.token_for(csrf_key(signed_in.cookies["wb_token"]) or "", nonce)}
    page = signed_in.post("/coach/diary/r-1/f-1", {"outcome": "attended", "back": back, **keys})
    assert (page.status, page.location) == (303, "/coach/diary")
