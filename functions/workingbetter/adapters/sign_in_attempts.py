"""Counting sign-in tries per account, so that guessing stops after a few whatever Cognito does
(moto never locks an account; Cognito's own lock-out is also mapped, sign_in.py).

One item per address in the referrals table, keyed by a keyed hash of the address (never the
address). Each try reserves its place before Cognito is asked: one conditional update counts
it and decides, so tries sent in parallel cannot all pass a check made before any of them is
counted. MAX_FAILURES tries within WINDOW_SECONDS of the first lock the address until that
window ends; a successful sign-in clears the count.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Protocol

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class Attempts(Protocol):
    def reserve(self, email: str) -> bool:
        """Take one of the address's tries (True), or refuse: it is locked (False)."""
        ...

    def succeeded(self, email: str) -> None: ...


class TableAttempts:
    def __init__(self, table: Any, hash_key: str) -> None:
        self.table = table
        self.hash_key = hash_key

    def _key(self, email: str) -> dict[str, str]:
        digest = hmac.new(self.hash_key.encode(), b"sign-in:" + email.strip().lower().encode(),
                          hashlib.sha256).hexdigest()
        return {"pk": f"SIGNIN#{digest}", "sk": "ATTEMPTS"}

    def reserve(self, email: str) -> bool:
        """A try in the current window while it has one left, else the first of a new window
        once the old one has ended. Each is one conditional write; a write that loses a race
        to another try's new window counts in that window instead."""
        now = int(time.time())
        window_start = now - WINDOW_SECONDS
        for count in (self._count_in_window, self._open_window, self._count_in_window):
            if count(self._key(email), now, window_start):
                return True
        return False  # the window is current and its tries are used up

    # `failures` counts every try the window took (named before tries were reserved; kept so
    # that items written by the previous release go on counting).
    def _count_in_window(self, key: dict[str, str], now: int, window_start: int) -> bool:
        return self._conditional(
            Key=key, UpdateExpression="ADD failures :one",
            ConditionExpression="first_at > :window_start AND failures < :most",
            ExpressionAttributeValues={":one": 1, ":window_start": window_start,
                                       ":most": MAX_FAILURES})

    def _open_window(self, key: dict[str, str], now: int, window_start: int) -> bool:
        return self._conditional(
            Key=key, UpdateExpression="SET failures = :one, first_at = :now",
            ConditionExpression="attribute_not_exists(first_at) OR first_at <= :window_start",
            ExpressionAttributeValues={":one": 1, ":now": now, ":window_start": window_start})

    def _conditional(self, **update: Any) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.table.update_item(**update)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def succeeded(self, email: str) -> None:
        self.table.delete_item(Key=self._key(email))
