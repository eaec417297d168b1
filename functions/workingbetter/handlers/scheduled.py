"""Handlers that EventBridge Scheduler invokes (the local stack fires the same schedules)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from workingbetter.observability import logger
from workingbetter.wiring import services

# Each function runs one of these, so each imports what it needs (settings, senders, boto3) on
# its first call, and the wiring builds it once per container.


@logger.inject_lambda_context(clear_state=True)
def send_notifications(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return services().sending.run()


@logger.inject_lambda_context(clear_state=True)
def reconcile_capacity(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Daily: repair caseload counters that drifted and offer every free place."""
    return services().reconciler.run()
