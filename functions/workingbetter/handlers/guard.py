"""What every JSON route shares: the request being served, who is calling, its body, and the
guard. Routes are thin: who is calling, parse, call a service, return. Errors become
problem+json in `guarded`; nothing else turns an exception into a response, and no exception
text is sent (docs/architecture.md §5).

Each group of JSON routes is a Chalice blueprint in a module of its own (`*_routes.py`);
handlers/api.py builds the app and registers them all.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, Request, Response

from workingbetter.domain import idempotency
from workingbetter.domain.auth import Principal
from workingbetter.domain.errors import DomainError
from workingbetter.observability import logger
from workingbetter.routing import answers, callers, request_body
from workingbetter.wiring import services

JSON = ["application/json"]
FORM = "application/x-www-form-urlencoded"

# The request being served, per thread: Lambda serves one request per container, but the local
# server and tests serve several at once.
_served = threading.local()


class ThreadSafeChalice(Chalice):
    """Chalice keeps the request being served on the app object: keep it per thread."""

    @property
    def current_request(self) -> Request | None:
        return getattr(_served, "request", None)

    @current_request.setter
    def current_request(self, request: Request | None) -> None:
        _served.request = request


def request() -> Request:
    served: Request | None = getattr(_served, "request", None)
    assert served is not None, "only called while serving a request"
    return served


def caller() -> Principal:
    return callers.bearer(request())


def json_body() -> Any:
    return request_body.parse_json(request().raw_body)


def query() -> dict[str, str]:
    return dict(request().query_params or {})


def idempotency_key() -> str | None:
    """The Idempotency-Key (domain/idempotency.py: a repeat records once, a key reused for a
    different request is refused)."""
    return idempotency.checked(request().headers.get("idempotency-key"))


def guarded(view: Callable[..., tuple[int, Any]]) -> Callable[..., Response]:
    """The view's (status, body) as JSON; a refusal as problem+json; anything else a 500 that
    says nothing of what went wrong."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            if "referral_id" in kwargs:
                # Every /referrals/{referral_id}/... route takes the short reference too.
                kwargs["referral_id"] = services().referrals.resolve(kwargs["referral_id"])
            status, body = view(*args, **kwargs)
            return answers.json_answer(status, body)
        except DomainError as error:
            return answers.refusal(error, request())
        except Exception:
            logger.exception("unhandled error")
            return answers.failure(request())

    return wrapper


def text(body: Any, name: str) -> str:
    """A text field of a JSON body, or "" (the service then says what is missing)."""
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def without_read(body: Any) -> Any:
    """A managed record's change without `read`, which says what version it was made from."""
    return {k: v for k, v in body.items() if k != "read"} if isinstance(body, dict) else body
