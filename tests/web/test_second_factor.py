"""Nobody who can read personal data or act on a referral holds a token without a second
factor: the user pool itself requires an authenticator app (MfaConfiguration ON), so no
sign-in flow can skip it, and an account without one is made to set one up at /login
(MFA_SETUP -> AssociateSoftwareToken -> VerifySoftwareToken -> RespondToAuthChallenge)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from chalice.test import Client

from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, LocalPool
from tests.web.pages import Pages, person
from workingbetter.handlers.api import app

pytestmark = pytest.mark.integration

STAFF = ("referrer:F83001", "coach:coach-amara", "ops", "manager")
LANDING = {"referrer:F83001": "/practice", "coach:coach-amara": "/coach", "ops": "/ops",
           "manager": "/manage/people"}


def _api_accepts(id_token: str) -> bool:
    reply = Client(app).http.get("/referrals", headers={"Authorization": f"Bearer {id_token}"})
    return reply.status_code not in (401, 403)


def _password_flows(pool: LocalPool, email: str) -> dict[str, dict[str, Any]]:
    """What each way of signing in with the password answers (moto fakes SRP's maths: any
    proof is taken, so only the challenges that follow it matter here)."""
    cognito = boto3.client("cognito-idp")
    password = {"USERNAME": email, "PASSWORD": DEMO_PASSWORD}
    answers = {"USER_PASSWORD_AUTH": cognito.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=password)}
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        answers[flow] = cognito.admin_initiate_auth(
            UserPoolId=pool.pool_id, ClientId=pool.client_id, AuthFlow=flow,
            AuthParameters=password)
    srp = cognito.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters={"USERNAME": email, "SRP_A": "a1"})
    answers["USER_SRP_AUTH"] = cognito.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses={"USERNAME": email, "TIMESTAMP": "now",
                            "PASSWORD_CLAIM_SIGNATURE": "any",
                            "PASSWORD_CLAIM_SECRET_BLOCK": srp["Session"]})
    return answers


@pytest.mark.parametrize("identity", [*STAFF, "commissioner", "manager"])
def test_an_account_without_an_authenticator_gets_no_token_by_any_flow(
        pages: Pages, identity: str) -> None:
    account = person(identity)
    pages.pool.add(account, app=False)  # as an administrator creates it

    for flow, answer in _password_flows(pages.pool, account.email).items():
        tokens = answer.get("AuthenticationResult")
        assert tokens is None or not _api_accepts(tokens["IdToken"]), flow
        assert answer.get("ChallengeName") == "MFA_SETUP", flow

    # Nor by answering the setup challenge without setting an app up.
    cognito = boto3.client("cognito-idp")
    asked = _password_flows(pages.pool, account.email)["USER_PASSWORD_AUTH"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.respond_to_auth_challenge(
            ClientId=pages.pool.client_id, ChallengeName="MFA_SETUP", Session=asked["Session"],
            ChallengeResponses={"USERNAME": account.email})


@pytest.mark.parametrize("identity", STAFF)
def test_at_login_an_account_without_an_authenticator_sets_one_up_before_going_on(
        pages: Pages, identity: str) -> None:
    account = person(identity)
    pages.pool.add(account, app=False)

    setup = pages.post("/login", {"email": account.email, "password": DEMO_PASSWORD},
                       keys=False)

    assert setup.status == 200
    assert "Set up an authenticator app" in setup.text
    assert "wb_token" not in pages.cookies  # not signed in without the second factor
    secret = setup.hidden("secret")
    assert f"otpauth://totp/Working%20Better:{account.email}?secret={secret}" in setup.text
    done = pages.post("/login/app", {"email": setup.hidden("email"), "secret": secret,
                                     "session": setup.hidden("session"), "code": LOCAL_CODE},
                      keys=False)
    assert (done.status, done.location) == (303, LANDING[identity])
    assert pages.get(LANDING[identity]).status == 200
    # From now on the account is asked for its code.
    pages.cookies.clear()
    again = pages.post("/login", {"email": account.email, "password": DEMO_PASSWORD},
                       keys=False)
    assert "Enter your security code" in again.text


def test_a_wrong_code_while_setting_up_keeps_the_key_on_the_page(pages: Pages) -> None:
    account = person("coach:coach-chloe")
    pages.pool.add(account, app=False)
    setup = pages.post("/login", {"email": account.email, "password": DEMO_PASSWORD},
                       keys=False)

    wrong = pages.post("/login/app", {"email": setup.hidden("email"),
                                      "secret": setup.hidden("secret"),
                                      "session": setup.hidden("session"), "code": "12a"},
                       keys=False)

    assert wrong.status == 422
    assert wrong.error_summary() == [("#code", "Enter the 6-digit code shown in your "
                                               "authenticator app")]
    assert wrong.hidden("secret") == setup.hidden("secret")
    assert "wb_token" not in pages.cookies


def test_replacing_a_lost_app_leaves_the_account_asking_for_a_new_one(pages: Pages) -> None:
    """README's steps for a lost app: delete the account's software token and sign it out
    everywhere; its next sign-in sets a new app up, and nothing signs in without one."""
    account = person("referrer:F83002")
    pages.sign_in("referrer:F83002")
    cognito = boto3.client("cognito-idp")

    cognito.admin_delete_software_token(UserPoolId=pages.pool.pool_id, Username=account.email)
    cognito.admin_user_global_sign_out(UserPoolId=pages.pool.pool_id, Username=account.email)

    answers = _password_flows(pages.pool, account.email)
    assert {flow: a.get("ChallengeName") for flow, a in answers.items()} == dict.fromkeys(
        answers, "MFA_SETUP")
    pages.cookies.clear()
    setup = pages.post("/login", {"email": account.email, "password": DEMO_PASSWORD},
                       keys=False)
    assert "Set up an authenticator app" in setup.text
