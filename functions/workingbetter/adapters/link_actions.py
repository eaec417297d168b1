"""Counting what a patient's link does, so that no one holding it can send without end.

One item per referral beside it in the referrals table (ids and counts only): a fixed window
begun by its first action, and how many actions it has held. Each action is one conditional
write, so actions sent at once are each counted; past the limit, nothing more is done until
the window ends.
"""

from __future__ import annotations

import time
from typing import Any

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import conditional


class LinkActions:
    def __init__(self, table: Any) -> None:
        self.table = table

    def take(self, referral_id: str, limit: int, window_seconds: int) -> int:
        """Count one more action: the seconds its window has left if it is allowed, 0 if the
        window already holds `limit`."""
        key = keys.link_actions(referral_id)
        for _ in range(2):  # a window begun by another action a moment ago: count in it
            now = int(time.time())
            counted = self._count(key, now - window_seconds, limit)
            if counted is not None:
                return max(1, counted + window_seconds - now)
            if self._begin(key, now, now - window_seconds):
                return window_seconds
        return 0

    def _count(self, key: dict[str, str], since: int, limit: int) -> int | None:
        """The running window's start, once this action is counted in it; None if no
        window is running or it is full."""
        found: dict[str, Any] = {}
        if conditional(lambda: found.update(self.table.update_item(
                Key=key, UpdateExpression="ADD actions :one",
                ConditionExpression="window_start > :since AND actions < :limit",
                ExpressionAttributeValues={":one": 1, ":since": since, ":limit": limit},
                ReturnValues="ALL_NEW")["Attributes"])):
            return int(found["window_start"])
        return None

    def _begin(self, key: dict[str, str], now: int, since: int) -> bool:
        """A new window with this action in it, unless one is running."""
        return conditional(lambda: self.table.put_item(
            Item={**key, "window_start": now, "actions": 1},
            ConditionExpression="attribute_not_exists(pk) OR window_start <= :since",
            ExpressionAttributeValues={":since": since}))
