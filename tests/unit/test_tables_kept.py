"""A warm container keeps what is costly to make: boto3 builds a new class, with the table's
whole shape model, for every `Table(...)`, so each thread asks for each table once and keeps
it (issue 25: it was a third of the CPU a referral's run used)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from workingbetter.adapters.dynamo import Tables


class CountingResource:
    def __init__(self) -> None:
        self.asked: Counter[str] = Counter()

    def Table(self, name: str) -> str:  # boto3 names it so
        self.asked[name] += 1
        return f"table {name}"


def test_each_thread_asks_boto3_for_each_table_once() -> None:
    tables = Tables("referrals", "personal", "idempotency")
    resources: list[CountingResource] = []

    def resource() -> Any:
        kept = getattr(tables._local, "resource", None)
        if kept is None:
            kept = tables._local.resource = CountingResource()
            resources.append(kept)
        return kept

    tables.resource = resource  # type: ignore[method-assign]

    def use() -> None:
        for _ in range(3):
            assert tables.table == "table referrals"
            assert tables.personal == "table personal"

    use()
    other = threading.Thread(target=use)
    other.start()
    other.join()

    assert [r.asked for r in resources] == [Counter(referrals=1, personal=1)] * 2
