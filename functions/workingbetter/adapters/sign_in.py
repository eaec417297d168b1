"""Signing a person in with Cognito (USER_PASSWORD_AUTH), keeping them signed in
(REFRESH_TOKEN_AUTH), an authenticator app's second step or its setup at a first sign-in
(the pool requires one of everyone: MFA_SETUP), a first sign-in's new password
(NEW_PASSWORD_REQUIRED, after an invitation's temporary one), a forgotten password
(ForgotPassword, ConfirmForgotPassword) and signing out (GlobalSignOut).

An adapter: the pages speak to it in outcomes, never in botocore errors. Cognito's words are
never shown: a wrong address and a wrong password read the same (the app client also prevents
user-existence errors), so the page cannot be used to find out who has an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workingbetter.adapters.cognito_client import CognitoAdapter


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


@dataclass(frozen=True)
class SetupNeeded:
    """The account has no authenticator app yet: Cognito waits for one to be set up."""

    session: str


@dataclass(frozen=True)
class NewPasswordNeeded:
    """A first sign-in with the invitation's temporary password: Cognito waits for a new one
    (then, with no authenticator app yet, for one to be set up)."""

    session: str


@dataclass(frozen=True)
class AppSetup:
    """The key to type into an authenticator app, and the session that confirms its code."""

    secret: str
    session: str


Outcome = Tokens | CodeNeeded | SetupNeeded | NewPasswordNeeded


class SignInRefused(Exception):
    """Wrong address or password, or a code that does not match."""


class SessionEnded(SignInRefused):
    """The few minutes Cognito gives a sign-in's steps (AuthSessionValidity) have passed."""


class PasswordRefused(Exception):
    """A new password the pool's policy refuses (too short, too common, known breached)."""


class LockedOut(Exception):
    """Cognito refuses more attempts for now ("Password attempts exceeded")."""


class CannotSignIn(Exception):
    """The account cannot sign in here (disabled, or waiting for a new password or a reset)."""


_REFUSED = {"NotAuthorizedException", "UserNotFoundException", "CodeMismatchException",
            "ExpiredCodeException", "InvalidParameterException"}
_CANNOT = {"PasswordResetRequiredException", "UserNotConfirmedException"}
# What ForgotPassword may answer about an address that the page never repeats.
_NOT_SAID = {"UserNotFoundException", "NotAuthorizedException", "InvalidParameterException",
             "UserNotConfirmedException", "LimitExceededException",
             "CodeDeliveryFailureException"}


def _refusal(error: Any) -> Exception:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    if code == "NotAuthorizedException" and "attempts exceeded" in message:
        return LockedOut()
    if code == "NotAuthorizedException" and "disabled" in message.lower():
        return CannotSignIn()
    if code == "NotAuthorizedException" and "session" in message.lower():
        return SessionEnded()
    if code in _REFUSED:
        return SignInRefused()
    if code in _CANNOT:
        return CannotSignIn()
    if code == "InvalidPasswordException":
        return PasswordRefused()
    passed_on: Exception = error  # throttling, an outage: the page's own 500, logged
    return passed_on


class CognitoSignIn(CognitoAdapter):
    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            answer: dict[str, Any] = getattr(self._client, operation)(**kwargs)
        except ClientError as error:
            raise _refusal(error) from error
        return answer

    def password(self, email: str, password: str) -> Outcome:
        answer = self._call("initiate_auth", ClientId=self.pool.client_id,
                            AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": email, "PASSWORD": password})
        return self._outcome(answer)

    def code(self, email: str, session: str, code: str) -> Outcome:
        answer = self._call("respond_to_auth_challenge", ClientId=self.pool.client_id,
                            ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                            ChallengeResponses={"USERNAME": email,
                                                "SOFTWARE_TOKEN_MFA_CODE": code})
        return self._outcome(answer)

    def start_app_setup(self, session: str) -> AppSetup:
        """A new key for the person's authenticator app (AssociateSoftwareToken)."""
        answer = self._call("associate_software_token", Session=session)
        return AppSetup(str(answer["SecretCode"]), str(answer.get("Session") or session))

    def finish_app_setup(self, email: str, session: str, code: str) -> Outcome:
        """The app's first code confirms it (VerifySoftwareToken), which answers MFA_SETUP."""
        verified = self._call("verify_software_token", Session=session, UserCode=code,
                              FriendlyDeviceName="Authenticator app")
        if verified.get("Status") != "SUCCESS":
            raise SignInRefused()
        answer = self._call("respond_to_auth_challenge", ClientId=self.pool.client_id,
                            ChallengeName="MFA_SETUP", Session=str(verified["Session"]),
                            ChallengeResponses={"USERNAME": email})
        return self._outcome(answer)

    def new_password(self, email: str, session: str, password: str) -> Outcome:
        """A first sign-in's own password, in place of the invitation's temporary one."""
        answer = self._call("respond_to_auth_challenge", ClientId=self.pool.client_id,
                            ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
                            ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": password})
        return self._outcome(answer)

    def forgotten(self, email: str) -> None:
        """Ask Cognito to email a code that resets the password. The same for an address with
        no account, a disabled one or one Cognito will not send to now: the page says the same
        thing whatever happened, so it cannot tell anyone who has an account."""
        from botocore.exceptions import ClientError

        try:
            self._client.forgot_password(ClientId=self.pool.client_id, Username=email)
        except ClientError as error:  # throttling or an outage is the page's own 500
            if error.response.get("Error", {}).get("Code") not in _NOT_SAID:
                raise

    def reset_password(self, email: str, code: str, password: str) -> None:
        """The emailed code and a new password (ConfirmForgotPassword): SignInRefused for a
        wrong or used code (or an address with no account: the same), PasswordRefused."""
        self._call("confirm_forgot_password", ClientId=self.pool.client_id, Username=email,
                   ConfirmationCode=code, Password=password)

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

    @staticmethod
    def _outcome(answer: dict[str, Any]) -> Outcome:
        result = answer.get("AuthenticationResult")
        if result:
            return Tokens(id_token=result["IdToken"], access_token=result["AccessToken"],
                          expires_in=int(result["ExpiresIn"]),
                          refresh_token=result.get("RefreshToken"))
        challenge = answer.get("ChallengeName")
        if challenge == "SOFTWARE_TOKEN_MFA":
            return CodeNeeded(session=str(answer["Session"]))
        if challenge == "MFA_SETUP":
            return SetupNeeded(session=str(answer["Session"]))
        if challenge == "NEW_PASSWORD_REQUIRED":
            return NewPasswordNeeded(session=str(answer["Session"]))
        # SMS: not offered by this service's pool.
        raise CannotSignIn()
