"""moto's Cognito requiring a second factor as Cognito does when a pool's MfaConfiguration is
ON (template.yaml's UserPool): no sign-in flow hands out tokens on a password alone.

What moto 5.2 does with MFA ON, and what this changes:

- USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH sign an account without
  an authenticator straight in (and the admin flows one with an app whose preference is unset).
  Here a sign-in may only end in tokens after a second-factor step: every refresh token a pool
  with MFA ON creates (`CognitoIdpUserPool.create_refresh_token`, which every sign-in calls
  and a refresh does not) is refused unless a SOFTWARE_TOKEN_MFA or MFA_SETUP answer is being
  handled, and the flow answers with the challenge Cognito gives instead: SOFTWARE_TOKEN_MFA
  for an account with a verified app, MFA_SETUP for one without.
- RespondToAuthChallenge MFA_SETUP signs in whatever the session, verified or not. Here it
  takes only the session VerifySoftwareToken returned, once; AssociateSoftwareToken and
  VerifySoftwareToken take only an MFA_SETUP session, and SOFTWARE_TOKEN_MFA only a session
  issued for that challenge (moto accepts any session it knows for any of them).
- AdminDeleteSoftwareToken (an administrator replacing a lost app, README) is missing: here it
  removes the account's app, so its next sign-in sets a new one up.

moto still takes any six digits as a code (unless MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP is
set), so locally the factor is the flow, not a secret.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.core.responses import EmptyResult
from moto.moto_api._internal import mock_random

Backend = models.CognitoIdpBackend
Pool = models.CognitoIdpUserPool
SETUP = "MFA_SETUP"
CODE = "SOFTWARE_TOKEN_MFA"
_VERIFIED = "VERIFIED"  # a setup session whose code was verified: MFA_SETUP may be answered
_FACTOR_STEPS = (CODE, SETUP)

_originals: dict[tuple[type, str], Callable[..., Any]] = {
    (Pool, "create_refresh_token"): Pool.create_refresh_token,
    (Backend, "initiate_auth"): Backend.initiate_auth,
    (Backend, "admin_initiate_auth"): Backend.admin_initiate_auth,
    (Backend, "respond_to_auth_challenge"): Backend.respond_to_auth_challenge,
    (Backend, "associate_software_token"): Backend.associate_software_token,
    (Backend, "verify_software_token"): Backend.verify_software_token,
}
_answering = threading.local()  # set while a second-factor answer is being handled


class SecondFactorNeeded(Exception):
    """A sign-in reached token creation in a pool with MFA ON without a second factor."""

    def __init__(self, pool: Any, username: str) -> None:
        super().__init__(username)
        self.pool = pool
        self.username = username


def _issued(backend: Any) -> dict[str, str]:
    """Each live session of the backend, by the challenge it was issued for."""
    found: dict[str, str] = backend.__dict__.setdefault("wb_challenges", {})
    return found


def _create_refresh_token(self: Any, client_id: str, username: str) -> tuple[str, str]:
    if self.mfa_config == "ON" and not getattr(_answering, "factor", False):
        raise SecondFactorNeeded(self, username)
    created: tuple[str, str] = _originals[Pool, "create_refresh_token"](self, client_id,
                                                                        username)
    return created


def _challenge(backend: Any, needed: SecondFactorNeeded) -> dict[str, Any]:
    """What Cognito answers instead of tokens: the app's code, or setting one up."""
    user = needed.pool._get_user(needed.username)
    session = str(mock_random.uuid4())
    backend.sessions[session] = (needed.username, needed.pool)
    if user.token_verified:
        return {"ChallengeName": CODE, "ChallengeParameters": {}, "Session": session}
    return {"ChallengeName": SETUP, "Session": session,
            "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps([CODE])}}


def _noted(backend: Any, answer: dict[str, Any]) -> dict[str, Any]:
    if answer and answer.get("ChallengeName") and answer.get("Session"):
        _issued(backend)[answer["Session"]] = answer["ChallengeName"]
    return answer


def _signing_in(name: str) -> Any:
    def patched(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            answer = _originals[Backend, name](self, *args, **kwargs)
        except SecondFactorNeeded as needed:
            answer = _challenge(self, needed)
        return _noted(self, answer)

    return patched


def _refused() -> NotAuthorizedError:
    return NotAuthorizedError("Invalid session for the user.")


def _respond_to_auth_challenge(self: Any, session: str, client_id: str, challenge_name: str,
                               challenge_responses: dict[str, str]) -> dict[str, Any]:
    issued = _issued(self)
    expected = {CODE: CODE, SETUP: _VERIFIED}.get(challenge_name)
    if expected and issued.get(session) != expected:
        raise _refused()
    who = self.sessions.get(session)
    _answering.factor = challenge_name in _FACTOR_STEPS
    try:
        answer = _originals[Backend, "respond_to_auth_challenge"](
            self, session, client_id, challenge_name, challenge_responses)
    except SecondFactorNeeded as needed:
        answer = _challenge(self, needed)
    finally:
        _answering.factor = False
    if expected:  # a factor's session is answered once
        issued.pop(session, None)
        self.sessions.pop(session, None)
    if challenge_name == SETUP and who and answer.get("AuthenticationResult"):
        username, pool = who
        pool._get_user(username).software_token_mfa_enabled = True  # as AdminGetUser shows
    return _noted(self, answer)


def _associate_software_token(self: Any, access_token: str, session: str) -> dict[str, str]:
    if session and _issued(self).get(session) != SETUP:
        raise _refused()
    answer: dict[str, str] = _originals[Backend, "associate_software_token"](
        self, access_token, session)
    return answer


def _verify_software_token(self: Any, access_token: str, session: str, user_code: str,
                           friendly_device_name: str) -> dict[str, str]:
    if session and _issued(self).get(session) != SETUP:
        raise _refused()
    answer: dict[str, str] = _originals[Backend, "verify_software_token"](
        self, access_token, session, user_code, friendly_device_name)
    if session:
        _issued(self).pop(session, None)
        self.sessions.pop(session, None)
        _issued(self)[answer["Session"]] = _VERIFIED
    return answer


def _admin_delete_software_token(self: Any, user_pool_id: str, username: str) -> None:
    user = self.admin_get_user(user_pool_id, username)
    user.token_verified = False
    user.software_token_mfa_enabled = False
    if user.preferred_mfa_setting == CODE:
        user.preferred_mfa_setting = ""


def _admin_delete_software_token_response(self: Any) -> Any:
    self.backend.admin_delete_software_token(self._get_param("UserPoolId"),
                                             self._get_param("Username"))
    return EmptyResult()


_PATCHED: dict[tuple[type, str], Any] = {
    (Pool, "create_refresh_token"): _create_refresh_token,
    (Backend, "initiate_auth"): _signing_in("initiate_auth"),
    (Backend, "admin_initiate_auth"): _signing_in("admin_initiate_auth"),
    (Backend, "respond_to_auth_challenge"): _respond_to_auth_challenge,
    (Backend, "associate_software_token"): _associate_software_token,
    (Backend, "verify_software_token"): _verify_software_token,
}
_ADDED: dict[tuple[type, str], Any] = {
    (Backend, "admin_delete_software_token"): _admin_delete_software_token,
    (responses.CognitoIdpResponse, "admin_delete_software_token"):
        _admin_delete_software_token_response,
}


def install() -> None:
    for (owner, name), replacement in {**_PATCHED, **_ADDED}.items():
        setattr(owner, name, replacement)


def uninstall() -> None:
    for (owner, name), original in _originals.items():
        setattr(owner, name, original)
    for owner, name in _ADDED:
        if name in vars(owner):
            delattr(owner, name)
