"""GlobalSignOut through moto's server ends the refresh tokens of the account it names.

GlobalSignOut is authorised by the access token alone, so boto3 sends it unsigned: moto's
server, reached at 127.0.0.1, cannot tell the region from the request and its
`CognitoIdpResponse.global_sign_out` asks the default region's backend (us-east-1), which
knows no such token and answers NotAuthorized; the account's refresh tokens go on working
(`make run`: the refresh cookie still got a new ID token after signing out). moto already
finds the backend by the token or client for InitiateAuth, GetUser and the other unsigned
operations (`RegionAgnosticBackend`); here GlobalSignOut does the same. In-process (tests),
botocore's URL names the region and this changes nothing.

Second, moto's pool ends the tokens of a sign-out (`CognitoIdpUserPool.sign_out`, used by
GlobalSignOut and AdminUserGlobalSignOut) only where the name signed in with is the very string
named: in a pool whose people sign in with their email, a manager who disables someone by their
account's id (`sub`, as Cognito allows) left that person's refresh token working, and moto's
refresh then issued a new ID token with a new `auth_time`, which the app's sign-out record
cannot refuse (a disabled referrer's browser got back in through /session/refresh). Cognito
ends every refresh token of the account, however it signed in; so does `_sign_out` here, by
resolving each name to its user.
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp import models, responses
from moto.core.responses import EmptyResult

_original = responses.CognitoIdpResponse.global_sign_out
_original_pool_sign_out = models.CognitoIdpUserPool.sign_out


def _global_sign_out(self: Any) -> Any:
    access_token = self._get_param("AccessToken")
    account, region = models.find_account_region_by_value(
        "access_token", access_token, fallback=(self.current_account, self.region))
    models.cognitoidp_backends[account][region].global_sign_out(access_token)
    return EmptyResult()


def _pool_sign_out(self: Any, username: str) -> None:
    """Every refresh and access token of the account `username` names (its user name, its
    id, or the email it signs in with), as Cognito ends them."""
    user = self._get_user(username) or next(
        (u for u in self.users.values() if u.id == username), None)
    if user is None:
        return
    for token, held in list(self.refresh_tokens.items()):
        if held is not None and _same(self, held[1], user):
            self.refresh_tokens[token] = None
    for token, (_, signed_in_as) in list(self.access_tokens.items()):
        if _same(self, signed_in_as, user):
            self.access_tokens.pop(token)


def _same(pool: Any, name: str, user: Any) -> bool:
    return name in (user.username, user.id) or pool._get_user(name) is user


def install() -> None:
    responses.CognitoIdpResponse.global_sign_out = _global_sign_out  # type: ignore[method-assign]
    models.CognitoIdpUserPool.sign_out = _pool_sign_out  # type: ignore[method-assign]


def uninstall() -> None:
    responses.CognitoIdpResponse.global_sign_out = _original  # type: ignore[method-assign]
    models.CognitoIdpUserPool.sign_out = _original_pool_sign_out  # type: ignore[method-assign]
