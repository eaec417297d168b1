"""GlobalSignOut through moto's server ends the refresh tokens of the account it names.

GlobalSignOut is authorised by the access token alone, so boto3 sends it unsigned: moto's
server, reached at 127.0.0.1, cannot tell the region from the request and its
`CognitoIdpResponse.global_sign_out` asks the default region's backend (us-east-1), which
knows no such token and answers NotAuthorized; the account's refresh tokens go on working
(`make run`: the refresh cookie still got a new ID token after signing out). moto already
finds the backend by the token or client for InitiateAuth, GetUser and the other unsigned
operations (`RegionAgnosticBackend`); here GlobalSignOut does the same. In-process (tests),
botocore's URL names the region and this changes nothing.
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp import models, responses
from moto.core.responses import EmptyResult

_original = responses.CognitoIdpResponse.global_sign_out


def _global_sign_out(self: Any) -> Any:
    access_token = self._get_param("AccessToken")
    account, region = models.find_account_region_by_value(
        "access_token", access_token, fallback=(self.current_account, self.region))
    models.cognitoidp_backends[account][region].global_sign_out(access_token)
    return EmptyResult()


def install() -> None:
    responses.CognitoIdpResponse.global_sign_out = _global_sign_out  # type: ignore[method-assign]


def uninstall() -> None:
    responses.CognitoIdpResponse.global_sign_out = _original  # type: ignore[method-assign]
