"""moto's Cognito makes and emails an invitation's temporary password and a forgotten
password's code, and takes only that code, once infra/cognito_mail is installed; without it an
invited account has no password at all and any code resets a password."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.cognitoidp import models

from infra import cognito_mail
from tests.unit.moto_internals import changed

EMAIL = "new.person@nhs.example"
PASSWORD = "A-new-passw0rd-1"


@pytest.fixture
def pool() -> Iterator[tuple[Any, str, str]]:
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="eu-west-2")
        pool_id = cognito.create_user_pool(
            PoolName="p", UsernameAttributes=["email"],
            AdminCreateUserConfig={"InviteMessageTemplate": {
                "EmailSubject": "Welcome",
                "EmailMessage": "Sign in as {username} with {####} ."}},
            VerificationMessageTemplate={"EmailSubject": "Code",
                                         "EmailMessage": "Your code is {####} ."},
        )["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="c",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        yield cognito, pool_id, client_id


def _invite(cognito: Any, pool_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username=EMAIL, DesiredDeliveryMediums=[
        "EMAIL"], UserAttributes=[{"Name": "email", "Value": EMAIL}])


def test_without_the_patch_an_invitation_has_no_password_and_any_code_resets(
        pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, client_id = pool
    _invite(cognito, pool_id)
    assert models.CognitoIdpBackend.admin_create_user is cognito_mail._originals[
        "admin_create_user"]
    user = next(iter(models.cognitoidp_backends["123456789012"]["eu-west-2"]
                     .user_pools[pool_id].users.values()))
    assert user.password is None
    cognito.forgot_password(ClientId=client_id, Username=EMAIL)
    cognito.confirm_forgot_password(ClientId=client_id, Username=EMAIL,
                                    ConfirmationCode="000000", Password="x")
    assert user.password == "x"  # any code, and a password no policy allows


def test_an_invitation_emails_a_temporary_password_that_asks_for_a_new_one(
        pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, client_id = pool
    cognito_mail.install()
    try:
        _invite(cognito, pool_id)
        mail, = cognito_mail.sent
        temporary = mail.body.split(" with ")[1].removesuffix(" .")
        asked = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": EMAIL,
                                                      "PASSWORD": temporary})
    finally:
        cognito_mail.uninstall()
    assert (mail.to, mail.subject) == (EMAIL, "Welcome")
    assert mail.body.startswith(f"Sign in as {EMAIL} with ")
    assert asked["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_forgotten_password_takes_only_the_emailed_code_and_a_good_password(
        pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, client_id = pool
    cognito_mail.install()
    try:
        _invite(cognito, pool_id)
        cognito.forgot_password(ClientId=client_id, Username=EMAIL)
        code = cognito_mail.sent[-1].body.split(" is ")[1].removesuffix(" .")
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            cognito.confirm_forgot_password(ClientId=client_id, Username=EMAIL,
                                            ConfirmationCode="000000", Password=PASSWORD)
        with pytest.raises(cognito.exceptions.CodeMismatchException):  # no such account
            cognito.confirm_forgot_password(ClientId=client_id, Username="no@nhs.example",
                                            ConfirmationCode=code, Password=PASSWORD)
        with pytest.raises(cognito.exceptions.InvalidPasswordException):
            cognito.confirm_forgot_password(ClientId=client_id, Username=EMAIL,
                                            ConfirmationCode=code, Password="short")
        cognito.confirm_forgot_password(ClientId=client_id, Username=EMAIL,
                                        ConfirmationCode=code, Password=PASSWORD)
        with pytest.raises(cognito.exceptions.CodeMismatchException):  # used once
            cognito.confirm_forgot_password(ClientId=client_id, Username=EMAIL,
                                            ConfirmationCode=code, Password=PASSWORD)
    finally:
        cognito_mail.uninstall()
    assert len(code) == 6 and code.isdigit()  # noqa: PT018
    assert cognito_mail.sent[-1].subject == "Code"


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    original = cognito_mail._originals
    assert changed({
        "admin_create_user": (original["admin_create_user"], "27a62b755132778c"),
        "forgot_password": (original["forgot_password"], "a8df054af539b21e"),
        "confirm_forgot_password": (original["confirm_forgot_password"], "754d68d4b4ad6a5b"),
        "_validate_password": (models.CognitoIdpBackend._validate_password,
                               "e647fd188c973dd8"),
    }) == {}
