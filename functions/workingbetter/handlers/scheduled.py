"""Handlers that EventBridge Scheduler invokes (the local stack fires the same schedules)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from workingbetter.observability import logger
from workingbetter.wiring import adapters, services

if TYPE_CHECKING:
    from workingbetter.notifications.sending import Sending

# Each function runs one of these, so each imports what it needs (settings, senders, boto3) on
# its first call, and builds its adapters once per container.


@lru_cache(maxsize=1)
def _sending() -> Sending:
    from workingbetter.notifications.notify import NotifySender
    from workingbetter.notifications.senders import TopicAlerts
    from workingbetter.notifications.sending import Sending
    built = adapters()
    settings = built.settings
    notify = NotifySender(settings.secret("notify_api_key"), settings.notify_base_url,
                          settings.template_ids())
    return Sending(built.store, notify, TopicAlerts(settings.ops_alerts_topic_arn), settings)


@logger.inject_lambda_context(clear_state=True)
def send_notifications(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return _sending().run()


@logger.inject_lambda_context(clear_state=True)
def reconcile_capacity(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Daily: repair caseload counters that drifted and offer every free place."""
    return services().reconciler.run()
