"""Domain errors as RFC 9457 problem+json: the one place errors become HTTP."""

from __future__ import annotations

import json
from typing import Any

from workingbetter.domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)

STATUS: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    MethodNotAllowed: 405,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedMediaType: 415,
    InvalidInput: 422,
}
CONTENT_TYPE = "application/problem+json"


def status_of(error: DomainError) -> int:
    """The status of an error's kind (a narrower kind, such as a reused key, is its parent's
    conflict); 400 for one not listed."""
    return next((STATUS[kind] for kind in type(error).__mro__ if kind in STATUS), 400)


def problem(status: int, title: str, detail: str,
            errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def from_error(error: DomainError) -> tuple[int, str]:
    status = status_of(error)
    body = problem(status, error.title, error.detail,
                   [{"field": e.field, "message": e.message} for e in error.errors])
    return status, json.dumps({**body, **error.extensions})
