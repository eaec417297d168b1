"""Make moto's DynamoDB answer one request at a time, as DynamoDB does for each item.

moto reads and writes items in Python without locks, so two concurrent UpdateItems on one
item can lose an update (a list_append vanishes, a condition is checked against stale data).
The service relies on DynamoDB's per-item atomicity for its conditional writes, so the local
engine must honour it too. Like the Lambda dispatch, this patches moto's internals and lives
alone here with its own test.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()
_original = DynamoHandler.call_action


def _serialised(self: DynamoHandler) -> Any:
    with _lock:
        return _original(self)


def install() -> None:
    setattr(DynamoHandler, "call_action", _serialised)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(DynamoHandler, "call_action", _original)  # noqa: B010
