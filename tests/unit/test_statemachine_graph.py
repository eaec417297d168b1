"""The referral workflow's ASL: a sound graph, guarded tasks, ids and enums only, and moto takes it.

cfn-lint never looks inside DefinitionUri (docs/architecture.md §6), so these checks are the ASL's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.notify_server import LOCAL_API_KEY, LOCAL_CALLBACK_TOKEN, local_templates
from infra.template import ROOT, LocalTemplate, load
from statemachines import referral
from workingbetter.settings import Settings

ASL_PATH = ROOT / "statemachines" / "referral.asl.json"
PERSONAL_DATA_FIELDS = {"given_name", "family_name", "nhs_number", "date_of_birth", "phone",
                        "email", "health_conditions", "reason"}
# A run may carry these as literal codes for ops (never copied from the referral).
LITERAL_CODE = re.compile(r"^[a-z_]{1,64}$")

State = dict[str, Any]


def asl_text() -> str:
    return Path(ASL_PATH).read_text()


def asl() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(asl_text())
    return document


def states() -> dict[str, State]:
    result: dict[str, State] = asl()["States"]
    return result


def transitions(state: State) -> list[str]:
    """Every state this one can hand over to: Next, Default, each Choice and each Catch."""
    targets = [state[k] for k in ("Next", "Default") if k in state]
    targets += [choice["Next"] for choice in state.get("Choices", [])]
    targets += [catch["Next"] for catch in state.get("Catch", [])]
    return targets


def is_terminal(state: State) -> bool:
    return state["Type"] in {"Succeed", "Fail"} or state.get("End") is True


def reachable_from(start: str, graph: dict[str, list[str]]) -> set[str]:
    seen = {start}
    frontier = [start]
    while frontier:
        for target in graph.get(frontier.pop(), []):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def graph() -> dict[str, list[str]]:
    return {name: transitions(state) for name, state in states().items()}


def tasks() -> dict[str, State]:
    return {name: s for name, s in states().items() if s["Type"] == "Task"}


def lambda_tasks() -> dict[str, State]:
    return {name: s for name, s in tasks().items()
            if s["Resource"].startswith("arn:aws:states:::lambda:invoke")
            or ":function:" in s["Resource"] or "FunctionArn}" in s["Resource"]}


def catches(state: State) -> list[str]:
    return [error for catch in state.get("Catch", []) for error in catch["ErrorEquals"]]


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a JSON document, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, inner
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def mentions_personal_data(text: str) -> set[str]:
    words = set(re.split(r"[^A-Za-z0-9_]+", text))
    return words & PERSONAL_DATA_FIELDS


# -- the graph ----------------------------------------------------------------------------------


def test_the_workflow_starts_at_a_state_that_exists() -> None:
    assert asl()["StartAt"] in states()


def test_every_transition_names_a_state_that_exists() -> None:
    missing = {(name, target) for name, targets in graph().items() for target in targets
               if target not in states()}
    assert missing == set()


def test_every_state_is_reachable_from_the_start() -> None:
    unreachable = set(states()) - reachable_from(asl()["StartAt"], graph())
    assert unreachable == set()


def test_every_state_can_reach_an_end_so_no_path_is_a_dead_end_loop() -> None:
    everything = graph()
    terminals = {name for name, state in states().items() if is_terminal(state)}
    stuck = {name for name in everything if not reachable_from(name, everything) & terminals}
    assert stuck == set()


def test_only_end_states_have_no_way_out() -> None:
    for name, state in states().items():
        if is_terminal(state):
            assert state["Type"] in {"Succeed", "Fail"} or "Next" not in state, name
        else:
            assert transitions(state), f"{name} neither ends nor moves on"


def test_every_choice_has_a_default_so_an_unexpected_value_cannot_fail_the_run() -> None:
    without = [name for name, s in states().items() if s["Type"] == "Choice" and "Default" not in s]
    assert without == []


# -- tasks are guarded --------------------------------------------------------------------------


def test_every_task_retries_and_catches_everything() -> None:
    for name, state in tasks().items():
        assert state.get("Retry"), f"{name} has no Retry"
        assert "States.ALL" in catches(state), f"{name} has no Catch for States.ALL"


def test_a_catch_for_everything_comes_last() -> None:
    for name, state in tasks().items():
        for catch in state.get("Catch", [])[:-1]:
            assert "States.ALL" not in catch["ErrorEquals"], name


def test_every_lambda_task_retries_lambda_service_errors() -> None:
    for name, state in lambda_tasks().items():
        retried = {e for retry in state["Retry"] for e in retry["ErrorEquals"]}
        assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException"} <= retried, name


def test_every_human_step_has_a_time_limit_and_a_catch_for_it() -> None:
    human_steps = {n: s for n, s in tasks().items() if s["Resource"].endswith(".waitForTaskToken")}
    assert human_steps, "the pathway has human steps"
    for name, state in human_steps.items():
        assert "TimeoutSeconds" in state or "TimeoutSecondsPath" in state, name
        assert "States.Timeout" in catches(state), f"{name} does not catch its time limit"
        assert "States.HeartbeatTimeout" not in catches(state), name


def test_every_human_step_can_be_ended_by_a_withdrawal() -> None:
    for name, state in tasks().items():
        if state["Resource"].endswith(".waitForTaskToken"):
            assert "Referral.Withdrawn" in catches(state), name


def ops_flagging(state: State) -> bool:
    """The failure path itself: a task that marks the referral for ops (NeedsOps)."""
    return "${NeedsOpsFunctionArn}" in json.dumps(state.get("Parameters", {}))


def test_every_lambda_task_that_acts_on_a_referral_ends_cleanly_on_a_withdrawal() -> None:
    acting = {n: s for n, s in lambda_tasks().items() if not ops_flagging(s)}
    assert acting
    for name, state in acting.items():
        withdrawn = [c for c in state["Catch"] if "Referral.Withdrawn" in c["ErrorEquals"]]
        assert withdrawn, f"{name} has no Catch for Referral.Withdrawn"
        assert states()[withdrawn[0]["Next"]]["Type"] == "Succeed", name


def test_the_withdrawal_catch_comes_before_the_catch_for_everything() -> None:
    for name, state in lambda_tasks().items():
        errors = catches(state)
        if "Referral.Withdrawn" in errors:
            assert errors.index("Referral.Withdrawn") < errors.index("States.ALL"), name


def test_a_task_failure_is_flagged_for_ops_who_can_retry_that_step() -> None:
    everything = states()
    retry = everything[everything["AwaitOpsRetry"]["Next"]]
    for name, state in tasks().items():
        if ops_flagging(state) or name == "AwaitOpsRetry":
            continue
        (catch_all,) = [c for c in state["Catch"] if "States.ALL" in c["ErrorEquals"]]
        assert catch_all["ResultPath"] == f"$.failure.{name}", f"{name} does not say where"
        assert ops_flagging(everything[catch_all["Next"]]), f"{name} is not flagged for ops"
        assert {"Variable": "$.retry.step", "StringEquals": name, "Next": name} in \
            retry["Choices"], f"ops cannot retry {name}"


def test_every_choice_is_named_as_the_question_it_answers() -> None:
    questions = ("Is", "Does", "What", "Which", "Where", "Accepted", "Still")
    for name, state in states().items():
        if state["Type"] == "Choice":
            assert name.startswith(questions), name


def test_the_deployed_definition_is_what_the_source_builds() -> None:
    assert asl_text() == referral.render(), "run: .venv/bin/python -m statemachines.referral"


def test_the_source_is_at_most_half_the_lines_of_the_definition() -> None:
    source = Path(referral.__file__).read_text().count("\n")
    assert source <= asl_text().count("\n") / 2


# -- what moto can run --------------------------------------------------------------------------


def test_the_asl_uses_jsonpath_only() -> None:
    text = asl_text()
    assert "JSONata" not in text
    assert "QueryLanguage" not in text
    keys = {key for key, _ in walk(asl())}
    assert "Assign" not in keys
    assert "Arguments" not in keys
    assert "Output" not in keys


def test_no_catch_waits_for_a_heartbeat_timeout_that_moto_never_raises() -> None:
    assert "States.HeartbeatTimeout" not in asl_text()


def test_every_placeholder_in_the_asl_is_a_definition_substitution_and_vice_versa() -> None:
    template = LocalTemplate(load())
    (_, machine), = template.of_type("AWS::Serverless::StateMachine").items()
    substitutions = set(machine["Properties"]["DefinitionSubstitutions"])
    placeholders = set(re.findall(r"\$\{([^}]+)\}", asl_text()))
    assert placeholders == substitutions


def test_the_state_machine_in_the_template_is_this_asl() -> None:
    (_, machine), = LocalTemplate(load()).of_type("AWS::Serverless::StateMachine").items()
    assert (ROOT / machine["Properties"]["DefinitionUri"]).resolve() == ASL_PATH.resolve()


def test_the_substituted_asl_leaves_no_placeholder_and_names_real_functions() -> None:
    template = LocalTemplate(load())
    _, definition = template.state_machine()
    assert "${" not in definition
    functions = {template.function_arn(name) for name in template.functions()}
    named = {v for k, v in walk(json.loads(definition)) if k == "FunctionName"}
    assert named
    assert named <= functions


def create_in_moto(definition: str) -> str:
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="asl-check", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "states.amazonaws.com"}}]}
    ))["Role"]["Arn"]
    arn: str = boto3.client("stepfunctions").create_state_machine(
        name="asl-check", definition=definition, roleArn=role, type="STANDARD"
    )["stateMachineArn"]
    return arn


def test_moto_accepts_the_asl_as_the_template_substitutes_it() -> None:
    _, definition = LocalTemplate(load()).state_machine()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        arn = create_in_moto(definition)
        described = boto3.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
        assert json.loads(described["definition"]) == json.loads(definition)


def test_moto_refuses_an_asl_it_cannot_parse_so_the_check_above_means_something() -> None:
    broken = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": True}}})
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), \
            pytest.raises(ClientError):
        create_in_moto(broken)


# -- ids and enums only -------------------------------------------------------------------------


def test_no_json_path_in_the_asl_reaches_for_personal_data() -> None:
    paths = [s for s in strings(asl()) if s.startswith("$")]
    assert paths
    offending = {p: mentions_personal_data(p) for p in paths if mentions_personal_data(p)}
    assert offending == {}


def test_no_state_passes_or_selects_a_personal_data_field() -> None:
    shaping = ("Parameters", "ResultSelector", "Result", "ItemSelector")
    for name, state in states().items():
        for part in shaping:
            if part not in state:
                continue
            for key, value in walk(state[part]):
                field = key.removesuffix(".$")
                if field not in PERSONAL_DATA_FIELDS:
                    continue
                # Only a fixed code written in the ASL itself may use such a name (the ops
                # flag's `reason: stalled`); nothing copied from the run's data may.
                assert not key.endswith(".$"), f"{name}.{part} copies {field}"
                assert isinstance(value, str), f"{name}.{part} carries {field}"
                assert LITERAL_CODE.match(value), f"{name}.{part} carries {field}"


def test_every_task_payload_carries_the_referral_id_and_nothing_from_the_patient() -> None:
    for name, state in lambda_tasks().items():
        payload = state["Parameters"]["Payload"]
        assert payload["referral_id.$"] == "$.referral_id", name
        copied = {k.removesuffix(".$") for k in payload if k.endswith(".$")}
        allowed = {"referral_id", "token", "plan", "failure", "run"}  # `run`: the run's name
        assert copied <= allowed, f"{name} copies {copied}"
    # `$.plan` is the route and the time limits (numbers) Triage picked: nothing personal.
    # `$.failure` holds Step Functions' error under the failed state's name (only the name is
    # kept by NeedsOps); only Catch clauses write it, and the ops retry's answer replaces it.
    failure_writers = {c["ResultPath"] for s in states().values() for c in s.get("Catch", [])
                       if str(c.get("ResultPath")).startswith("$.failure")}
    assert {p.removeprefix("$.failure.") for p in failure_writers} <= set(states())
    writers = {n: s for n, s in states().items() if s.get("ResultPath") == "$.plan"}
    assert list(writers) == ["Triage"]
    assert set(writers["Triage"]["ResultSelector"]) == {"route.$", "timers.$"}


# -- what the run reads is what its steps wrote -------------------------------------------------


def written_results() -> dict[str, set[str]]:
    """For each `$.name` a state's ResultSelector writes, the keys it selects."""
    written: dict[str, set[str]] = {}
    unselected: set[str] = set()
    for state in states().values():
        path = state.get("ResultPath")
        if not isinstance(path, str) or path.count(".") != 1:
            continue
        if "ResultSelector" in state:
            keys = {k.removesuffix(".$") for k in state["ResultSelector"]}
            written.setdefault(path, set()).update(keys)
        else:
            unselected.add(path)
    # A result some state writes whole (a human step's answer) cannot be checked here.
    return {path: keys for path, keys in written.items() if path not in unselected}


def test_every_selected_result_the_run_reads_was_selected_by_the_step_that_wrote_it() -> None:
    results = written_results()
    assert "$.plan" in results
    for path in {s for s in strings(asl()) if s.startswith("$.")}:
        root, _, rest = path.partition(".")[2].partition(".")
        if f"$.{root}" in results and rest:
            assert rest.split(".")[0] in results[f"$.{root}"], path


def test_every_timer_the_run_waits_on_is_one_the_settings_provide() -> None:
    settings = Settings(table_name="t", personal_data_table_name="p",
                        idempotency_table_name="i", state_machine_arn="arn:sm",
                        cognito_region="eu-west-2", cognito_user_pool_id="eu-west-2_p",
                        cognito_client_id="c", nhs_hash_key="k" * 16,
                        public_url="http://localhost",
                        service_phone="020 7946 0000", ops_alerts_topic_arn="arn:topic",
                        notify_base_url="http://localhost:9", notify_templates=local_templates(),
                        notify_api_key=LOCAL_API_KEY,
                        notify_callback_token=LOCAL_CALLBACK_TOKEN)
    timers = [s.removeprefix("$.plan.timers.") for s in strings(asl())
              if s.startswith("$.plan.timers.")]
    assert timers
    assert set(timers) <= set(settings.timers())
