"""What every page shares: who is calling (the `wb_token` cookie), reading a posted form, HTML
responses with security headers, and turning domain errors into pages (never a stack trace)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from chalice.app import Request, Response

from workingbetter.auth import Principal, verify_local_token
from workingbetter.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from workingbetter.observability import logger
from workingbetter.problems import STATUS
from workingbetter.web import csrf
from workingbetter.web.registry import blueprint
from workingbetter.web.render import render

if TYPE_CHECKING:
    from workingbetter.api import Services
    from workingbetter.listing import Page

TOKEN_COOKIE = "wb_token"  # noqa: S105 - the cookie's name, not a secret
FORM = "application/x-www-form-urlencoded"
# Styles, fonts and images from this origin only; no scripts at all: every page works without.
CSP = ("default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def services() -> Services:
    """The API's adapters (imported late: api.py imports this package to register it)."""
    from workingbetter.api import services as shared

    return shared()


def request() -> Request:
    return blueprint.current_request


def cookies() -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request().headers.get("cookie") or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def session_token() -> str | None:
    """The caller's bearer token: the cookie, or an Authorization header (deployed, API
    Gateway's authoriser has already checked that one)."""
    token = cookies().get(TOKEN_COOKIE)
    if token:
        return token
    header = request().headers.get("authorization") or ""
    return header.removeprefix("Bearer ").strip() or None


def principal() -> Principal:
    from workingbetter.settings import get_settings  # pydantic-settings: not at init

    settings = get_settings()
    if settings.auth_mode == "local":
        token = cookies().get(TOKEN_COOKIE)
        return verify_local_token(f"Bearer {token}" if token else None,
                                  settings.local_jwt_secret)
    from workingbetter.api import caller

    return caller()


@dataclass(frozen=True)
class Form:
    """A posted form: every value a list, as browsers send repeated names (checkboxes)."""

    values: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: bytes | str | None) -> Form:
        try:
            text = raw.decode() if isinstance(raw, bytes) else raw or ""
        except UnicodeDecodeError:
            text = ""
        return cls(parse_qs(text, keep_blank_values=True, max_num_fields=200))

    def get(self, name: str) -> str:
        found = self.values.get(name)
        return found[0].strip() if found else ""

    def all(self, name: str) -> list[str]:
        return [v.strip() for v in self.values.get(name, []) if v.strip()]


def posted_form() -> Form:
    """The form, after checking its CSRF token against the caller's own token."""
    form = Form.parse(request().raw_body)
    csrf.check(session_token(), form.get("nonce"), form.get("csrf"))
    return form


def form_keys() -> dict[str, str]:
    """A fresh nonce for the forms on a page, and its CSRF token."""
    nonce = csrf.new_nonce()
    return {"nonce": nonce, "csrf": csrf.token_for(session_token() or "", nonce)}


def html(template: str, status: int = 200, **context: Any) -> Response:
    return Response(body=render(template, **context), status_code=status,
                    headers=dict(HTML_HEADERS))


def page_links(path: str, shown: Page, **keep: str | None) -> dict[str, str]:
    """The GOV.UK pagination component's links: the cursor, and the filters kept."""
    kept = {name: value for name, value in keep.items() if value}
    return {rel: f"{path}?{urlencode({**kept, 'cursor': cursor})}"
            for rel, cursor in (("previous", shown.previous), ("next", shown.next)) if cursor}


def redirect(location: str, **headers: str) -> Response:
    return Response(body="", status_code=303,
                    headers={**HTML_HEADERS, "Location": location, **headers})


def error_page(status: int, title: str, detail: str, who: Principal | None = None) -> Response:
    return html("error.html", status, title=title, detail=detail, principal=who)


def page(view: Callable[..., Response]) -> Callable[..., Response]:
    """Domain errors as pages: a missing or expired sign-in goes to the login page locally."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Unauthenticated as error:
            from workingbetter.settings import get_settings

            if get_settings().auth_mode == "local":
                return redirect("/login", **{"Set-Cookie": clear_cookie()})
            return error_page(401, "Sign in to use this service", error.detail)
        except Forbidden as error:
            return error_page(403, "You cannot do this", error.detail)
        except NotFound:
            return error_page(404, "Page not found",
                              "If you typed the web address, check it is correct.")
        except DomainError as error:
            return error_page(STATUS.get(type(error), 400), error.title, error.detail)
        except Exception:
            logger.exception("unhandled error on a page")
            return error_page(500, "Sorry, there is a problem with the service",
                              "Nothing was changed twice. Try again later.")

    return wrapper


def session_cookie(token: str, max_age: int) -> str:
    return f"{TOKEN_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"


def clear_cookie() -> str:
    return f"{TOKEN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
