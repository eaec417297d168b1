"""Signing in with Cognito: email address and password, then the authenticator app's code.
The user pool requires an app of everyone (MfaConfiguration ON): an account without one is
asked by Cognito to set it up (MFA_SETUP) and does so here, before it holds any token.
Deployed and locally alike (locally, moto's Cognito).

The ID token goes in the `wb_token` cookie, the refresh token in `wb_refresh`, sent only to
/session/… (session_pages.py refreshes and signs out)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from chalice.app import Response

from workingbetter.adapters.sign_in import (
    AppSetup,
    CannotSignIn,
    CodeNeeded,
    CognitoSignIn,
    LockedOut,
    NewPasswordNeeded,
    Outcome,
    PasswordRefused,
    SessionEnded,
    SignInRefused,
    Tokens,
)
from workingbetter.adapters.sign_in_attempts import WINDOW_SECONDS, Attempts
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Unauthenticated
from workingbetter.observability import logger
from workingbetter.routing import callers
from workingbetter.web.http import (
    FORM,
    Form,
    html,
    page,
    principal,
    redirect,
    refresh_cookie,
    request,
    session_cookie,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

LANDING = {Role.REFERRER: "/practice", Role.COACH: "/coach", Role.OPS: "/ops",
           Role.COMMISSIONER: "/reports", Role.MANAGER: "/manage/people"}
SETUP_PATH = "/login/app"
NEW_PASSWORD_PATH = "/login/new-password"  # noqa: S105 - a path, not a password
FORGOTTEN_PATH = "/login/forgotten"
RESET_PATH = "/login/forgotten/reset"
ISSUER = "Working Better"  # how authenticator apps name the account's codes
WRONG = "Enter a correct email address and password"
LOCKED = (f"You have entered a wrong password too many times. Wait {WINDOW_SECONDS // 60} "
          "minutes, then try again")
CANNOT = "This account cannot sign in. Ask the service desk to check it"
WRONG_CODE = "Enter the 6-digit code shown in your authenticator app"
TOO_LONG = "Signing in took too long. Enter your email address and password again"
POLICY = ("Enter a password of at least 12 characters with a capital letter, a small letter "
          "and a number, that is not a common password")
NOT_THE_SAME = "Enter the same password twice"
WRONG_RESET_CODE = "Enter the 6-digit code from the email we sent you"


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


def otpauth_uri(email: str, secret: str) -> str:
    """The key as a link an authenticator app on the same phone opens (Google's Key URI
    format: otpauth://totp/Issuer:account?secret=…&issuer=Issuer)."""
    issuer = quote(ISSUER)
    return f"otpauth://totp/{issuer}:{quote(email, safe='@')}?secret={secret}&issuer={issuer}"


def _setup_page(email: str, setup: AppSetup, error: str = "") -> Response:
    return html("login_app.html", 422 if error else 200, title="Set up an authenticator app",
                principal=None, email=email, secret=setup.secret, session=setup.session,
                uri=otpauth_uri(email, setup.secret), error=error)


def _signed_in_as(tokens: Tokens) -> Response:
    who = callers.signed_in(tokens.id_token).principal
    services().people.signed_in(who)  # the manager's list shows when they last signed in
    set_cookies = [session_cookie(tokens.id_token, tokens.expires_in)]
    if tokens.refresh_token:
        set_cookies.append(refresh_cookie(tokens.refresh_token))
    return redirect(landing(who.role), set_cookies)


def _next_step(email: str, outcome: Outcome) -> Response:
    """After a step Cognito accepted: its code, setting up an app, or signed in."""
    if isinstance(outcome, CodeNeeded):
        return _code_page(email, outcome.session)
    if isinstance(outcome, Tokens):
        return _signed_in_as(outcome)
    if isinstance(outcome, NewPasswordNeeded):
        return _new_password_page(email, outcome.session)
    return _setup_page(email, cognito().start_app_setup(outcome.session))


def _new_password_page(email: str, session: str, errors: dict[str, str] | None = None
                       ) -> Response:
    return html("login_password.html", 422 if errors else 200, title="Create a new password",
                principal=None, email=email, session=session, errors=errors or {})


def _password_errors(password: str, again: str) -> dict[str, str]:
    if not password:
        return {"password": "Enter a new password"}
    if password != again:
        return {"password_again": NOT_THE_SAME}
    return {}


@blueprint.route("/", methods=["GET"])
@page
def start() -> Response:
    return redirect(landing(principal().role))


@blueprint.route("/login", methods=["GET"])
@page
def login_form() -> Response:
    notice = {"signed-out": "You have signed out",
              "password-reset": "Your password has been reset: sign in with it now"}
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
    if isinstance(outcome, Tokens):  # the pool asked for no second factor: never pass it on
        logger.error("the user pool signed someone in on a password alone: "
                     "check its MfaConfiguration is ON")
        return _form(typed, {"email": CANNOT}, 403)
    return _next_step(typed.email, outcome)


@blueprint.route("/login/code", methods=["POST"], content_types=[FORM])
@page
def login_code() -> Response:
    form = Form.parse(request().raw_body)
    email, session, code = form.get("email"), form.get("session"), form.get("code")
    if not (code.isdigit() and len(code) == 6):
        return _code_page(email, session, WRONG_CODE)
    try:
        outcome = cognito().code(email, session, code)
    except SessionEnded:
        return _form(Typed(email), {"email": TOO_LONG}, 422)
    except SignInRefused:
        return _code_page(email, session, WRONG_CODE)
    except (LockedOut, CannotSignIn):
        return _form(Typed(email), {"email": CANNOT}, 403)
    if isinstance(outcome, CodeNeeded):
        return _code_page(email, outcome.session, WRONG_CODE)
    return _next_step(email, outcome)


@blueprint.route(SETUP_PATH, methods=["POST"], content_types=[FORM])
@page
def app_setup() -> Response:
    """The app's first code confirms it, and the person is signed in."""
    form = Form.parse(request().raw_body)
    email, code = form.get("email"), form.get("code")
    setup = AppSetup(form.get("secret"), form.get("session"))
    if not (code.isdigit() and len(code) == 6):
        return _setup_page(email, setup, WRONG_CODE)
    try:
        outcome = cognito().finish_app_setup(email, setup.session, code)
    except SessionEnded:
        return _form(Typed(email), {"email": TOO_LONG}, 422)
    except SignInRefused:  # the same key again: the app may already hold it
        return _setup_page(email, setup, WRONG_CODE)
    except (LockedOut, CannotSignIn):
        return _form(Typed(email), {"email": CANNOT}, 403)
    if not isinstance(outcome, Tokens):
        return _form(Typed(email), {"email": CANNOT}, 403)
    return _signed_in_as(outcome)


@blueprint.route(NEW_PASSWORD_PATH, methods=["POST"], content_types=[FORM])
@page
def new_password() -> Response:
    """A first sign-in, with the invitation's temporary password: their own, then an app."""
    form = Form.parse(request().raw_body)
    email, session = form.get("email"), form.get("session")
    password, again = form.values.get("password", [""])[0], form.values.get("again", [""])[0]
    errors = _password_errors(password, again)
    if errors:
        return _new_password_page(email, session, errors)
    try:
        outcome = cognito().new_password(email, session, password)
    except PasswordRefused:
        return _new_password_page(email, session, {"password": POLICY})
    except SessionEnded:
        return _form(Typed(email), {"email": TOO_LONG}, 422)
    except (SignInRefused, LockedOut, CannotSignIn):
        return _form(Typed(email), {"email": CANNOT}, 403)
    if isinstance(outcome, Tokens):  # as at /login: never on a password alone
        logger.error("the user pool signed someone in on a password alone: "
                     "check its MfaConfiguration is ON")
        return _form(Typed(email), {"email": CANNOT}, 403)
    return _next_step(email, outcome)


@blueprint.route(FORGOTTEN_PATH, methods=["GET"])
@page
def forgotten_form() -> Response:
    return html("login_forgotten.html", title="Reset your password", principal=None, email="",
                errors={})


@blueprint.route(FORGOTTEN_PATH, methods=["POST"], content_types=[FORM])
@page
def forgotten() -> Response:
    """The same answer whether or not the address has an account (or can be sent to)."""
    email = Form.parse(request().raw_body).get("email")
    typed = Typed(email, "-").errors()
    if typed:
        return html("login_forgotten.html", 422, title="Reset your password", principal=None,
                    email=email, errors=typed)
    cognito().forgotten(email)
    return _reset_page(email)


def _reset_page(email: str, errors: dict[str, str] | None = None) -> Response:
    return html("login_reset.html", 422 if errors else 200, title="Check your email",
                principal=None, email=email, errors=errors or {})


@blueprint.route(RESET_PATH, methods=["POST"], content_types=[FORM])
@page
def reset_password() -> Response:
    form = Form.parse(request().raw_body)
    email, code = form.get("email"), form.get("code").replace(" ", "")
    password, again = form.values.get("password", [""])[0], form.values.get("again", [""])[0]
    errors = {} if code.isdigit() and len(code) == 6 else {"code": WRONG_RESET_CODE}
    errors |= _password_errors(password, again)
    if errors:
        return _reset_page(email, errors)
    if not attempts().reserve(email):  # guessing codes counts as guessing passwords
        return _reset_page(email, {"code": LOCKED})
    try:
        cognito().reset_password(email, code, password)
    except PasswordRefused:
        return _reset_page(email, {"password": POLICY})
    except (SignInRefused, CannotSignIn, LockedOut):
        return _reset_page(email, {"code": WRONG_RESET_CODE})
    return redirect("/login?done=password-reset")
