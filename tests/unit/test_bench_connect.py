"""A benchmark that starts a fresh local stack for each run (intake: 1 client, then 8) talks to
that stack each time, not to the one before it (which is gone: the 8-client run failed with
"Could not connect to the endpoint URL")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from benchmarks import scale
from infra.local_stack import StackFile
from tests.local_stack_process import Running
from workingbetter import wiring


def stack_at(tmp_path: Path, port: int) -> Running:
    """What the benchmark knows of a stack: its addresses and its stack file (nothing is
    asked of it until a request is made, and none is)."""
    stack_file = tmp_path / f"stack-{port}.json"
    StackFile(f"http://127.0.0.1:{port + 1}", f"http://127.0.0.1:{port}", "eu-west-2",
              "eu-west-2_pool", "client").write(stack_file)
    return Running(cast(Any, None), f"http://127.0.0.1:{port + 1}", f"http://127.0.0.1:{port}",
                   "arn:aws:states:eu-west-2:123456789012:stateMachine:referral", "",
                   stack_file)


@pytest.fixture
def environment() -> Iterator[None]:
    """connect() sets the process's environment, as the benchmark's own process needs."""
    kept = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(kept)
    wiring.reset()


@pytest.mark.usefixtures("environment")
def test_each_stack_started_is_the_one_the_benchmark_reads(tmp_path: Path) -> None:
    first, _ = scale.connect(stack_at(tmp_path, 41001))  # the first run reads its stack
    assert first.tables.table.meta.client.meta.endpoint_url == "http://127.0.0.1:41001"
    second, sfn = scale.connect(stack_at(tmp_path, 41003))
    assert second.tables.table.meta.client.meta.endpoint_url == "http://127.0.0.1:41003"
    assert sfn.meta.endpoint_url == "http://127.0.0.1:41003"
