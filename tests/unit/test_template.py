"""template.yaml, the one deploy model: it matches the code it deploys and keeps the data rules."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import tomllib
from collections import Counter
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from infra.lambda_dispatch import resolve_handler
from infra.template import ROOT, LocalTemplate, load
from workingbetter.handlers.api import app
from workingbetter.settings import Settings

API_FUNCTION = "ApiFunction"
# SAM policy templates that grant dynamodb:Scan (or more) on a whole table.
SCANNING_POLICY_TEMPLATES = {"DynamoDBCrudPolicy", "DynamoDBReadPolicy",
                             "DynamoDBReconfigurePolicy"}


@pytest.fixture(scope="module")
def template() -> LocalTemplate:
    return LocalTemplate(load())


def functions(template: LocalTemplate) -> dict[str, dict[str, Any]]:
    return template.of_type("AWS::Serverless::Function")


def api_events(template: LocalTemplate) -> list[tuple[str, str, str]]:
    """(function, path, METHOD) for every Api event in the template."""
    events = []
    for name, function in functions(template).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                props = event["Properties"]
                events.append((name, props["Path"], props["Method"].upper()))
    return events


def chalice_routes() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, methods in app.routes.items() for method in methods}


# -- the HTTP API -------------------------------------------------------------------------------


def gateway_responses(template: LocalTemplate) -> dict[str, dict[str, Any]]:
    (api,) = template.of_type("AWS::Serverless::Api").values()
    responses: dict[str, dict[str, Any]] = api["Properties"]["GatewayResponses"]
    return responses


def test_api_gateway_answers_an_unknown_url_with_404_not_missing_authentication_token(
        template: LocalTemplate) -> None:
    responses = gateway_responses(template)
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert responses["UNSUPPORTED_MEDIA_TYPE"]["StatusCode"] == "415"
    assert responses["REQUEST_TOO_LARGE"]["StatusCode"] == "413"


def test_every_answer_api_gateway_gives_itself_is_problem_json_with_the_security_headers(
        template: LocalTemplate) -> None:
    responses = gateway_responses(template)
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED"} <= set(responses)
    for name, response in responses.items():
        headers = response["ResponseParameters"]["Headers"]
        assert headers["Content-Type"] == "'application/problem+json'", name
        for header in ("Cache-Control", "X-Content-Type-Options", "Referrer-Policy",
                       "Content-Security-Policy", "Strict-Transport-Security"):
            assert header in headers, (name, header)
        (body,) = response["ResponseTemplates"].values()
        problem = json.loads(body)
        assert problem["title"], name
        if "StatusCode" in response:
            assert problem["status"] == int(response["StatusCode"]), name


def test_the_app_has_routes_to_compare() -> None:
    assert ("/referrals", "POST") in chalice_routes()


def test_every_chalice_route_has_exactly_one_api_event_on_the_api_function(
    template: LocalTemplate,
) -> None:
    counts = Counter((path, method) for function, path, method in api_events(template)
                     if function == API_FUNCTION)
    missing = {route for route in chalice_routes() if counts[route] == 0}
    repeated = {route for route in chalice_routes() if counts[route] > 1}
    assert missing == set(), "routes the deployed API would not serve"
    assert repeated == set()


def test_every_api_event_in_the_template_is_a_chalice_route_on_the_api_function(
    template: LocalTemplate,
) -> None:
    events = api_events(template)
    assert {f for f, _, _ in events} == {API_FUNCTION}
    unknown = {(path, method) for _, path, method in events if method != "ANY"} - \
        chalice_routes()
    assert unknown == set(), "API Gateway would send these to a route the app does not have"


def test_every_path_sends_the_methods_it_does_not_take_to_the_app_for_its_405(
    template: LocalTemplate,
) -> None:
    """API Gateway answers a method a path has no route for itself (403 Missing Authentication
    Token; a 404 here): an ANY method beside the path's routes sends every other method it
    knows to the app instead, which answers 405 with Allow, as the local server does. No
    authoriser, as no route runs: the app answers from its routing table alone."""
    other_methods = {}
    for event in functions(template)[API_FUNCTION]["Properties"]["Events"].values():
        props = event["Properties"]
        if event["Type"] == "Api" and props["Method"].upper() == "ANY":
            assert props["Path"] not in other_methods, "one ANY method a path"
            other_methods[props["Path"]] = props
    assert set(other_methods) == set(app.routes)
    for path, props in other_methods.items():
        assert props.get("Auth") == {"Authorizer": "NONE"}, path


def test_the_api_function_is_the_chalice_app(template: LocalTemplate) -> None:
    handler = functions(template)[API_FUNCTION]["Properties"]["Handler"]
    assert resolve_handler(handler) is app


# -- functions ----------------------------------------------------------------------------------


def test_every_function_handler_resolves_to_a_callable(template: LocalTemplate) -> None:
    handlers = template.functions()
    assert handlers
    for name, handler in handlers.items():
        try:
            target = resolve_handler(handler)
        except (ImportError, AttributeError) as error:
            pytest.fail(f"{name}: {handler} does not resolve: {error}")
        assert callable(target), f"{name}: {handler}"


def test_every_handler_lives_in_the_code_sam_deploys(template: LocalTemplate) -> None:
    globals_uri = template.document["Globals"]["Function"].get("CodeUri")
    for name, function in functions(template).items():
        code = (ROOT / function["Properties"].get("CodeUri", globals_uri)).resolve()
        module = importlib.import_module(function["Properties"]["Handler"].rpartition(".")[0])
        assert module.__file__ is not None
        assert Path(module.__file__).resolve().is_relative_to(code), name


def test_the_state_machine_invokes_only_functions_the_template_defines(
    template: LocalTemplate,
) -> None:
    (_, machine), = template.of_type("AWS::Serverless::StateMachine").items()
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    function_arns = {k: v for k, v in substitutions.items() if k.endswith("FunctionArn")}
    assert function_arns
    for key, value in function_arns.items():
        (logical_id, attribute) = value["Fn::GetAtt"]
        assert attribute == "Arn", key
        assert logical_id in functions(template), key


# -- data ---------------------------------------------------------------------------------------


def tables(template: LocalTemplate) -> dict[str, dict[str, Any]]:
    found = template.of_type("AWS::DynamoDB::Table")
    assert found
    return found


def test_there_are_no_simple_tables_that_cannot_take_these_settings(
    template: LocalTemplate,
) -> None:
    assert template.of_type("AWS::Serverless::SimpleTable") == {}


def test_every_table_is_pay_per_request(template: LocalTemplate) -> None:
    for name, table in tables(template).items():
        assert table["Properties"].get("BillingMode") == "PAY_PER_REQUEST", name


def test_every_table_has_point_in_time_recovery(template: LocalTemplate) -> None:
    for name, table in tables(template).items():
        pitr = table["Properties"].get("PointInTimeRecoverySpecification", {})
        assert pitr.get("PointInTimeRecoveryEnabled") is True, name


def test_every_table_is_encrypted_with_the_services_kms_key(template: LocalTemplate) -> None:
    for name, table in tables(template).items():
        sse = table["Properties"].get("SSESpecification", {})
        assert sse.get("SSEEnabled") is True, name
        assert sse.get("SSEType") == "KMS", name
        key = sse.get("KMSMasterKeyId")
        assert isinstance(key, dict), f"{name} must name the customer-managed key"
        assert template.resources[key["Ref"]]["Type"] == "AWS::KMS::Key", name


# -- least privilege ----------------------------------------------------------------------------


def policy_entries(template: LocalTemplate) -> Iterator[tuple[str, Any]]:
    for name, resource in template.resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] in {"AWS::Serverless::Function", "AWS::Serverless::StateMachine"}:
            policies = props.get("Policies", [])
            yield from ((name, p) for p in (policies if isinstance(policies, list)
                                            else [policies]))
        elif resource["Type"] == "AWS::IAM::Role":
            yield from ((name, p["PolicyDocument"]) for p in props.get("Policies", []))
        elif resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            yield name, props["PolicyDocument"]


def iam_statements(template: LocalTemplate) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, entry in policy_entries(template):
        if isinstance(entry, dict) and "Statement" in entry:
            statements = entry["Statement"]
            yield from ((name, s) for s in (statements if isinstance(statements, list)
                                            else [statements]))


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)


def test_the_template_has_iam_statements_to_check(template: LocalTemplate) -> None:
    assert any(True for _ in iam_statements(template))


def test_no_iam_statement_allows_a_dynamodb_scan(template: LocalTemplate) -> None:
    for name, statement in iam_statements(template):
        if statement.get("Effect") != "Allow":
            continue
        for action in actions(statement):
            assert not fnmatchcase("dynamodb:scan", action.lower()), f"{name}: {action}"


def test_no_iam_statement_allows_every_action(template: LocalTemplate) -> None:
    for name, statement in iam_statements(template):
        assert "NotAction" not in statement, name
        for action in actions(statement):
            assert action != "*", name
            assert not action.endswith(":*"), f"{name}: {action}"


def test_no_function_uses_a_policy_template_that_can_scan(template: LocalTemplate) -> None:
    for name, entry in policy_entries(template):
        if isinstance(entry, str):
            assert "DynamoDB" not in entry, f"{name} uses managed policy {entry}"
        elif isinstance(entry, dict):
            assert not set(entry) & SCANNING_POLICY_TEMPLATES, f"{name}: {set(entry)}"


# -- settings and packaging ---------------------------------------------------------------------


def required_settings() -> set[str]:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name, field in Settings.model_fields.items()
            if field.is_required()}


def test_settings_has_required_values_to_compare() -> None:
    assert "WB_TABLE_NAME" in required_settings()


def test_every_setting_without_a_default_is_given_to_every_function(
    template: LocalTemplate,
) -> None:
    variables = set(template.document["Globals"]["Function"]["Environment"]["Variables"])
    assert required_settings() - variables == set()


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


# Project dependencies that no function's package holds, and why.
NOT_PACKAGED = {
    "boto3>=1.34": "the Lambda runtime provides boto3 and botocore",
}


def test_functions_requirements_match_the_project_dependencies() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        dependencies: list[str] = tomllib.load(handle)["project"]["dependencies"]
    packaged = [line for name in ("requirements.txt", "requirements-api.txt",
                                  "requirements-chalice.txt", "requirements-notify.txt",
                                  "requirements-notify-client.txt")
                for line in requirement_lines(ROOT / "functions" / name)
                if not line.startswith("-r ")]
    # A package two functions ship (PyJWT: the API checks tokens, Notify's client signs
    # requests) is listed in each; extras may differ by function.
    assert {_without_extras(r) for r in packaged + list(NOT_PACKAGED)} == \
        {_without_extras(r) for r in dependencies}
    assert len(dependencies) == len({_without_extras(r) for r in dependencies})


def _without_extras(requirement: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", requirement)


def test_every_function_is_built_by_the_functions_makefile(template: LocalTemplate) -> None:
    built = subprocess.run(["make", "-s", "-C", str(ROOT / "functions"), "functions"],  # noqa: S603, S607
                           capture_output=True, text=True, check=True).stdout.split()
    assert sorted(built) == sorted(functions(template))
    for name, function in functions(template).items():
        assert function.get("Metadata", {}).get("BuildMethod") == "makefile", name
