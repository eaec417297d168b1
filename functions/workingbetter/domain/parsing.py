"""Reading a request body into its model: one parser for every route, and one translation of
pydantic's errors into field-level messages (docs/architecture.md §5).

A model may word its own messages: `field_messages`, a class attribute mapping a field's path
("consent.referral") to what a person should read when that field is wrong. Nothing a caller
typed is ever echoed back: it may be personal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from workingbetter.domain.errors import FieldError, InvalidInput
from workingbetter.domain.text import CONTROL

M = TypeVar("M", bound=BaseModel)

YES_OR_NO = "Answer true or false"
NOT_AN_OBJECT = "Send a JSON object"
WHOLE_NUMBER = "Enter a whole number"
NUMBER = "Enter a number"
DATE_AND_TIME = "Enter a real date and time"
_FRIENDLY = {
    "missing": "This field is required",
    "extra_forbidden": "This field is not expected here",
    "date_from_datetime_parsing": "Enter a real date as YYYY-MM-DD",
    "date_parsing": "Enter a real date as YYYY-MM-DD",
    "date_type": "Enter a real date as YYYY-MM-DD",
    "too_short": "Enter at least one",
    "bool_type": YES_OR_NO,
    "int_type": WHOLE_NUMBER,
    "int_parsing": WHOLE_NUMBER,
    "int_from_float": WHOLE_NUMBER,
    "float_type": NUMBER,
    "float_parsing": NUMBER,
    "string_type": "Enter text",
    "string_unicode": CONTROL,  # a lone surrogate, which JSON allows and UTF-8 does not
    "string_pattern_mismatch": "Enter a practice ODS code, like F83004",
    "datetime_parsing": DATE_AND_TIME,
    "datetime_from_date_parsing": DATE_AND_TIME,
    "datetime_type": DATE_AND_TIME,
    "time_parsing": "Enter a time, like 10:30am",
    "time_type": "Enter a time, like 10:30am",
    "list_type": "Enter a list",
    "dict_type": "Enter the parts of this answer",
    "model_type": "Enter the parts of this answer",
    "model_attributes_type": "Enter the parts of this answer",
}
# Pydantic's own words reach nobody: a kind of error the service has no words for yet reads
# as this (a value_error's message is the service's own, and is kept).
CHECK = "Check this answer"
_OURS = frozenset({"value_error", "assertion_error"})
_BOUNDS = {"greater_than_equal": "ge", "less_than_equal": "le", "greater_than": "gt",
           "less_than": "lt"}


def parse(model: type[M], body: Any, refused: str) -> M:
    """The body as `model`, or InvalidInput naming every wrong field (`refused` is the
    problem's title: what happened, e.g. "The referral has errors: nothing was saved")."""
    if not isinstance(body, dict):
        raise InvalidInput(NOT_AN_OBJECT, [FieldError("body", NOT_AN_OBJECT)])
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidInput(refused, field_errors(error, model, body)) from error


def field_errors(error: ValidationError, model: type[BaseModel] | None = None,
                 body: Any = None) -> list[FieldError]:
    """Pydantic's errors as {field, message}. A rule across fields names the field it is
    about before a colon ("phone: Enter a phone number …"); it is reported on that field.

    Pydantic checks a model's rules across fields only once every field is valid; a model may
    offer `errors_across_fields(body)` so that, given the `body`, those are reported with every
    other mistake in one round (each field once)."""
    own: dict[str, str] = dict(getattr(model, "field_messages", {}) or {})
    result = []
    for item in error.errors(include_input=False, include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        message = own.get(loc) or _in_range(model, item) or _message(item)
        name, colon, rest = message.partition(": ")
        if item["type"] == "value_error" and colon and name.isidentifier():
            loc, message = f"{loc}.{name}" if loc else name, rest
        result.append(FieldError(field=loc, message=message))
    across = getattr(model, "errors_across_fields", None)
    if across is not None and isinstance(body, dict):
        named = {e.field for e in result}
        result.extend(e for e in across(body) if e.field not in named)
    return result


def choose(options: Iterable[object]) -> str:
    """The message for a value outside a fixed set: the set, in words."""
    *rest, last = [str(o) for o in options]
    return f"Choose {', '.join(rest)} or {last}" if rest else f"Choose {last}"


def _message(item: ErrorDetails) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        # pydantic lists the set as "'a', 'b' or 'c'": the allowed values, never the input.
        return "Choose " + str(ctx.get("expected", "")).replace("'", "")
    if kind == "string_too_long":
        return f"Must be {ctx['max_length']} characters or fewer"
    if kind == "too_long":
        return f"Give {ctx['max_length']} or fewer"
    if kind == "too_short" and ctx.get("min_length", 1) > 1:
        return f"Give at least {ctx['min_length']}"
    if kind in _OURS:
        return item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return _FRIENDLY.get(kind, CHECK)


def _in_range(model: type[BaseModel] | None, item: ErrorDetails) -> str | None:
    """A number out of its field's range, in words that give the whole range: "Enter a number
    from 1 to 10" (not pydantic's "Input should be less than or equal to 10")."""
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind not in _BOUNDS:
        return None
    bounds = _bounds(model, [p for p in item["loc"] if isinstance(p, str)])
    low, high = bounds.get("ge"), bounds.get("le")
    if low is not None and high is not None:
        return f"Enter a number from {low} to {high}"
    limit = ctx.get(_BOUNDS[kind])
    return {"ge": f"Enter {limit} or more", "gt": f"Enter a number more than {limit}",
            "le": f"Enter {limit} or less", "lt": f"Enter a number less than {limit}"
            }[_BOUNDS[kind]]


def _bounds(model: type[BaseModel] | None, path: list[str]) -> dict[str, Any]:
    """The ge/le/gt/lt of the field at `path` in `model` (nested models followed)."""
    current: Any = model
    found: dict[str, Any] = {}
    for name in path:
        fields = getattr(current, "model_fields", None)
        if not isinstance(fields, dict) or name not in fields:
            return {}
        info = fields[name]
        found = {k: getattr(m, k) for m in info.metadata for k in _BOUNDS.values()
                 if hasattr(m, k)}
        current = next((a for a in (info.annotation, *get_args(info.annotation))
                        if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return found
