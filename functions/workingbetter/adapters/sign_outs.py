"""When each person last signed out, so that every token issued before it is refused.

Cognito's GlobalSignOut ends a person's refresh and access tokens, but an ID token it issued
stays valid until it expires (an hour): the app refuses an ID token whose sign-in
(`auth_time`, kept by Cognito through every refresh) is not after the person's last sign-out.
One item per person in the referrals table, keyed by their Cognito `sub` (an opaque id), only
ever moved forward (a conditional write). Times are whole seconds, as tokens carry them: a
sign-in in the same second as a sign-out is refused too.

Every token check asks, so each container keeps what it read for CACHE_SECONDS: a sign-out
elsewhere reaches this container within that time, and its own sign-outs at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

CACHE_SECONDS = 30.0


class SignOuts(Protocol):
    def signed_out_at(self, subject: str) -> int | None:
        """When the person last signed out (epoch seconds), if they ever have."""
        ...

    def record(self, subject: str, at: int) -> None: ...


class TableSignOuts:
    def __init__(self, table: Any, cache_seconds: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.table = table
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[int | None, float]] = {}  # subject -> (value, read at)

    @staticmethod
    def _key(subject: str) -> dict[str, str]:
        return {"pk": f"SIGNOUT#{subject}", "sk": "SIGNED_OUT"}

    def signed_out_at(self, subject: str) -> int | None:
        with self._lock:
            known = self._known.get(subject)
        if known is not None and self.clock() - known[1] < self.cache_seconds:
            return known[0]
        item = self.table.get_item(Key=self._key(subject),
                                   ProjectionExpression="signed_out_at").get("Item")
        value = int(item["signed_out_at"]) if item else None
        self._remember(subject, value)
        return value

    def record(self, subject: str, at: int) -> None:
        from botocore.exceptions import ClientError

        try:
            self.table.update_item(
                Key=self._key(subject), UpdateExpression="SET signed_out_at = :at",
                ConditionExpression="attribute_not_exists(signed_out_at) OR signed_out_at < :at",
                ExpressionAttributeValues={":at": at})
        except ClientError as error:  # a later sign-out is recorded already: it stands
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        self._remember(subject, at)

    def _remember(self, subject: str, value: int | None) -> None:
        with self._lock:
            known = self._known.get(subject)
            if known is not None and known[0] is not None and (value or 0) < known[0]:
                value = known[0]  # never forget a later sign-out this container saw
            self._known[subject] = (value, self.clock())
