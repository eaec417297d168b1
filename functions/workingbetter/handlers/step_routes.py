"""The referral's run: a coach records a human step (one route per step its declaration says
is recorded, domain/human_steps.py), and ops pick up a run that stopped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from workingbetter.domain.human_steps import RECORDED, HumanStep
from workingbetter.handlers.guard import JSON, caller, guarded, json_body
from workingbetter.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/referrals/{referral_id}/retry", methods=["POST"], content_types=JSON)
@guarded
def retry_failed_step(referral_id: str) -> tuple[int, Any]:
    return 200, services().steps.retry_failed_step(caller(), referral_id)


@blueprint.route("/referrals/{referral_id}/resume", methods=["POST"], content_types=JSON)
@guarded
def resume_referral(referral_id: str) -> tuple[int, Any]:
    return 200, services().steps.resume(caller(), referral_id)


def _step_route(step: HumanStep) -> Callable[..., Response]:
    """POST /referrals/{referral_id}/<route>: a coach records the step (its declaration)."""
    awaiting = step.awaiting

    def record_step(referral_id: str) -> tuple[int, Any]:
        return 200, services().steps.record(caller(), referral_id, awaiting, json_body())

    record_step.__name__ = record_step.__qualname__ = f"record_{awaiting}"
    return guarded(record_step)


for _step in RECORDED:
    assert _step.answer is not None
    blueprint.route(_step.answer.path, methods=["POST"], content_types=JSON,
                    name=f"record_{_step.awaiting}")(_step_route(_step))
