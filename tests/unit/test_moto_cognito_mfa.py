"""moto's Cognito with MfaConfiguration ON hands out no token on a password alone once
infra/cognito_mfa is installed: every password flow asks for the app's code or its setup, the
setup takes only a verified session, and an administrator can delete a lost app. Without the
patch moto signs such an account straight in (so the patch is still needed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.cognitoidp import models, responses

from infra import cognito_mfa
from tests.unit.moto_internals import changed

PASSWORD = "Pass-word-1234"
CODE = "123456"


def _pool(cognito: Any) -> tuple[str, str]:
    pool = cognito.create_user_pool(PoolName="p", MfaConfiguration="ON")["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c")
    cognito.admin_create_user(UserPoolId=pool, Username="someone", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="someone", Password=PASSWORD,
                                    Permanent=True)
    return pool, client["UserPoolClient"]["ClientId"]


def _password(cognito: Any, client: str) -> dict[str, Any]:
    answer: dict[str, Any] = cognito.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "someone", "PASSWORD": PASSWORD})
    return answer


@pytest.fixture
def cognito() -> Iterator[Any]:
    with mock_aws():
        cognito_mfa.install()
        try:
            yield boto3.client("cognito-idp", region_name="eu-west-2")
        finally:
            cognito_mfa.uninstall()


def test_without_the_patch_moto_signs_in_on_a_password_alone() -> None:
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="eu-west-2")
        _, client = _pool(cognito)
        assert "AuthenticationResult" in _password(cognito, client)


def test_an_account_without_an_app_sets_one_up_and_then_is_asked_its_code(cognito: Any) -> None:
    pool, client = _pool(cognito)
    asked = _password(cognito, client)
    assert (asked["ChallengeName"], "AuthenticationResult" in asked) == ("MFA_SETUP", False)
    admin = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "someone", "PASSWORD": PASSWORD})
    assert admin["ChallengeName"] == "MFA_SETUP"

    session = cognito.associate_software_token(Session=asked["Session"])["Session"]
    verified = cognito.verify_software_token(Session=session, UserCode=CODE)
    done = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": "someone"})
    assert "IdToken" in done["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):  # a session answers once
        cognito.respond_to_auth_challenge(
            ClientId=client, ChallengeName="MFA_SETUP", Session=verified["Session"],
            ChallengeResponses={"USERNAME": "someone"})

    again = _password(cognito, client)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    admin = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "someone", "PASSWORD": PASSWORD})
    assert admin["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    signed_in = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=again["Session"],
        ChallengeResponses={"USERNAME": "someone", "SOFTWARE_TOKEN_MFA_CODE": CODE})
    assert "IdToken" in signed_in["AuthenticationResult"]
    # A refresh needs no second factor: the sign-in it continues had one.
    refreshed = cognito.initiate_auth(
        ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": signed_in["AuthenticationResult"]["RefreshToken"]})
    assert "IdToken" in refreshed["AuthenticationResult"]


def test_a_session_answers_only_the_challenge_it_was_issued_for(cognito: Any) -> None:
    _, client = _pool(cognito)
    asked = _password(cognito, client)
    for challenge, responses_ in (
            ("MFA_SETUP", {"USERNAME": "someone"}),  # not verified yet
            ("SOFTWARE_TOKEN_MFA", {"USERNAME": "someone", "SOFTWARE_TOKEN_MFA_CODE": CODE})):
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            cognito.respond_to_auth_challenge(ClientId=client, ChallengeName=challenge,
                                              Session=asked["Session"],
                                              ChallengeResponses=responses_)


def test_an_administrator_deletes_a_lost_app_and_the_next_sign_in_sets_one_up(
        cognito: Any) -> None:
    pool, client = _pool(cognito)
    asked = _password(cognito, client)
    session = cognito.associate_software_token(Session=asked["Session"])["Session"]
    verified = cognito.verify_software_token(Session=session, UserCode=CODE)
    cognito.respond_to_auth_challenge(ClientId=client, ChallengeName="MFA_SETUP",
                                      Session=verified["Session"],
                                      ChallengeResponses={"USERNAME": "someone"})

    cognito.admin_delete_software_token(UserPoolId=pool, Username="someone")

    assert _password(cognito, client)["ChallengeName"] == "MFA_SETUP"


def test_uninstall_puts_motos_own_back() -> None:
    before = {name: vars(models.CognitoIdpBackend).get(name)
              for name in ("initiate_auth", "respond_to_auth_challenge")}
    cognito_mfa.install()
    cognito_mfa.uninstall()
    assert before == {name: vars(models.CognitoIdpBackend).get(name) for name in before}
    assert "admin_delete_software_token" not in vars(responses.CognitoIdpResponse)


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    pool, backend = models.CognitoIdpUserPool, models.CognitoIdpBackend
    digests = {
        (pool, "create_refresh_token"): "eb8f94cfc936198b",
        (pool, "create_tokens_from_refresh_token"): "16897b81b5a206fe",
        (backend, "_log_user_in"): "38730cc18a4e1091",
        (backend, "initiate_auth"): "b4ecd8a21bd445c7",
        (backend, "admin_initiate_auth"): "0632e4e9c050160d",
        (backend, "respond_to_auth_challenge"): "f534d52b883f212e",
        (backend, "associate_software_token"): "e2b4bb99a2501701",
        (backend, "verify_software_token"): "e6c262e1768dcd4d",
        (models.CognitoIdpUser, "__init__"): "0543f0ce6c1ff943",
    }
    assert changed({f"{owner.__name__}.{name}": (getattr(owner, name), known)
                    for (owner, name), known in digests.items()}) == {}
    assert not hasattr(responses.CognitoIdpResponse, "admin_delete_software_token")
