"""A part of the local stack's kind (infra/child_process.py) for tests/unit/test_child_process.py:
says it is ready with its pid, answers `echo` with what it was sent and `tell` with an event
first."""

from __future__ import annotations

import os
from typing import Any

from infra import child_process


def main() -> None:
    _, replies = child_process.start("A part for the tests")

    def tell() -> str:
        replies.event({"told": "first"})
        return "then answered"

    def echo(**sent: Any) -> dict[str, Any]:
        return sent

    child_process.serve(replies, {"pid": os.getpid()}, {"echo": echo, "tell": tell})


if __name__ == "__main__":
    main()
