"""The slowest files start first: every file named for it still exists."""

from __future__ import annotations

from tests.conftest import SLOWEST_FIRST
from tests.local_stack_process import ROOT


def test_every_file_started_first_exists() -> None:
    assert [name for name in SLOWEST_FIRST if not (ROOT / name).is_file()] == []
    assert len(set(SLOWEST_FIRST)) == len(SLOWEST_FIRST)
