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

from infra import monitoring
from infra.lambda_runtime import resolve_handler
from infra.template import ROOT, LocalTemplate, load
from workingbetter.handlers.api import app
from workingbetter.observability import NAMESPACE
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


# -- going live: data that survives mistakes ----------------------------------------------------

# What cfn-lint's I3011 counts as stateful, of the kinds this template has: deleting or
# replacing one deletes what it holds.
STATEFUL = {"AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::SecretsManager::Secret",
            "AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::SQS::Queue",
            "AWS::Cognito::UserPool", "AWS::Backup::BackupVault"}


def one_of(template: LocalTemplate, kind: str) -> dict[str, Any]:
    (resource,) = template.of_type(kind).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def test_every_stateful_resource_is_kept_when_the_stack_is_deleted_or_replaced(
        template: LocalTemplate) -> None:
    stateful = {name: r for name, r in template.resources.items() if r["Type"] in STATEFUL}
    assert {"ReferralsTable", "PersonalDataTable", "DataKey", "NhsHashKeySecret",
            "ApiFunctionLogs", "DeadLetterQueue", "UserPool"} <= set(stateful)
    for name, resource in stateful.items():
        assert resource.get("DeletionPolicy") == "Retain", name
        assert resource.get("UpdateReplacePolicy") == "Retain", name


def test_no_table_can_be_deleted_until_its_deletion_protection_is_turned_off(
        template: LocalTemplate) -> None:
    for name, table in tables(template).items():
        assert table["Properties"].get("DeletionProtectionEnabled") is True, name


def test_every_table_is_backed_up_daily_for_35_days_in_a_vault_with_a_key_of_its_own(
        template: LocalTemplate) -> None:
    selection = one_of(template, "AWS::Backup::BackupSelection")["BackupSelection"]
    assert {arn["Fn::GetAtt"][0] for arn in selection["Resources"]} == set(tables(template))
    (rule,) = one_of(template, "AWS::Backup::BackupPlan")["BackupPlan"]["BackupPlanRule"]
    assert re.fullmatch(r"cron\(\d+ \d+ \* \* \? \*\)", rule["ScheduleExpression"]), "daily"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    (vault_id, vault), = template.of_type("AWS::Backup::BackupVault").items()
    assert rule["TargetBackupVault"] == {"Ref": vault_id}
    key = vault["Properties"]["EncryptionKeyArn"]["Fn::GetAtt"][0]
    assert template.resources[key]["Type"] == "AWS::KMS::Key"
    table_keys = {t["Properties"]["SSESpecification"]["KMSMasterKeyId"]["Ref"]
                  for t in tables(template).values()}
    assert key not in table_keys, "the vault's key is its own, not the tables'"


# -- going live: it says when it breaks ----------------------------------------------------------


def alarms(template: LocalTemplate) -> dict[str, dict[str, Any]]:
    found = {name: r["Properties"] for name, r in
             template.of_type("AWS::CloudWatch::Alarm").items()}
    assert found
    return found


def watched(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    """(namespace, metric name) of everything an alarm reads: a metric, a metric's statistic
    in math, or a Metrics Insights query."""
    metrics = [alarm] if "MetricName" in alarm else [
        m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    found = {(m["Namespace"], m["MetricName"]) for m in metrics}
    for m in alarm.get("Metrics", []):
        query = re.match(r"SELECT \w+\((\w+)\) FROM SCHEMA\(([\w/\"]+)", m.get("Expression", ""))
        if query:
            found.add((query[2].strip('"'), query[1]))
    return found


def test_every_alarm_tells_the_ops_topic_and_the_topic_emails_the_service_desk(
        template: LocalTemplate) -> None:
    topic = {"Ref": "OpsAlertsTopic"}
    for name, alarm in alarms(template).items():
        assert alarm["AlarmActions"] == [topic], name
        assert alarm["OKActions"] == [topic], f"{name}: say when it has cleared too"
        assert "docs/operations.md#" in alarm["AlarmDescription"], name
    subscriptions = [s["Properties"] for s in template.of_type("AWS::SNS::Subscription").values()]
    assert {"TopicArn": topic, "Protocol": "email", "Endpoint": {"Ref": "OpsAlertEmail"}} in \
        subscriptions
    assert "Default" not in template.document["Parameters"]["OpsAlertEmail"]


def test_alarms_and_failed_backups_may_publish_to_the_encrypted_ops_topic(
        template: LocalTemplate) -> None:
    """SNS's default policy is replaced, and the topic is encrypted: a service that may not
    publish, or may not use the key, is refused in silence and nobody is told."""
    topic = template.resources["OpsAlertsTopic"]["Properties"]
    key = template.resources[topic["KmsMasterKeyId"]["Ref"]]["Properties"]["KeyPolicy"]
    (policy,) = [p["PolicyDocument"] for p in
                 (r["Properties"] for r in template.of_type("AWS::SNS::TopicPolicy").values())
                 if {"Ref": "OpsAlertsTopic"} in p["Topics"]]
    for service in ("cloudwatch.amazonaws.com", "events.amazonaws.com"):
        assert any(s["Effect"] == "Allow" and s["Principal"] == {"Service": service}
                   and s["Action"] == "sns:Publish" for s in policy["Statement"]), service
        assert any(s["Effect"] == "Allow" and service in s["Principal"].get("Service", [])
                   and "kms:GenerateDataKey*" in s["Action"] and "Condition" not in s
                   for s in key["Statement"]), service


def test_every_alarms_runbook_section_exists() -> None:
    text = (ROOT / "docs" / "operations.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", line[4:].strip().lower()).replace(" ", "-")
               for line in text.splitlines() if line.startswith("### ")}
    for name, alarm in alarms(LocalTemplate(load())).items():
        anchor = alarm["AlarmDescription"].rsplit("#", 1)[1]
        assert anchor in anchors, f"{name}: docs/operations.md has no section #{anchor}"


def test_every_function_has_an_errors_and_a_throttles_alarm(template: LocalTemplate) -> None:
    by_function = {(a["Dimensions"][0]["Value"]["Ref"], a["MetricName"])
                   for a in alarms(template).values()
                   if a.get("Namespace") == "AWS/Lambda"}
    for name in functions(template):
        assert (name, "Errors") in by_function, name
        assert (name, "Throttles") in by_function, name


def test_runs_dead_letters_the_api_sign_ins_messages_caseloads_and_tables_are_watched(
        template: LocalTemplate) -> None:
    everything = set().union(*(watched(a) for a in alarms(template).values()))
    assert {("AWS/States", "ExecutionsFailed"), ("AWS/States", "ExecutionsTimedOut"),
            ("AWS/States", "ExecutionsAborted"),
            ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            ("AWS/ApiGateway", "5XXError"), ("AWS/Cognito", "SignInSuccesses"),
            (NAMESPACE, "NotificationProcessed"), (NAMESPACE, "CaseloadRepaired"),
            (NAMESPACE, "MessageNotDelivered"),
            ("AWS/DynamoDB", "ReadThrottleEvents"),
            ("AWS/DynamoDB", "WriteThrottleEvents")} <= everything


def test_a_message_notify_could_not_deliver_for_good_tells_the_ops_topic_within_the_hour(
        template: LocalTemplate) -> None:
    """A patient is not getting their messages: one permanent failure is enough (their coach
    has a task to reach them another way); a burst of temporary ones is Notify's or a network's
    trouble. Both read the receipts' metric, by channel and kind only."""
    found = {name: a for name, a in alarms(template).items()
             if (NAMESPACE, "MessageNotDelivered") in watched(a)}
    by_failure = {}
    for name, alarm in found.items():
        (query,) = [m for m in alarm["Metrics"] if m.get("ReturnData")]
        assert query["Period"] == 3600, name
        assert "SCHEMA(WorkingBetter, channel, failure, kind, service)" in query["Expression"]
        by_failure[re.findall(r"failure = '(\w+)'", query["Expression"])[0]] = alarm
    permanent = by_failure["permanent"]
    assert permanent["Threshold"] == 1
    assert permanent["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert permanent["AlarmActions"] == [{"Ref": "OpsAlertsTopic"}]
    assert permanent["AlarmDescription"].endswith(
        "docs/operations.md#a-message-could-not-be-delivered")
    assert by_failure["temporary"]["Threshold"] == 10
    assert by_failure["temporary"]["AlarmActions"] == [{"Ref": "OpsAlertsTopic"}]


def test_the_services_own_metrics_that_are_alarmed_on_are_ones_the_code_publishes(
        template: LocalTemplate) -> None:
    source = "\n".join(path.read_text()
                       for path in (ROOT / "functions" / "workingbetter").rglob("*.py"))
    published = set(re.findall(r"\bcount\(\"(\w+)\"", source))
    alarmed = {name for a in alarms(template).values() for ns, name in watched(a)
               if ns == NAMESPACE}
    assert alarmed, "the service's own metrics are alarmed on"
    assert alarmed <= published, "an alarm on a metric the code never publishes never fires"


def test_the_alarms_and_dashboard_in_the_template_are_generated_from_their_declaration() -> None:
    text = (ROOT / "template.yaml").read_text()
    assert monitoring.render(text) == text, "run: .venv/bin/python -m infra.monitoring"


# -- going live: no unsafe defaults --------------------------------------------------------------


def rules_refusing(template: LocalTemplate, given: dict[str, str]) -> list[str]:
    """The template's Rules that refuse these parameter values (CloudFormation's semantics:
    a rule whose condition holds asserts each of its assertions)."""

    def value(expression: Any) -> Any:
        if isinstance(expression, dict):
            ((function, argument),) = expression.items()
            if function == "Ref":
                parameter = template.document["Parameters"][argument]
                return given.get(argument, str(parameter.get("Default", "")))
            args = [value(a) for a in argument]
            results: dict[str, Any] = {"Fn::Equals": lambda: args[0] == args[1],
                                       "Fn::Not": lambda: not args[0],
                                       "Fn::And": lambda: all(args),
                                       "Fn::Or": lambda: any(args)}
            return results[function]()
        return str(expression)

    refusing = []
    for name, rule in template.document.get("Rules", {}).items():
        applies = value(rule["RuleCondition"]) if "RuleCondition" in rule else True
        if applies and not all(value(a["Assert"]) for a in rule["Assertions"]):
            refusing.append(name)
    return refusing


def test_a_production_stack_is_refused_a_compressed_service_day(
        template: LocalTemplate) -> None:
    assert rules_refusing(template, {"Environment": "production", "SecondsPerDay": "1"})
    assert rules_refusing(template, {"Environment": "production", "SecondsPerDay": "86400"}) \
        == []
    assert rules_refusing(template, {"Environment": "staging", "SecondsPerDay": "1"}) == []
    assert "Default" not in template.document["Parameters"]["Environment"]


def test_the_public_address_has_no_default_and_is_an_https_host(
        template: LocalTemplate) -> None:
    parameter = template.document["Parameters"]["PublicUrl"]
    assert "Default" not in parameter
    address = re.compile(parameter["AllowedPattern"])
    assert address.fullmatch("https://workingbetter.islington.gov.uk")
    for wrong in ("http://workingbetter.islington.gov.uk", "https://workingbetter.gov.uk/",
                  "https://abc.execute-api.eu-west-2.amazonaws.com/live", "https://localhost"):
        assert not address.fullmatch(wrong), wrong


def test_the_account_wide_api_gateway_role_is_set_only_when_asked(
        template: LocalTemplate) -> None:
    for kind in ("AWS::ApiGateway::Account", "AWS::IAM::Role"):
        for name, resource in template.of_type(kind).items():
            if kind == "AWS::ApiGateway::Account" or name == "ApiGatewayLoggingRole":
                condition = template.document["Conditions"][resource["Condition"]]
                (parameter, wanted) = condition["Fn::Equals"]
                default = template.document["Parameters"][parameter["Ref"]]["Default"]
                assert default != wanted, f"{name} is made unless asked for"


# -- going live: its own address -----------------------------------------------------------------

ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AWS's managed policy


def distribution(template: LocalTemplate) -> dict[str, Any]:
    config: dict[str, Any] = one_of(template, "AWS::CloudFront::Distribution")[
        "DistributionConfig"]
    return config


def origin(config: dict[str, Any], behaviour: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [o for o in config["Origins"]
                                    if o["Id"] == behaviour["TargetOriginId"]]
    assert len(found) == 1
    return found[0]


def test_cloudfront_answers_at_the_public_address_with_the_councils_certificate(
        template: LocalTemplate) -> None:
    config = distribution(template)
    assert config["Aliases"] == [
        {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "PublicUrl"}]}]}]  # the host
    certificate = config["ViewerCertificate"]
    assert certificate["AcmCertificateArn"] == {"Ref": "CertificateArn"}
    assert "us-east-1" in template.document["Parameters"]["CertificateArn"]["AllowedPattern"]
    assert certificate["SslSupportMethod"] == "sni-only"
    assert config["WebACLId"] == {"Ref": "EdgeWebAclArn"}


def test_pages_reach_the_api_stage_so_root_absolute_links_work_unchanged(
        template: LocalTemplate) -> None:
    config = distribution(template)
    api = origin(config, config["DefaultCacheBehavior"])
    assert api["DomainName"]["Fn::Sub"].startswith("${Api}.execute-api.")
    assert api["OriginPath"] == {"Fn::Sub": "/${Api.Stage}"}
    (stage,) = [a["Properties"]["StageName"]
                for a in template.of_type("AWS::Serverless::Api").values()]
    assert stage == monitoring.STAGE
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_api_answers_are_never_cached_and_everything_the_app_reads_reaches_it(
        template: LocalTemplate) -> None:
    behaviour = distribution(template)["DefaultCacheBehavior"]
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= set(behaviour["AllowedMethods"])
    policy = template.resources[behaviour["CachePolicyId"]["Ref"]]["Properties"][
        "CachePolicyConfig"]
    assert policy["DefaultTTL"] == 0
    assert policy["MaxTTL"] <= 1
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    # CloudFront forwards Authorization only when it is in the cache key.
    assert key["HeadersConfig"]["Headers"] == ["Authorization"]
    assert key["CookiesConfig"]["CookieBehavior"] == "all"
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    # Every other header (Idempotency-Key, Content-Type ...), but API Gateway's own Host.
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST


def test_assets_come_from_a_private_bucket_that_only_this_distribution_reads(
        template: LocalTemplate) -> None:
    config = distribution(template)
    (assets,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/assets/*"]
    bucket = origin(config, assets)
    assert bucket["DomainName"] == {"Fn::GetAtt": ["AssetsBucket", "RegionalDomainName"]}
    assert "OriginAccessControlId" in bucket
    assert set(assets["AllowedMethods"]) == {"GET", "HEAD"}
    block = template.resources["AssetsBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert len(block) == 4
    statements = one_of(template, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    (reader,) = [s for s in statements if s["Effect"] == "Allow"]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "${Distribution}" in reader["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_the_apis_own_address_refuses_what_did_not_come_through_cloudfront(
        template: LocalTemplate) -> None:
    config = distribution(template)
    (header,) = origin(config, config["DefaultCacheBehavior"])["OriginCustomHeaders"]
    acl = template.resources["ApiWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Block": {}}
    (rule,) = acl["Rules"]
    match = rule["Statement"]["ByteMatchStatement"]
    assert rule["Action"] == {"Allow": {}}
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": header["HeaderName"].lower()}}
    assert match["PositionalConstraint"] == "EXACTLY"
    assert match["SearchString"] == header["HeaderValue"]
    assert header["HeaderValue"]["Fn::Sub"].startswith("{{resolve:secretsmanager:")
    association = one_of(template, "AWS::WAFv2::WebACLAssociation")
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert "/restapis/${Api}/stages/${Api.Stage}" in association["ResourceArn"]["Fn::Sub"]
