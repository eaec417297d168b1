"""GlobalSignOut through moto's server (as `make run` reaches it, at 127.0.0.1, the request
unsigned) ends the account's refresh tokens once infra/cognito_sign_out is installed; without
it the server asks the wrong region's backend and the refresh token goes on working."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.cognitoidp import models, responses
from moto.server import ThreadedMotoServer

from infra import cognito_sign_out
from tests.unit.moto_internals import changed

PASSWORD = "Pass-word-1234"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    running = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    running.start()
    assert running._server is not None
    yield f"http://127.0.0.1:{running._server.server_port}"
    running.stop()


def _signed_in(endpoint: str) -> tuple[Any, dict[str, Any]]:
    cognito = boto3.client("cognito-idp", region_name="eu-west-2", endpoint_url=endpoint,
                           aws_access_key_id="local", aws_secret_access_key="local")
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c")
    client_id = client["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="someone", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="someone", Password=PASSWORD,
                                    Permanent=True)
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "someone",
                                                   "PASSWORD": PASSWORD})
    return cognito, {**tokens["AuthenticationResult"], "ClientId": client_id}


def _refresh(cognito: Any, tokens: dict[str, Any]) -> Any:
    return cognito.initiate_auth(ClientId=tokens["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_without_the_patch_the_server_cannot_sign_out(server: str) -> None:
    cognito, tokens = _signed_in(server)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    assert "IdToken" in _refresh(cognito, tokens)["AuthenticationResult"]


def test_signing_out_through_the_server_ends_the_refresh_token(server: str) -> None:
    cognito_sign_out.install()
    try:
        cognito, tokens = _signed_in(server)
        cognito.global_sign_out(AccessToken=tokens["AccessToken"])
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            _refresh(cognito, tokens)
    finally:
        cognito_sign_out.uninstall()
    assert responses.CognitoIdpResponse.global_sign_out is cognito_sign_out._original


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "CognitoIdpResponse.global_sign_out": (responses.CognitoIdpResponse.global_sign_out,
                                               "a0f9e82c56aa971f"),
        "find_account_region_by_value": (models.find_account_region_by_value,
                                         "e43e35306e00113a"),
        "CognitoIdpBackend.global_sign_out": (models.CognitoIdpBackend.global_sign_out,
                                              "4f0f76c47daa9161"),
        "CognitoIdpUserPool.sign_out": (cognito_sign_out._original_pool_sign_out,
                                        "01f51d3922512368"),
        "CognitoIdpUserPool._get_user": (models.CognitoIdpUserPool._get_user, "4047a30d5a8b9845"),
    }) == {}


def _email_pool() -> tuple[Any, str, str, dict[str, Any]]:
    """A pool whose people sign in with their email, as the service's does; one person signed
    in: (client, pool, their account id, their tokens)."""
    cognito = boto3.client("cognito-idp", region_name="eu-west-2")
    pool = cognito.create_user_pool(PoolName="p", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="c")["UserPoolClient"]["ClientId"]
    user = cognito.admin_create_user(UserPoolId=pool, Username="someone@nhs.example",
                                     MessageAction="SUPPRESS")["User"]
    cognito.admin_set_user_password(UserPoolId=pool, Username="someone@nhs.example",
                                    Password=PASSWORD, Permanent=True)
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "someone@nhs.example",
                                                   "PASSWORD": PASSWORD})
    return cognito, pool, user["Username"], {**tokens["AuthenticationResult"],
                                             "ClientId": client_id}


@mock_aws
def test_a_person_signed_out_by_their_account_id_keeps_no_refresh_token_signed_in_by_email(
        ) -> None:
    # Without the patch, moto matches the names as strings: the refresh token goes on working.
    cognito, pool, account, tokens = _email_pool()
    cognito.admin_user_global_sign_out(UserPoolId=pool, Username=account)
    assert "IdToken" in _refresh(cognito, tokens)["AuthenticationResult"]

    cognito_sign_out.install()
    try:
        cognito, pool, account, tokens = _email_pool()
        cognito.admin_disable_user(UserPoolId=pool, Username=account)
        cognito.admin_user_global_sign_out(UserPoolId=pool, Username=account)
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            _refresh(cognito, tokens)
    finally:
        cognito_sign_out.uninstall()
    assert models.CognitoIdpUserPool.sign_out is cognito_sign_out._original_pool_sign_out
