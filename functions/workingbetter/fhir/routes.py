"""The FHIR routes: thin, like the JSON API's. Who is calling, read the body, call
`interactions`, answer FHIR JSON; every error is an OperationOutcome (api.refusal answers one
for any path under /fhir/).

Imported by api.py at init, so this module imports nothing heavy: `fhir.resources` loads with
the first request that sends a resource.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from workingbetter.domain.auth import Principal
from workingbetter.domain.errors import BadRequest, DomainError, InvalidInput
from workingbetter.observability import logger
from workingbetter.routing import answers, callers
from workingbetter.wiring import services

FHIR_JSON = ["application/fhir+json", "application/json"]
JSON_PATCH = ["application/json-patch+json"]
CONTENT_TYPE = "application/fhir+json"
Answer = tuple[int, Any, dict[str, str]]

blueprint = Blueprint(__name__)


def _guarded(view: Callable[..., Answer]) -> Callable[..., Response]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        request = blueprint.current_request
        try:
            status, body, headers = view(*args, **kwargs)
            return answers.json_answer(status, body, CONTENT_TYPE, headers)
        except DomainError as error:
            return answers.refusal(error, request)
        except Exception:
            logger.exception("unhandled error")
            return answers.failure(request)

    return wrapper


def _caller() -> Principal:
    return callers.bearer(blueprint.current_request)


def _body() -> Any:
    """The body as JSON; one that is not JSON is bad FHIR (400), not a field error."""
    from workingbetter.routing import request_body

    try:
        return request_body.parse_json(blueprint.current_request.raw_body)
    except InvalidInput as error:
        raise BadRequest("The body is not JSON: send a FHIR resource as JSON") from error


@blueprint.route("/fhir/metadata", methods=["GET"])
@_guarded
def capability_statement() -> Answer:
    from workingbetter.fhir import capability

    return 200, capability.statement(), {}


@blueprint.route("/fhir/ServiceRequest", methods=["POST"], content_types=FHIR_JSON)
@_guarded
def create_service_request() -> Answer:
    from workingbetter.fhir import interactions

    who = _caller()
    created = interactions.refer(services(), who, _body,
                                 blueprint.current_request.lambda_context)
    return 201, created, {"Location": f"/fhir/Task/{created['id']}"}


@blueprint.route("/fhir/Task/{referral_id}", methods=["GET"])
@_guarded
def read_task(referral_id: str) -> Answer:
    from workingbetter.fhir import interactions

    return 200, interactions.read(services(), _caller(), referral_id), {}


@blueprint.route("/fhir/Task/{referral_id}", methods=["PUT"], content_types=FHIR_JSON)
@_guarded
def update_task(referral_id: str) -> Answer:
    from workingbetter.fhir import interactions, task

    who = _caller()
    return 200, interactions.cancel(services(), who, referral_id,
                                    lambda: task.cancel_from_put(_body(), referral_id)), {}


@blueprint.route("/fhir/Task/{referral_id}", methods=["PATCH"], content_types=JSON_PATCH)
@_guarded
def patch_task(referral_id: str) -> Answer:
    from workingbetter.fhir import interactions, task

    who = _caller()
    return 200, interactions.cancel(services(), who, referral_id,
                                    lambda: task.cancel_from_patch(_body())), {}
