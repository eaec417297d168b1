"""Workflow task handlers: each Lambda function's entry point, a one-line call into pathway.

Each is its own function in template.yaml (its own role and policy); they share this module so
the parsing and logging around them is written once. Events carry ids, enums and tokens only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from workingbetter import pathway
from workingbetter.domain.referral import Awaiting
from workingbetter.observability import logger
from workingbetter.settings import Settings, get_settings
from workingbetter.store import Store
from workingbetter.workflow import Workflow

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class ReferralTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    referral_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$")


class HumanStepTask(ReferralTask):
    awaiting: Awaiting
    token: str = Field(min_length=1, max_length=2048)
    check: int | None = None


class ContinueTask(ReferralTask):
    plan: dict[str, Any]


class AttentionTask(ReferralTask):
    attention: str = Field(pattern=r"^[a-z_]{1,64}$")
    failed_at: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,64}$")


@lru_cache(maxsize=1)
def _store() -> Store:
    settings = get_settings()
    return settings.store()


def _referral_task(step: Callable[[Store, Settings, str], dict[str, Any]]) -> Handler:
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        task = parse(event=event, model=ReferralTask)
        logger.append_keys(referral_id=task.referral_id, step=step.__name__)
        result = step(_store(), get_settings(), task.referral_id)
        logger.info("step done", result={k: v for k, v in result.items() if k != "timers"})
        return result

    return handler


triage = _referral_task(pathway.triage)
allocate = _referral_task(pathway.allocate)
book = _referral_task(pathway.book)
chase = _referral_task(pathway.chase)


@logger.inject_lambda_context(clear_state=True)
def await_step(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = parse(event=event, model=HumanStepTask)
    logger.append_keys(referral_id=task.referral_id, awaiting=str(task.awaiting))
    return pathway.await_step(_store(), get_settings(), task.referral_id, task.awaiting,
                              task.token, task.check)


@logger.inject_lambda_context(clear_state=True)
def continue_in_work(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = parse(event=event, model=ContinueTask)
    logger.append_keys(referral_id=task.referral_id)
    return pathway.continue_in_work(_store(), Workflow(get_settings().state_machine_arn),
                                    task.referral_id, task.plan)


@logger.inject_lambda_context(clear_state=True)
def needs_ops(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = parse(event=event, model=AttentionTask)
    logger.append_keys(referral_id=task.referral_id)
    logger.warning("referral needs ops attention", attention=task.attention)
    settings = get_settings()
    return pathway.needs_ops(_store(), Workflow(settings.state_machine_arn), settings,
                             task.referral_id, task.attention, task.failed_at)
