"""What every page shares: who is calling (the `wb_token` cookie: a Cognito ID token, checked
here as the JSON API checks its header), reading a posted form, HTML responses with security
headers, and turning domain errors into pages (never a stack trace)."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from chalice.app import Request, Response

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from workingbetter.observability import logger
from workingbetter.routing import callers, headers
from workingbetter.routing.problems import status_of
from workingbetter.web import csrf
from workingbetter.web.registry import blueprint
from workingbetter.web.render import render
from workingbetter.wiring import settings

if TYPE_CHECKING:
    from workingbetter.services.listing import Page

TOKEN_COOKIE = "wb_token"  # noqa: S105 - the cookie's name, not a secret
# The refresh token goes only to /session/…, where it is used (refresh, sign out).
REFRESH_COOKIE = "wb_refresh"
SESSION_PATH = "/session"
REFRESH_MARGIN_SECONDS = 5 * 60  # a page asked for this close to expiry refreshes the token first
FORM = "application/x-www-form-urlencoded"


def request() -> Request:
    return blueprint.current_request


def cookies() -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request().headers.get("cookie") or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def csrf_key(id_token: str) -> str | None:
    """What a sign-in's forms are keyed by (csrf.py): the ID token's `origin_jti`, the same
    after every refresh of one sign-in (so a form shown before a refresh can still be sent)
    and unknown to other sites (the cookie is HttpOnly)."""
    try:
        return callers.sign_in_of(id_token)
    except Unauthenticated:
        return None


def session_token() -> str | None:
    """The key of the caller's forms' CSRF tokens, from the sign-in cookie."""
    token = cookies().get(TOKEN_COOKIE)
    return csrf_key(token) if token else None


class RefreshDue(Unauthenticated):
    """The ID token is about to expire: fetch a fresh one before showing the page."""


def _ending(caller: callers.SignedIn) -> bool:
    """Within the margin of its expiry, or past half its life if it lives shorter than that
    (so a freshly refreshed token is never 'ending': no redirect loop)."""
    exp, iat = caller.expires_at, caller.issued_at
    return exp - time.time() < min(REFRESH_MARGIN_SECONDS, (exp - iat) / 2)


def principal() -> Principal:
    """The caller, from the cookie's ID token. A page opened (GET) within a few minutes of the
    token's expiry is sent to refresh it first, so a form shown is not refused when sent."""
    token = cookies().get(TOKEN_COOKIE)
    if not token:
        raise Unauthenticated("Sign in to use this service")
    caller = callers.signed_in(token)
    if request().method == "GET" and _ending(caller):
        raise RefreshDue("Your sign-in is about to expire")
    return caller.principal


def manager() -> Principal:
    """The caller, who must be a service manager (the /manage pages)."""
    who = principal()
    who.require(Role.MANAGER)
    return who


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


@dataclass(frozen=True)
class FormKeys:
    """The keys of a page's forms. Each form rendered asks for its own (`pair`): a fresh nonce
    and its CSRF token, so no two forms share a nonce, which is also the Idempotency-Key of a
    form that records something. A form shown again after its own mistakes may keep the
    nonce it was sent with (`kept_keys`), so that sending it corrected still records once."""

    session: str
    kept: tuple[str, str] | None = None  # (nonce, csrf) as the form sent them

    def pair(self) -> dict[str, str]:
        if self.kept is not None:
            return {"nonce": self.kept[0], "csrf": self.kept[1]}
        nonce = csrf.new_nonce()
        return {"nonce": nonce, "csrf": csrf.token_for(self.session, nonce)}


def form_keys() -> FormKeys:
    return FormKeys(session_token() or "")


def kept_keys(form: Form) -> FormKeys:
    """The keys a posted form came with, for showing that one form again."""
    return FormKeys("", (form.get("nonce"), form.get("csrf")))


def html(template: str, status: int = 200, **context: Any) -> Response:
    """A page; one with a `principal` says who is signed in, by name, in its header."""
    who = context.get("principal")
    if isinstance(who, Principal):
        from workingbetter.web.people import signed_in_as

        context.setdefault("signed_in_as", signed_in_as(who))
    return Response(body=render(template, **context), status_code=status,
                    headers=dict(headers.HTML))


def page_links(path: str, shown: Page, **keep: str | None) -> dict[str, str]:
    """The GOV.UK pagination component's links: the cursor, and the filters kept."""
    kept = {name: value for name, value in keep.items() if value}
    return {rel: f"{path}?{urlencode({**kept, 'cursor': cursor})}"
            for rel, cursor in (("previous", shown.previous), ("next", shown.next)) if cursor}


_PRINTABLE = re.compile(r"[!-~]*")  # printable ASCII: no space, control or other character


def _plain_path(path: str) -> bool:
    """One leading slash (so no scheme and no host), printable, no backslash (which browsers
    read as a slash)."""
    return (path.startswith("/") and not path.startswith("//") and "\\" not in path
            and _PRINTABLE.fullmatch(path) is not None)


def same_site_path(value: str | None, default: str = "/") -> str:
    """`value` when it is a page of this site, else `default`: never an open redirect, and
    nothing that cannot go in a Location header. Browsers drop tabs and newlines from a URL
    (a tab between two slashes reads `//evil.example` to them) and some servers decode a
    path again, so the path is checked as sent and as decoded, until decoding changes
    nothing."""
    if not value or not _PRINTABLE.fullmatch(value) or "\\" in value:
        return default
    seen = value.split("?", 1)[0].split("#", 1)[0]
    for _ in range(3):
        if not _plain_path(seen):
            return default
        decoded = unquote(seen)
        if decoded == seen:
            return value
        seen = decoded
    return default  # still encoded three times over: no page of ours looks like that


def redirect(location: str, cookies: list[str] | None = None) -> Response:
    sent: dict[str, str | list[str]] = {**headers.HTML, "Location": location}
    if cookies:
        sent["Set-Cookie"] = cookies
    return Response(body="", status_code=303, headers=sent)


def error_page(status: int, title: str, detail: str, who: Principal | None = None) -> Response:
    return html("error.html", status, title=title, detail=detail, principal=who)


def page(view: Callable[..., Response]) -> Callable[..., Response]:
    """Domain errors as pages: a missing or expired sign-in goes to the login page locally."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Unauthenticated:
            return signed_out()
        except Forbidden as error:
            return error_page(403, "You cannot do this", error.detail)
        except NotFound:
            return error_page(404, "Page not found",
                              "If you typed the web address, check it is correct.")
        except DomainError as error:
            return error_page(status_of(error), error.title, error.detail)
        except Exception:
            logger.exception("unhandled error on a page")
            return error_page(500, "Sorry, there is a problem with the service",
                              "Nothing was changed twice. Try again later.")

    return wrapper


def _here() -> str:
    """This page's path and query, as the app sees it (no stage prefix)."""
    context = request().context or {}
    path = str(context.get("resourcePath") or "/").format(**(request().uri_params or {}))
    query = dict(request().query_params or {})
    return f"{path}?{urlencode(query)}" if query else path


def signed_out() -> Response:
    """No valid sign-in: a page opened is retried with a refreshed token (the refresh route
    sends the person to /login if that cannot be done); a form sent goes to /login."""
    if request().method == "GET":
        here = _here()
        return redirect(f"{SESSION_PATH}/refresh?{urlencode({'next': here}, quote_via=quote)}")
    return redirect("/login", [clear_cookie()])


def secure() -> str:
    """The cookie attribute every cookie carries once the service is served over HTTPS."""
    return "; Secure" if settings().deployed else ""


def session_cookie(token: str, max_age: int) -> str:
    return (f"{TOKEN_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
            f"{secure()}")


def refresh_cookie(token: str) -> str:
    """Kept until the browser closes; Cognito ends the token itself after its validity."""
    return (f"{REFRESH_COOKIE}={token}; Path={SESSION_PATH}; HttpOnly; SameSite=Strict"
            f"{secure()}")


def clear_cookie() -> str:
    return f"{TOKEN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure()}"


def clear_refresh_cookie() -> str:
    return (f"{REFRESH_COOKIE}=; Path={SESSION_PATH}; Max-Age=0; HttpOnly; "
            f"SameSite=Strict{secure()}")
