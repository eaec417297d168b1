"""Signing a person in with Cognito (USER_PASSWORD_AUTH), keeping them signed in
(REFRESH_TOKEN_AUTH), an authenticator app's second step, and signing out (GlobalSignOut).

An adapter: the pages speak to it in outcomes, never in botocore errors. Cognito's words are
never shown: a wrong address and a wrong password read the same (the app client also prevents
user-existence errors), so the page cannot be used to find out who has an account.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from workingbetter.adapters.token_check import CognitoPool


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None  # a refresh keeps the refresh token it was given


@dataclass(frozen=True)
class CodeNeeded:
    """The account has an authenticator app: Cognito waits for its six-digit code."""

    session: str


class SignInRefused(Exception):
    """Wrong address or password, or a code that does not match."""


class LockedOut(Exception):
    """Cognito refuses more attempts for now ("Password attempts exceeded")."""


class CannotSignIn(Exception):
    """The account cannot sign in here (disabled, or waiting for a new password or a reset)."""


_REFUSED = {"NotAuthorizedException", "UserNotFoundException", "CodeMismatchException",
            "ExpiredCodeException", "InvalidParameterException"}
_CANNOT = {"PasswordResetRequiredException", "UserNotConfirmedException"}


def _refusal(error: Any) -> Exception:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    if code == "NotAuthorizedException" and "attempts exceeded" in message:
        return LockedOut()
    if code == "NotAuthorizedException" and "disabled" in message.lower():
        return CannotSignIn()
    if code in _REFUSED:
        return SignInRefused()
    if code in _CANNOT:
        return CannotSignIn()
    passed_on: Exception = error  # throttling, an outage: the page's own 500, logged
    return passed_on


class CognitoSignIn:
    def __init__(self, pool: CognitoPool) -> None:
        self.pool = pool
        self._local = threading.local()

    @property
    def _client(self) -> Any:
        if not hasattr(self._local, "client"):
            import boto3

            self._local.client = boto3.client("cognito-idp", region_name=self.pool.region)
        return self._local.client

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            answer: dict[str, Any] = getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            raise _refusal(error) from error
        return answer

    def password(self, email: str, password: str) -> Tokens | CodeNeeded:
        answer = self._call("initiate_auth", ClientId=self.pool.client_id,
                            AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": email, "PASSWORD": password})
        return self._outcome(answer)

    def code(self, email: str, session: str, code: str) -> Tokens | CodeNeeded:
        answer = self._call("respond_to_auth_challenge", ClientId=self.pool.client_id,
                            ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                            ChallengeResponses={"USERNAME": email,
                                                "SOFTWARE_TOKEN_MFA_CODE": code})
        return self._outcome(answer)

    def refresh(self, refresh_token: str) -> Tokens:
        answer = self._call("initiate_auth", ClientId=self.pool.client_id,
                            AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": refresh_token})
        tokens = self._outcome(answer)
        if not isinstance(tokens, Tokens):
            raise CannotSignIn()
        return tokens

    def sign_out(self, access_token: str) -> None:
        """Every refresh token of the account stops working (GlobalSignOut)."""
        self._call("global_sign_out", AccessToken=access_token)

    def start_app_setup(self, access_token: str) -> str:
        """The secret to type (or scan) into an authenticator app."""
        return str(self._call("associate_software_token", AccessToken=access_token)["SecretCode"])

    def finish_app_setup(self, access_token: str, code: str) -> None:
        answer = self._call("verify_software_token", AccessToken=access_token, UserCode=code,
                            FriendlyDeviceName="Authenticator app")
        if answer.get("Status") != "SUCCESS":
            raise SignInRefused()
        self._call("set_user_mfa_preference", AccessToken=access_token,
                   SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    @staticmethod
    def _outcome(answer: dict[str, Any]) -> Tokens | CodeNeeded:
        result = answer.get("AuthenticationResult")
        if result:
            return Tokens(id_token=result["IdToken"], access_token=result["AccessToken"],
                          expires_in=int(result["ExpiresIn"]),
                          refresh_token=result.get("RefreshToken"))
        if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            return CodeNeeded(session=str(answer["Session"]))
        # NEW_PASSWORD_REQUIRED, MFA_SETUP, SMS: not offered by this service's pool.
        raise CannotSignIn()
