"""moto's Cognito sending what Cognito emails: an invitation with its temporary password, and
a forgotten password's code, in the words of the pool's own message templates
(template.yaml's InviteMessageTemplate and VerificationMessageTemplate).

What moto 5.2 does, and what this changes:

- AdminCreateUser without a TemporaryPassword gives the account none at all (no sign-in can
  ever work) and sends nothing. Here, unless MessageAction is SUPPRESS, the account gets a
  temporary password meeting the pool's policy, as Cognito makes one, and the invitation goes
  out.
- ForgotPassword sends nothing and sets a code only moto's own header carries
  ("moto-confirmation-code:123456"); ConfirmForgotPassword then takes any other code at all,
  sets a password the policy refuses, and answers an address with no account
  ResourceNotFound. Here the code is six digits, sent; ConfirmForgotPassword takes only that
  code, once, checks the new password against the policy, and answers CodeMismatch for a
  wrong code and for an address with no account alike (as PreventUserExistenceErrors does).

"Sent" means kept in `sent` (in-process tests read it) and handed to `forward` when the local
stack sets one: it puts each into its local Notify, so /dev/messages shows it as it shows what
Notify sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp import models
from moto.cognitoidp.exceptions import CodeMismatchException

Backend = models.CognitoIdpBackend


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


sent: list[Mail] = []
forward: Callable[[Mail], None] | None = None

_originals: dict[str, Callable[..., Any]] = {
    "admin_create_user": Backend.admin_create_user,
    "forgot_password": Backend.forgot_password,
    "confirm_forgot_password": Backend.confirm_forgot_password,
}
_DEFAULT_INVITE = ("Your temporary password",
                   "Your username is {username} and temporary password is {####}.")
_DEFAULT_CODE = ("Your verification code", "Your verification code is {####}.")


def _send(to: str, words: tuple[str, str], username: str, secret: str) -> None:
    subject, body = words
    mail = Mail(to, subject, body.replace("{username}", username).replace("{####}", secret))
    sent.append(mail)
    if forward is not None:
        forward(mail)


def temporary_password() -> str:
    """Fifteen characters with an upper- and lower-case letter and a digit: the template's
    policy (12 at least, upper, lower, numbers) and moto's default policy alike."""
    return f"Wb-{secrets.token_hex(5)}Q7"


def _words(template: dict[str, Any] | None, default: tuple[str, str]) -> tuple[str, str]:
    """The subject and body of one of the pool's message templates, else Cognito's own."""
    found = template or {}
    return (str(found.get("EmailSubject") or default[0]),
            str(found.get("EmailMessage") or default[1]))


def _admin_create_user(self: Any, user_pool_id: str, username: str, message_action: str,
                       temporary_password_given: str, attributes: list[dict[str, str]]) -> Any:
    quiet = message_action == "SUPPRESS"
    password = temporary_password_given or (None if quiet else temporary_password())
    user = _originals["admin_create_user"](self, user_pool_id, username, message_action,
                                           password, attributes)
    if not quiet:
        pool = self.describe_user_pool(user_pool_id)
        config = pool.extended_config.get("AdminCreateUserConfig") or {}
        words = _words(config.get("InviteMessageTemplate"), _DEFAULT_INVITE)
        email = user.attribute_lookup.get("email", username)
        _send(email, words, email, str(password))
    return user


def _forgot_password(self: Any, client_id: str, username: str) -> Any:
    code, answer = _originals["forgot_password"](self, client_id, username)
    for pool in self.user_pools.values():
        user = pool._get_user(username) if client_id in pool.clients else None
        if user is not None:
            user.confirmation_code = f"{secrets.randbelow(1_000_000):06d}"
            words = _words(pool.extended_config.get("VerificationMessageTemplate"),
                           _DEFAULT_CODE)
            _send(user.attribute_lookup.get("email", username), words, username,
                  user.confirmation_code)
            return user.confirmation_code, answer
    return code, answer


def _confirm_forgot_password(self: Any, client_id: str, username: str, password: str,
                             confirmation_code: str) -> None:
    for pool in self.user_pools.values():
        user = pool._get_user(username) if client_id in pool.clients else None
        if user is None:
            continue
        if not user.confirmation_code or confirmation_code != user.confirmation_code:
            break
        self._validate_password(pool.id, password)
        user.password = password
        user.confirmation_code = None
        if user.status is models.UserStatus.RESET_REQUIRED:
            user.status = models.UserStatus.CONFIRMED
        return
    raise CodeMismatchException("Invalid verification code provided, please try again.")


_PATCHED: dict[str, Callable[..., Any]] = {
    "admin_create_user": _admin_create_user,
    "forgot_password": _forgot_password,
    "confirm_forgot_password": _confirm_forgot_password,
}


def install() -> None:
    sent.clear()
    for name, replacement in _PATCHED.items():
        setattr(Backend, name, replacement)


def uninstall() -> None:
    global forward
    for name, original in _originals.items():
        setattr(Backend, name, original)
    forward = None
