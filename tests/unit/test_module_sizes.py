"""A maintainer reads a module whole: none of the service's own code (functions/, infra/,
statemachines/) is over 400 lines. A module that grows past it is split by what it does."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOST = 400


def test_no_module_of_the_service_is_over_four_hundred_lines() -> None:
    long = {str(path.relative_to(ROOT)): lines
            for folder in ("functions", "infra", "statemachines")
            for path in sorted((ROOT / folder).rglob("*.py"))
            if (lines := len(path.read_text().splitlines())) > MOST}
    assert long == {}
