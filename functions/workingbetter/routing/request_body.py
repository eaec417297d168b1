"""Reading a request body safely: its size and its JSON nesting are checked before it is
parsed, so neither a huge body nor one nested 100,000 deep (Python's JSON parser recurses
per level) can exhaust memory or stack."""

from __future__ import annotations

import json
import re
from typing import Any

from workingbetter.domain.errors import BadRequest, FieldError, InvalidInput, TooLarge

MAX_BYTES = 64 * 1024  # a referral with every field full is under 8 KB
MAX_DEPTH = 32  # the deepest body the API takes is 3 levels

# A JSON string (escapes included, unterminated up to the end), or a bracket outside one. One
# pass, left to right, never backtracking: linear on any input.
_TOKEN = re.compile(r'"(?:[^"\\]+|\\.)*"?|[\[\]{}]', re.DOTALL)


def check_size(declared: str | None, body: bytes | str | None) -> None:
    """Refuse a body over MAX_BYTES, by its Content-Length when it has one."""
    size = int(declared) if declared and declared.strip().isdigit() else 0
    if max(size, len(body or b"")) > MAX_BYTES:
        raise TooLarge(f"Send at most {MAX_BYTES // 1024} KB",
                       [FieldError("body", f"Send at most {MAX_BYTES // 1024} KB")])


def nesting(text: str) -> int:
    """How deep arrays and objects nest, counting brackets outside strings only."""
    deepest = level = 0
    for token in _TOKEN.findall(text):
        if token in ("[", "{"):
            level += 1
            deepest = max(deepest, level)
        elif token in ("]", "}"):
            level -= 1
    return deepest


def parse_json(raw: bytes | str | None) -> Any:
    """The body as JSON (None when empty); a body that is not JSON is a field error."""
    if not raw:
        return None
    not_json = InvalidInput("The request body is not valid JSON",
                            [FieldError("body", "Send a JSON object")])
    try:
        text = raw.decode() if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise not_json from error
    if nesting(text) > MAX_DEPTH:
        raise BadRequest("The request body is nested too deeply",
                         [FieldError("body", f"Nest the JSON {MAX_DEPTH} levels deep at most")])
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise not_json from error
