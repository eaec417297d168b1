"""template.yaml's sign-in: the user pool and app client the sign-in page relies on, a group
for every role, and pages that the app (not API Gateway's authoriser) checks, since a browser
sends its sign-in as a cookie the authoriser cannot read."""

from __future__ import annotations

from typing import Any

import pytest

from infra.template import LocalTemplate, load
from workingbetter.domain.auth import Role
from workingbetter.handlers.api import app

# Without a sign-in, by design: the OpenAPI document and the patient's one-time link.
# What anyone may read or do without signing in: the API's description, FHIR's
# CapabilityStatement, a patient's own link (the token is the key), and GOV.UK Notify's
# delivery receipts (the app checks Notify's own bearer token).
PUBLIC_API = {("/openapi.json", "GET"), ("/fhir/metadata", "GET"),
              ("/patient/withdraw/{token}", "GET"), ("/patient/withdraw/{token}", "POST"),
              ("/notify/callbacks", "POST")}


@pytest.fixture(scope="module")
def template() -> LocalTemplate:
    return LocalTemplate(load())


def one(template: LocalTemplate, kind: str) -> dict[str, Any]:
    (resource,) = template.of_type(kind).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def events(template: LocalTemplate) -> dict[tuple[str, str], dict[str, Any]]:
    found = template.resources["ApiFunction"]["Properties"]["Events"].values()
    return {(e["Properties"]["Path"], e["Properties"]["Method"].upper()): e["Properties"]
            for e in found if e["Type"] == "Api"}


def page_routes() -> set[tuple[str, str]]:
    return {(path, method) for path, methods in app.routes.items()
            for method, entry in methods.items()
            if entry.view_function.__module__.startswith("workingbetter.web.")}


def test_every_role_is_a_group_of_the_pool(template: LocalTemplate) -> None:
    groups = {g["Properties"]["GroupName"]
              for g in template.of_type("AWS::Cognito::UserPoolGroup").values()}
    assert groups == {str(role) for role in Role}


def test_the_app_client_offers_the_flows_the_sign_in_page_uses(template: LocalTemplate) -> None:
    client = one(template, "AWS::Cognito::UserPoolClient")
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}
    assert client["GenerateSecret"] is False  # the app holds no client secret
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True  # signing out ends the refresh token


def test_tokens_last_an_hour_and_a_sign_in_twelve(template: LocalTemplate) -> None:
    client = one(template, "AWS::Cognito::UserPoolClient")
    lasts = {name: (client[f"{name}Validity"], client["TokenValidityUnits"][name])
             for name in ("IdToken", "AccessToken", "RefreshToken")}
    assert lasts == {"IdToken": (1, "hours"), "AccessToken": (1, "hours"),
                     "RefreshToken": (12, "hours")}


def test_nobody_can_change_their_own_practice_or_coach(template: LocalTemplate) -> None:
    client = one(template, "AWS::Cognito::UserPoolClient")
    assert client["WriteAttributes"] == []
    assert {"custom:practice_ods", "custom:coach_id"} <= set(client["ReadAttributes"])


def test_accounts_are_made_by_administrators_and_the_pool_requires_an_app_of_all(
        template: LocalTemplate) -> None:
    pool = one(template, "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    # ON: Cognito itself asks every sign-in, by any flow, for the app's code (or its setup).
    assert (pool["MfaConfiguration"], pool["EnabledMfas"]) == ("ON", ["SOFTWARE_TOKEN_MFA"])
    assert pool["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert pool["UsernameAttributes"] == ["email"]


def test_pages_are_checked_by_the_app_not_by_the_gateways_authoriser(
        template: LocalTemplate) -> None:
    declared = events(template)
    pages = page_routes()
    assert ("/coach", "GET") in pages
    behind_authoriser = {route for route in pages
                         if declared[route].get("Auth", {}).get("Authorizer") != "NONE"}
    assert behind_authoriser == set()


def test_the_json_api_stays_behind_the_gateways_authoriser_too(template: LocalTemplate) -> None:
    declared = events(template)
    # A path's ANY method runs no route: it brings only the methods the path has no route for
    # to the app, for its 405 (test_template: every route has an event of its own).
    open_api = {route for route, event in declared.items()
                if event.get("Auth", {}).get("Authorizer") == "NONE" and route[1] != "ANY"} \
        - page_routes()
    assert open_api == PUBLIC_API


def test_every_function_is_told_the_pool_and_client(template: LocalTemplate) -> None:
    variables = template.document["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["WB_COGNITO_USER_POOL_ID"] == {"Ref": "UserPool"}
    assert variables["WB_COGNITO_CLIENT_ID"] == {"Ref": "UserPoolClient"}
    assert variables["WB_COGNITO_REGION"] == {"Ref": "AWS::Region"}
