"""Workflow task handlers: each Lambda function's entry point, a one-line call into pathway.

Each is its own function in template.yaml (its own role and policy); they share this module so
the parsing and logging around them is written once. Events carry ids, enums and tokens only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.utilities.typing import LambdaContext

from workingbetter.observability import logger
from workingbetter.services.pathway import Pathway
from workingbetter.wiring import services

if TYPE_CHECKING:
    from pydantic import BaseModel

T = TypeVar("T", bound="BaseModel")
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def _parse(event: dict[str, Any], model: type[T]) -> T:
    """The event as its model. pydantic and Powertools' parser load on the first call."""
    from aws_lambda_powertools.utilities.parser import parse

    return parse(event=event, model=model)


# Settings (pydantic-settings is slow to import) are read, and clients built, once per
# container on the first call rather than at init (wiring.py).


def _referral_task(step: Callable[[Pathway, str], dict[str, Any]]) -> Handler:
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        from workingbetter.handlers.task_events import ReferralTask

        task = _parse(event, ReferralTask)
        logger.append_keys(referral_id=task.referral_id, step=step.__name__)
        result = step(services().pathway, task.referral_id)
        logger.info("step done", result={k: v for k, v in result.items() if k != "timers"})
        return result

    return handler


triage = _referral_task(Pathway.triage)
allocate = _referral_task(Pathway.allocate)
book = _referral_task(Pathway.book)
chase = _referral_task(Pathway.chase)


@logger.inject_lambda_context(clear_state=True)
def await_step(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from workingbetter.handlers.task_events import HumanStepTask

    task = _parse(event, HumanStepTask)
    logger.append_keys(referral_id=task.referral_id, awaiting=str(task.awaiting))
    return services().pathway.await_step(task.referral_id, task.awaiting, task.token,
                                         task.check)


@logger.inject_lambda_context(clear_state=True)
def continue_in_work(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from workingbetter.handlers.task_events import ContinueTask

    task = _parse(event, ContinueTask)
    logger.append_keys(referral_id=task.referral_id)
    return services().pathway.continue_in_new_run(task.referral_id, task.run, task.plan)


@logger.inject_lambda_context(clear_state=True)
def needs_ops(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from workingbetter.handlers.task_events import AttentionTask

    task = _parse(event, AttentionTask)
    logger.append_keys(referral_id=task.referral_id)
    logger.warning("referral needs ops attention", attention=task.attention)
    return services().pathway.needs_ops(task.referral_id, task.attention, task.failed_at)
