"""Each human step is declared once (domain/human_steps.py): the state machine, the template,
the routes, the forms, the chasers and the run's time limits all agree with that declaration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from infra import step_events
from infra.notify_server import LOCAL_API_KEY, LOCAL_CALLBACK_TOKEN, local_templates
from infra.template import ROOT
from statemachines import referral
from workingbetter.domain import human_steps
from workingbetter.domain.human_steps import (
    BY_AWAITING,
    HUMAN_STEPS,
    OPS_RETRY,
    RECORDED,
    Awaiting,
    HumanStep,
    Wait,
)
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import Status
from workingbetter.handlers import openapi
from workingbetter.handlers.api import app
from workingbetter.services import resume
from workingbetter.services.steps import ANSWERS
from workingbetter.settings import Settings
from workingbetter.web import caseload, coach_forms, run_words
from workingbetter.web.http import Form, FormKeys

State = dict[str, Any]
WAITS = [(step, wait) for step in (*HUMAN_STEPS, OPS_RETRY) for wait in step.waits]


def wait_id(value: Any) -> str:
    return value.state if isinstance(value, Wait) else str(getattr(value, "awaiting", value))


def states() -> dict[str, State]:
    found: dict[str, State] = json.loads(referral.ASL_PATH.read_text())["States"]
    return found


def branches(choice: str, variable: str) -> dict[str, str]:
    """A Choice's `value: next state` branches on one variable."""
    return {b["StringEquals"]: b["Next"] for b in states()[choice]["Choices"]
            if b.get("Variable") == variable and "StringEquals" in b}


def settings() -> Settings:
    return Settings(table_name="t", personal_data_table_name="p", idempotency_table_name="i",
                    state_machine_arn="arn:sm", cognito_region="eu-west-2",
                    cognito_user_pool_id="eu-west-2_p", cognito_client_id="c",
                    nhs_hash_key="k" * 16, public_url="http://localhost",
                    service_phone="020 7946 0000",
                    ops_alerts_topic_arn="arn:topic", notify_base_url="http://localhost:9",
                    notify_templates=local_templates(), notify_api_key=LOCAL_API_KEY,
                    notify_callback_token=LOCAL_CALLBACK_TOKEN)


# -- the state machine ---------------------------------------------------------------------


def test_every_value_a_run_can_wait_for_is_declared_once() -> None:
    assert set(BY_AWAITING) == set(Awaiting)
    backs = [w.back_to for _, w in WAITS]
    assert len(backs) == len(set(backs))


@pytest.mark.parametrize(("step", "wait"), WAITS, ids=wait_id)
def test_each_declared_wait_is_a_task_token_wait_for_that_step_with_its_limit(
        step: HumanStep, wait: Wait) -> None:
    state = states()[wait.state]
    assert state["Resource"].endswith(".waitForTaskToken")
    payload = state["Parameters"]["Payload"]
    assert payload["awaiting"] == step.awaiting
    assert payload.get("check") == wait.check
    assert state["Next"] == wait.then
    limit = state.get("TimeoutSecondsPath", state.get("TimeoutSeconds"))
    assert limit == step.limit


@pytest.mark.parametrize(("step", "wait"), [(s, w) for s in HUMAN_STEPS for w in s.waits],
                         ids=wait_id)
def test_each_chased_wait_loops_through_the_chase_back_to_itself_or_its_answer(
        step: HumanStep, wait: Wait) -> None:
    timeout = [c for c in states()[wait.state]["Catch"]
               if c["ErrorEquals"] == ["States.Timeout"]]
    assert [c["Next"] for c in timeout] == ["ChaseOverdueStep"]
    assert states()["ChaseOverdueStep"]["Next"] == "WhichStepIsDue"
    due = branches("WhichStepIsDue", "$.step.back_to")
    assert due[wait.back_to] == wait.state
    assert due[wait.answered] == wait.then


def test_the_chase_routes_on_declared_steps_only() -> None:
    declared = {w.back_to: w.state for s in HUMAN_STEPS for w in s.waits} | \
        {w.answered: w.then for s in HUMAN_STEPS for w in s.waits}
    assert branches("WhichStepIsDue", "$.step.back_to") == declared


def test_every_task_token_wait_in_the_state_machine_is_a_declared_wait() -> None:
    waiting = {n for n, s in states().items()
               if s.get("Resource", "").endswith(".waitForTaskToken")}
    assert waiting == {w.state for _, w in WAITS}


def test_ops_can_retry_every_wait_and_the_ops_retry_is_never_chased() -> None:
    retry = branches("WhichStepFailed", "$.retry.step")
    assert {w.state for s in HUMAN_STEPS for w in s.waits} <= set(retry)
    (wait,) = OPS_RETRY.waits
    assert "ChaseOverdueStep" not in json.dumps(states()[wait.state]["Catch"])


def test_each_step_limit_is_a_timer_the_settings_give_the_run() -> None:
    timers = settings().timers()
    for step in HUMAN_STEPS:
        assert step.limit_days in Settings.model_fields, step.awaiting
        assert step.timer in timers, step.awaiting
        assert timers[str(step.timer)] == settings().step_limit(step)


def a_referral(status: Status, **fields: Any) -> Referral:
    return Referral("r-1", "2030-01-01T00:00:00Z", status, "F83001", **fields)


def test_where_a_resumed_run_starts_is_a_declared_wait() -> None:
    declared = {w.back_to for s in HUMAN_STEPS for w in s.waits}
    for status in (Status.IN_SUPPORT, Status.IN_WORK, Status.WAITLISTED,
                   Status.APPOINTMENT_BOOKED):
        start = resume.where(a_referral(status))
        assert start["step"]["back_to"] in declared, status
    for week in (13, 26, 52):
        item = a_referral(Status.IN_WORK, awaiting=Awaiting.SUSTAINMENT_CHECK,
                        sustainment_week=week)
        assert resume.where(item)["step"]["back_to"] == f"sustainment_check_{week}"
        assert states()[resume.wait_of("sustainment_check", item).then]


def test_a_late_answer_carries_on_from_the_decision_after_its_wait() -> None:
    due = branches("WhichStepIsDue", "$.step.back_to")
    for step in HUMAN_STEPS:
        for wait in step.waits:
            item = a_referral(Status.IN_WORK, sustainment_week=wait.check)
            assert due[resume.wait_of(step.awaiting, item).answered] == wait.then


# -- the routes and the template -----------------------------------------------------------


@pytest.mark.parametrize("step", RECORDED, ids=wait_id)
def test_each_recorded_step_has_its_route_its_answer_and_its_documented_body(
        step: HumanStep) -> None:
    assert step.answer is not None
    route = app.routes[step.answer.path]["POST"]
    assert route.content_types == ["application/json"]
    assert step.awaiting in ANSWERS
    model = step.answer.model()
    assert issubclass(model, BaseModel)
    body = openapi.document()["paths"][step.answer.path]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith(model.__name__)


def test_every_answer_the_service_records_is_a_declared_step() -> None:
    assert set(ANSWERS) == {s.awaiting for s in RECORDED}


def test_the_templates_human_step_events_are_generated_from_the_declaration() -> None:
    """The template's API events for the steps: `python -m infra.step_events` writes them."""
    text = (ROOT / "template.yaml").read_text()
    assert step_events.render(text) == text, "run: .venv/bin/python -m infra.step_events"
    for step in RECORDED:
        assert step.answer is not None
        assert f'{step.api_event}:\n' in step_events.events()
        assert f'Path: "{step.answer.path}", Method: POST' in step_events.events()


# -- the coach's page, the chasers, the ops view -------------------------------------------


@pytest.mark.parametrize("step", RECORDED, ids=wait_id)
def test_each_recorded_step_has_a_coach_form_and_caseload_words(step: HumanStep) -> None:
    assert step.answer is not None
    form = coach_forms.STEPS[step.answer.route]
    assert coach_forms.BY_AWAITING[step.awaiting] is form
    assert (form.heading, form.done) == (step.answer.heading, step.answer.done)
    assert caseload.STEP_LIMITS[step.awaiting] == step.limit_days
    assert caseload.next_step({"awaiting": str(step.awaiting), "status": "IN_SUPPORT"}) == \
        step.waiting_for


def test_chasers_go_to_the_coach_and_alerts_to_ops() -> None:
    for step in HUMAN_STEPS:
        if step.chase.coach_task is not None:
            assert step.chase.coach_task.audience == "coach"
        if step.chase.ops_alert is not None:
            assert step.chase.ops_alert.audience == "ops"
    assert human_steps.chase_of("not_a_step") == human_steps.Chase()


def test_the_ops_view_words_every_wait_and_the_decision_after_it() -> None:
    for _, wait in WAITS:
        assert run_words.STATES[wait.state] == wait.words
        if wait.read_words:
            assert run_words.STATES[wait.then] == wait.read_words


# -- a step with no inputs of its own gets a form from its request model --------------------


def test_a_step_without_inputs_of_its_own_gets_a_form_from_its_request_model() -> None:
    derived = coach_forms.step_form(human_steps.APPOINTMENT_OUTCOME)  # as if it had none
    assert [(f.name, f.kind, f.options) for f in derived.fields] == [
        ("outcome", "radios", ("attended", "did_not_attend", "cancelled"))]
    assert derived.body(Form({"outcome": ["attended"]})) == {"outcome": "attended"}
    assert derived.body(Form({})) == {}
    assert derived.errors.required == {"outcome": "Select outcome"}
    assert derived.errors.anchors == {"outcome": "outcome"}
    yes_no = coach_forms.step_form(human_steps.SUSTAINMENT_CHECK)
    assert [(f.name, f.kind) for f in yes_no.fields] == [("still_in_work", "yes_no"),
                                                         ("end_support", "yes_no")]
    assert yes_no.body(Form({"still_in_work": ["yes"], "end_support": ["no"]})) == {
        "still_in_work": True, "end_support": False}


def test_a_derived_form_renders_an_input_for_each_field_linked_from_its_errors() -> None:
    from workingbetter.web.render import _environment  # Jinja2: loaded by pages only

    form = coach_forms.step_form(human_steps.APPOINTMENT_OUTCOME)
    page = _environment().get_template("coach_step_form.html").make_module(vars={
        "failed": None, "empty": Form(), "exit_reasons": [],
        "keys": FormKeys("", ("n", "c"))})
    html = str(vars(page)["step_form"]({"referral_id": "r1"}, form, "/coach"))
    assert 'action="/coach"' in html  # the page it is on
    assert 'name="step" value="appointment-outcome"' in html
    prefix = "appointment-outcome-r1-"
    for name, anchor in form.errors.anchors.items():
        assert f'id="{prefix}{anchor}" name="{name}"' in html
    assert f">{form.heading}</button>" in html
