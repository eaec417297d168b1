"""A JSONPath is parsed once, and extracts exactly what moto's own parsing does."""

from __future__ import annotations

from typing import Any

import pytest
from moto.stepfunctions.parser.asl.utils import json_path

from infra import sfn_json_paths
from tests.unit.moto_internals import changed

DATA = {"referral_id": "r-1", "plan": {"days": [7, 14], "next": "book"}, "runs": ["a", "b"]}
PATHS = ["$.referral_id", "$.plan.next", "$.plan.days[1]", "$.runs[*]", "$.plan", "$"]


def extracted() -> list[Any]:
    return [json_path.extract_json(path, DATA) for path in PATHS]


def test_the_answers_are_motos_own_and_each_path_is_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = extracted()
    parsed: list[str] = []
    moto_parse = sfn_json_paths.MOTO_PARSE

    def counting(path: str) -> Any:
        parsed.append(path)
        return moto_parse(path)

    monkeypatch.setattr(sfn_json_paths, "MOTO_PARSE", counting)
    sfn_json_paths.parse.cache_clear()
    sfn_json_paths.install()
    try:
        assert extracted() == expected
        assert extracted() == expected
        with pytest.raises(json_path.NoSuchJsonPathError):
            json_path.extract_json("$.missing", DATA)
    finally:
        sfn_json_paths.uninstall()
        sfn_json_paths.parse.cache_clear()
    assert sorted(parsed) == sorted([*PATHS, "$.missing"])  # once each, not twice
    assert getattr(json_path, "parse") is not sfn_json_paths.parse  # noqa: B009 - uninstalled


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({"extract_json": (json_path.extract_json, "932245247973780c")}) == {}
