"""A state machine's JSONPaths are parsed once each, not at every state they appear in.

moto's `extract_json` parses its path with jsonpath_ng for every InputPath, Parameters
binding and Choice variable of every state it runs, and jsonpath_ng builds its parser
tables afresh each time (about a tenth of the local stack's CPU during intake). A parsed path
is an immutable tree that `find` only reads, so one per path serves every run and thread.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from moto.stepfunctions.parser.asl.utils import json_path

MOTO_PARSE = getattr(json_path, "parse")  # noqa: B009 - moto imports it from jsonpath_ng


@lru_cache(maxsize=4096)
def parse(path: str) -> Any:
    return MOTO_PARSE(path)


def install() -> None:
    setattr(json_path, "parse", parse)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(json_path, "parse", MOTO_PARSE)  # noqa: B010
