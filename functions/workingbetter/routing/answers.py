"""JSON answers, and every refusal the JSON API and FHIR routes give: domain errors become
problem+json (RFC 9457), or an OperationOutcome on a FHIR route, here and nowhere else. No
exception's text is ever sent (docs/architecture.md §4)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalice.app import Response

from workingbetter.observability import logger
from workingbetter.routing import headers, problems

if TYPE_CHECKING:
    from chalice.app import Request

    from workingbetter.domain.errors import DomainError


def _plain(value: Any) -> Any:
    """DynamoDB hands numbers back as Decimal; JSON wants int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def json_answer(status: int, body: Any, content_type: str = "application/json",
                extra: dict[str, str] | None = None) -> Response:
    text = body if isinstance(body, str) else json.dumps(body, default=_plain)
    return Response(body=text, status_code=status,
                    headers={**headers.JSON, **(extra or {}), "Content-Type": content_type})


def _speaks_fhir(request: Request | None) -> bool:
    """A request to a FHIR route gets its errors as OperationOutcomes."""
    return request is not None and request.path.startswith("/fhir/")


def refusal(error: DomainError, request: Request | None,
            extra: dict[str, str] | None = None) -> Response:
    if _speaks_fhir(request):
        from workingbetter.routing import fhir_outcome as outcome

        status, body = outcome.from_error(error)
        logger.info("request refused", status=status, error=type(error).__name__)
        return json_answer(status, body, outcome.CONTENT_TYPE, extra)
    status, problem = problems.from_error(error)
    logger.info("request refused", status=status, error=type(error).__name__)
    return json_answer(status, problem, problems.CONTENT_TYPE, extra)


def failure(request: Request | None) -> Response:
    if _speaks_fhir(request):
        from workingbetter.routing import fhir_outcome as outcome

        return json_answer(500, outcome.failure(), outcome.CONTENT_TYPE)
    body = problems.problem(500, "Something went wrong",
                            "The request was not completed; nothing was changed twice. "
                            "Try again, or tell the service desk.")
    return json_answer(500, body, problems.CONTENT_TYPE)
