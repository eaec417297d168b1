"""moto's Cognito key is imported once for every user pool, and tokens of each pool still
verify with the public key moto publishes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest
from joserfc import jwk
from moto import mock_aws
from moto.cognitoidp import models
from moto.cognitoidp.models import CognitoIdpUserPool

from infra import cognito_key
from infra.cognito import moto_keys
from tests.unit.moto_internals import changed

PASSWORD = "Pass-word-1234"


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    imported: list[Any] = []
    real = jwk.RSAKey.import_key

    def counting(data: Any, *args: Any, **kwargs: Any) -> Any:
        imported.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(jwk.RSAKey, "import_key", counting)
    cognito_key._import.cache_clear()
    with mock_aws():
        cognito_key.install()
        try:
            yield imported
        finally:
            cognito_key.uninstall()


def id_token(cognito: Any, name: str) -> tuple[str, str, str]:
    pool = cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="c",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="someone", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="someone", Password=PASSWORD,
                                    Permanent=True)
    answer = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "someone",
                                                   "PASSWORD": PASSWORD})
    return answer["AuthenticationResult"]["IdToken"], pool, client


def test_every_pool_signs_with_the_one_key_imported_once(imports: list[Any]) -> None:
    cognito = boto3.client("cognito-idp", region_name="eu-west-2")
    public = jwt.PyJWK(moto_keys()["keys"][0]).key
    for name in ("first", "second", "third"):
        token, pool, client = id_token(cognito, name)
        claims = jwt.decode(token, public, algorithms=["RS256"], audience=client)
        assert claims["iss"].endswith(pool)
    assert len(imports) == 1


def test_uninstall_puts_motos_own_jwk_back() -> None:
    cognito_key.install()
    cognito_key.uninstall()
    assert vars(models)["jwk"] is jwk


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "CognitoIdpUserPool.__init__": (CognitoIdpUserPool.__init__, "1c8d864a15c3f0dd"),
    }) == {}
