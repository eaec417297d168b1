"""Signing in to the local stack: pick who you are, get the same token the API takes, as a
cookie. Only in local auth mode; deployed, Cognito signs people in and /login is not found."""

from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Response

from workingbetter.auth import Principal, Role, local_token
from workingbetter.domain import slots
from workingbetter.domain.errors import NotFound
from workingbetter.web.http import (
    FORM,
    Form,
    clear_cookie,
    html,
    page,
    principal,
    redirect,
    request,
    services,
    session_cookie,
)
from workingbetter.web.registry import blueprint

TOKEN_HOURS = 12
LANDING = {Role.REFERRER: "/practice", Role.COACH: "/coach", Role.OPS: "/ops"}


@dataclass(frozen=True)
class Identity:
    value: str
    label: str
    hint: str

    def token(self, secret: str) -> str:
        role, _, scope = self.value.partition(":")
        return local_token(Role(role), secret, ttl_seconds=TOKEN_HOURS * 3600,
                           practice_ods=scope if role == Role.REFERRER else None,
                           coach_id=scope if role == Role.COACH else None)


def identities() -> list[Identity]:
    """Everyone a person may act as locally: ops, staff at each practice, each coach."""
    found = [Identity("ops", "Service manager (ops)", "Watches every run; sees no personal data")]
    practices = services().referrals.practices()
    for p in practices:
        found.append(Identity(f"referrer:{p['practice_ods']}", f"Practice staff at {p['name']}",
                              f"Refers patients registered at {p['practice_ods']}"))
    for p in practices:
        for s in p["sessions"]:
            day = slots.WEEKDAYS[int(s["weekday"])].capitalize()
            found.append(Identity(f"coach:{s['coach_id']}", f"Coach {s['coach_id']}",
                                  f"In {p['name']} on {day}s"))
    return found


def _local_only() -> None:
    from workingbetter.settings import get_settings  # pydantic-settings: not at init

    if get_settings().auth_mode != "local":
        raise NotFound("Sign in with your organisation's account")


def _signed_in() -> Principal | None:
    try:
        return principal()
    except Exception:  # no cookie, or an expired or foreign one: not signed in
        return None


@blueprint.route("/", methods=["GET"])
@page
def start() -> Response:
    who = principal()
    return redirect(LANDING[who.role])


@blueprint.route("/login", methods=["GET"])
@page
def login_form() -> Response:
    _local_only()
    return html("login.html", title="Sign in", principal=_signed_in(), identities=identities(),
                error="")


@blueprint.route("/login", methods=["POST"], content_types=[FORM])
@page
def login() -> Response:
    _local_only()
    chosen = Form.parse(request().raw_body).get("identity")
    known = {i.value: i for i in identities()}
    if chosen not in known:
        return html("login.html", 422, title="Sign in", principal=None,
                    identities=list(known.values()),
                    error="Select who you are signing in as", errors=True)
    from workingbetter.settings import get_settings

    token = known[chosen].token(get_settings().local_jwt_secret)
    role = Role(chosen.partition(":")[0])
    return redirect(LANDING[role], **{"Set-Cookie": session_cookie(token, TOKEN_HOURS * 3600)})


@blueprint.route("/logout", methods=["GET"])
@page
def logout() -> Response:
    from workingbetter.settings import get_settings

    local = get_settings().auth_mode == "local"
    return redirect("/login" if local else "/", **{"Set-Cookie": clear_cookie()})
