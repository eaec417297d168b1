"""Counting wrong passwords per account, so that guessing stops after a few tries whatever
Cognito does (moto never locks an account; Cognito's own lock-out is also mapped, sign_in.py).

One item per address in the referrals table, keyed by a keyed hash of the address (never the
address). MAX_FAILURES wrong answers within WINDOW_SECONDS lock the address until the window
started by the first of them ends; a successful sign-in clears the count.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Protocol

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class Attempts(Protocol):
    def locked(self, email: str) -> bool: ...

    def failed(self, email: str) -> None: ...

    def succeeded(self, email: str) -> None: ...


class TableAttempts:
    def __init__(self, table: Any, hash_key: str) -> None:
        self.table = table
        self.hash_key = hash_key

    def _key(self, email: str) -> dict[str, str]:
        digest = hmac.new(self.hash_key.encode(), b"sign-in:" + email.strip().lower().encode(),
                          hashlib.sha256).hexdigest()
        return {"pk": f"SIGNIN#{digest}", "sk": "ATTEMPTS"}

    def locked(self, email: str) -> bool:
        item = self.table.get_item(Key=self._key(email), ConsistentRead=True).get("Item")
        return bool(item) and int(item["failures"]) >= MAX_FAILURES \
            and int(item["first_at"]) > time.time() - WINDOW_SECONDS

    def failed(self, email: str) -> None:
        from botocore.exceptions import ClientError

        now = int(time.time())
        try:  # count within the current window...
            self.table.update_item(
                Key=self._key(email), UpdateExpression="ADD failures :one",
                ConditionExpression="first_at > :window_start",
                ExpressionAttributeValues={":one": 1, ":window_start": now - WINDOW_SECONDS})
        except ClientError as error:  # ...or start a new one
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            self.table.put_item(Item={**self._key(email), "failures": 1, "first_at": now})

    def succeeded(self, email: str) -> None:
        self.table.delete_item(Key=self._key(email))
