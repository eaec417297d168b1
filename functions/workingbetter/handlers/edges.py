"""What happens to every request before and after its route, JSON or page: the transport
header, a body too big or an id too long refused unread, and Chalice's own answers
({"Code": ...}) put in ours. A blueprint of middleware that handlers/api.py registers first."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Blueprint, CaseInsensitiveMapping, Request, Response

from workingbetter.domain.errors import (
    BadRequest,
    DomainError,
    FieldError,
    MethodNotAllowed,
    NotFound,
    UnsupportedMediaType,
)
from workingbetter.handlers.guard import JSON
from workingbetter.routing import answers, request_body
from workingbetter.routing import headers as headers_for
from workingbetter.wiring import settings

MAX_ID_LENGTH = 500  # ids are UUIDs; 500 characters stay under DynamoDB's 2 KB key in UTF-8

blueprint = Blueprint(__name__)


@blueprint.middleware("http")
def _https_only(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every response, JSON or page, tells a browser to come back over HTTPS only, when the
    service is served over HTTPS (deployed; the local stack speaks plain HTTP)."""
    response = get_response(request)
    response.headers.update(headers_for.transport(settings().deployed))
    return response


@blueprint.middleware("http")
def _edges(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Before any route: a body too big is refused unread. After: what Chalice answers in its
    own words ({"Code": ...}: a wrong method, a wrong content type, a crash) becomes ours."""
    try:
        request_body.check_size(request.headers.get("content-length"), request.raw_body)
        _check_ids(request)
    except DomainError as error:
        return answers.refusal(error, request)
    response = get_response(request)
    if not _chalices_own(response):
        return response
    if response.status_code == 415 and not request.raw_body:
        # A Content-Type with no body describes nothing (some FHIR clients send one on every
        # request). Chalice refused it before the route ran: ask again naming a type it takes.
        response = get_response(_naming(request, _route_content_types(request)[0]))
        if not _chalices_own(response):
            return response
    if response.status_code == 405:
        allowed = str(response.headers.get("Allow", ""))
        return answers.refusal(MethodNotAllowed(f"Use {allowed}", []), request, {"Allow": allowed})
    if response.status_code == 415:
        accepted = " or ".join(_route_content_types(request))
        return answers.refusal(UnsupportedMediaType(
            f"Send the body as {accepted}", [FieldError("Content-Type", f"Send {accepted}")]),
            request)
    if response.status_code == 400:
        return answers.refusal(BadRequest("The request cannot be answered as asked", []),
                               request)
    return answers.failure(request)


def _chalices_own(response: Response) -> bool:
    """An answer Chalice gave in its own words, before or instead of a route."""
    return isinstance(response.body, dict) and "Code" in response.body


def _naming(request: Request, content_type: str) -> Request:
    named = {**dict(request.headers.items()), "content-type": content_type}
    request.headers = CaseInsensitiveMapping(named)
    return request


def _check_ids(request: Request) -> None:
    """No referral has an id this long; DynamoDB would refuse it as a key (a 500), so say 404.
    (A patient's link token is checked by its own page, which answers with a page.)"""
    path: dict[str, str] = request.uri_params or {}
    query: dict[str, str] = dict(request.query_params or {})
    given = (path.get("referral_id"), query.get("referral_id"))
    if any(len(value) > MAX_ID_LENGTH for value in given if value):
        raise NotFound("No referral has an id that long")


def _route_content_types(request: Request) -> list[str]:
    context = request.context or {}
    route = blueprint.current_app.routes.get(context.get("resourcePath", ""), {}).get(
        request.method)
    return route.content_types if route and route.content_types else JSON
