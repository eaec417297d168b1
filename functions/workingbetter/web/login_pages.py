"""Signing in with Cognito: email address and password, then the authenticator app's code
when the account has one. Service managers (ops) must use an app: an ops account without one
sets it up here before it can go on. Deployed and locally alike (locally, moto's Cognito).

The ID token goes in the `wb_token` cookie, the refresh token in `wb_refresh`, sent only to
/session/… (session_pages.py refreshes and signs out)."""

from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Response

from workingbetter.adapters.sign_in import (
    CannotSignIn,
    CodeNeeded,
    CognitoSignIn,
    LockedOut,
    SignInRefused,
    Tokens,
)
from workingbetter.adapters.sign_in_attempts import WINDOW_SECONDS, Attempts
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Unauthenticated
from workingbetter.handlers import callers
from workingbetter.web.http import (
    FORM,
    Form,
    cookies,
    html,
    page,
    principal,
    redirect,
    refresh_cookie,
    request,
    secure,
    session_cookie,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

LANDING = {Role.REFERRER: "/practice", Role.COACH: "/coach", Role.OPS: "/ops",
           Role.COMMISSIONER: "/reports"}
# Roles whose sign-in must pass the authenticator app's code (Cognito's MFA is per pool, not
# per group: the pool makes it optional, the service requires it of these roles).
APP_REQUIRED = frozenset({Role.OPS})
SETUP_COOKIE = "wb_app_setup"  # the access token, only while an authenticator app is set up
SETUP_PATH = "/login/app"
SETUP_SECONDS = 10 * 60
WRONG = "Enter a correct email address and password"
LOCKED = (f"You have entered a wrong password too many times. Wait {WINDOW_SECONDS // 60} "
          "minutes, then try again")
CANNOT = "This account cannot sign in. Ask the service desk to check it"
WRONG_CODE = "Enter the 6-digit code shown in your authenticator app"


def cognito() -> CognitoSignIn:
    return services().sign_in


def attempts() -> Attempts:
    return services().sign_in_attempts


@dataclass(frozen=True)
class Typed:
    """What was typed into the sign-in form (the password is never shown again)."""

    email: str = ""
    password: str = ""

    def errors(self) -> dict[str, str]:
        found = {}
        if not self.email:
            found["email"] = "Enter your email address"
        elif "@" not in self.email:
            found["email"] = "Enter an email address in the correct format, like name@nhs.net"
        if not self.password:
            found["password"] = "Enter your password"  # noqa: S105 - a message, not a secret
        return found


def _signed_in() -> Principal | None:
    try:
        return principal()
    except Unauthenticated:
        return None


def _form(typed: Typed, errors: dict[str, str], status: int = 200, notice: str = "") -> Response:
    return html("login.html", status, title="Sign in", principal=None, email=typed.email,
                errors=errors, notice=notice)


def _code_page(email: str, session: str, error: str = "") -> Response:
    return html("login_code.html", 422 if error else 200, title="Enter your security code",
                principal=None, email=email, session=session, error=error)


def landing(role: Role) -> str:
    """Where a role starts: its own start page."""
    return LANDING[role]


def _signed_in_as(tokens: Tokens, used_code: bool) -> Response:
    who = callers.signed_in(tokens.id_token).principal
    if who.role in APP_REQUIRED and not used_code:
        return _start_app_setup(tokens)
    set_cookies = [session_cookie(tokens.id_token, tokens.expires_in)]
    if tokens.refresh_token:
        set_cookies.append(refresh_cookie(tokens.refresh_token))
    return redirect(landing(who.role), set_cookies)


@blueprint.route("/", methods=["GET"])
@page
def start() -> Response:
    return redirect(landing(principal().role))


@blueprint.route("/login", methods=["GET"])
@page
def login_form() -> Response:
    notice = {"signed-out": "You have signed out",
              "app-ready": "Your authenticator app is set up. Sign in again with its code"}
    query: dict[str, str] = dict(request().query_params or {})
    shown = notice.get(query.get("done", ""), "")
    return html("login.html", title="Sign in", principal=_signed_in(), email="", errors={},
                notice=shown)


@blueprint.route("/login", methods=["POST"], content_types=[FORM])
@page
def login() -> Response:
    form = Form.parse(request().raw_body)
    typed = Typed(form.get("email"), form.values.get("password", [""])[0])
    if typed.errors():
        return _form(typed, typed.errors(), 422)
    if not attempts().reserve(typed.email):  # a try is taken before Cognito is asked
        return _form(typed, {"email": LOCKED}, 429)
    try:
        outcome = cognito().password(typed.email, typed.password)
    except SignInRefused:
        return _form(typed, {"email": WRONG}, 401)
    except LockedOut:
        return _form(typed, {"email": LOCKED}, 429)
    except CannotSignIn:
        return _form(typed, {"email": CANNOT}, 403)
    attempts().succeeded(typed.email)
    if isinstance(outcome, CodeNeeded):
        return _code_page(typed.email, outcome.session)
    return _signed_in_as(outcome, used_code=False)


@blueprint.route("/login/code", methods=["POST"], content_types=[FORM])
@page
def login_code() -> Response:
    form = Form.parse(request().raw_body)
    email, session, code = form.get("email"), form.get("session"), form.get("code")
    if not (code.isdigit() and len(code) == 6):
        return _code_page(email, session, WRONG_CODE)
    try:
        outcome = cognito().code(email, session, code)
    except SignInRefused:
        return _code_page(email, session, WRONG_CODE)
    except (LockedOut, CannotSignIn):
        return _form(Typed(email), {"email": CANNOT}, 403)
    if isinstance(outcome, CodeNeeded):
        return _code_page(email, outcome.session, WRONG_CODE)
    return _signed_in_as(outcome, used_code=True)


# -- setting up an authenticator app ---------------------------------------------------------


def _setup_cookie(access_token: str, max_age: int) -> str:
    return (f"{SETUP_COOKIE}={access_token}; Path={SETUP_PATH}; Max-Age={max_age}; HttpOnly; "
            f"SameSite=Strict{secure()}")


def _start_app_setup(tokens: Tokens) -> Response:
    secret = cognito().start_app_setup(tokens.access_token)
    response = html("login_app.html", title="Set up an authenticator app", principal=None,
                    secret=secret, error="")
    response.headers["Set-Cookie"] = _setup_cookie(tokens.access_token, SETUP_SECONDS)
    return response


@blueprint.route(SETUP_PATH, methods=["POST"], content_types=[FORM])
@page
def app_setup() -> Response:
    access_token = cookies().get(SETUP_COOKIE)
    if not access_token:
        return redirect("/login")
    form = Form.parse(request().raw_body)
    code = form.get("code")
    try:
        if not (code.isdigit() and len(code) == 6):
            raise SignInRefused
        cognito().finish_app_setup(access_token, code)
    except SignInRefused:  # the same secret again: the app may already hold it
        return html("login_app.html", 422, title="Set up an authenticator app",
                    principal=None, secret=form.get("secret"), error=WRONG_CODE)
    cognito().sign_out(access_token)  # the first sign-in passed no code: it ends here
    return redirect("/login?done=app-ready", [_setup_cookie("", 0)])

