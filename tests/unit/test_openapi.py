"""The API's own description (`GET /openapi.json`) covers every JSON route the app has and
nothing else, takes its request bodies from the models that validate them, and documents auth
and every problem a route can answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from workingbetter.handlers import openapi
from workingbetter.handlers.api import app
from workingbetter.services.intake import ReferralRequest
from workingbetter.services.steps import Review

PAGES_PACKAGE = "workingbetter.web"


def json_routes() -> set[tuple[str, str]]:
    """The app's routes but the web pages (HTML, in the web blueprint)."""
    return {(path, method) for path, methods in app.routes.items()
            for method, entry in methods.items()
            if not entry.view_function.__module__.startswith(PAGES_PACKAGE)}


def documented() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, methods in openapi.document()["paths"].items()
            for method in methods}


def test_every_json_route_is_documented_and_nothing_else_is() -> None:
    assert json_routes(), "the app has routes to compare"
    assert json_routes() - documented() == set(), "routes missing from the document"
    assert documented() - json_routes() == set(), "documented routes the app does not have"


def test_the_document_is_openapi_3_1() -> None:
    document = openapi.document()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        **document["components"]["securitySchemes"]["bearer"],
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return dict(openapi.document()["components"]["schemas"][model.__name__])


def test_request_bodies_are_the_models_own_schemas() -> None:
    for model in (ReferralRequest, Review):
        own = model.model_json_schema(ref_template=openapi.REF)
        own.pop("$defs", None)
        assert schema_of(model) == own
    body = openapi.document()["paths"]["/referrals"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralRequest"}


def test_the_limits_are_in_the_document() -> None:
    goals = schema_of(Review)["properties"]["goals"]["anyOf"][0]
    assert goals["maxItems"] == 20
    assert goals["items"]["maxLength"] == 200


def test_only_the_patients_link_and_the_document_itself_need_no_token() -> None:
    public = {(path, method.upper()) for path, methods in openapi.document()["paths"].items()
              for method, operation in methods.items() if operation.get("security") == []}
    assert public == {("/patient/withdraw/{token}", "GET"), ("/patient/withdraw/{token}", "POST"),
                      ("/openapi.json", "GET"), ("/fhir/metadata", "GET")}


def test_notifys_receipts_are_authenticated_by_notifys_own_bearer_token() -> None:
    document = openapi.document()
    operation = document["paths"]["/notify/callbacks"]["post"]
    assert operation["security"] == [{"notify": []}]
    assert document["components"]["securitySchemes"]["notify"]["scheme"] == "bearer"
    assert "401" in operation["responses"]


def test_every_error_a_json_route_answers_is_problem_json_with_field_errors() -> None:
    """(A FHIR route answers FHIR's own form of the same: an OperationOutcome.)"""
    problem = openapi.document()["components"]["schemas"]["Problem"]
    assert problem["properties"]["errors"]["items"]["required"] == ["field", "message"]
    for path, methods in openapi.document()["paths"].items():
        error_type = "application/fhir+json" if path.startswith("/fhir/") else \
            "application/problem+json"
        for method, operation in methods.items():
            statuses = set(operation["responses"])
            assert "500" in statuses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
            if "security" not in operation:  # the service's bearer token: roles and scopes
                assert {"401", "403", "404"} <= statuses, (method, path)
            elif operation["security"] != []:  # another's token (Notify's): no roles
                assert {"401", "404"} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and status != "410":
                    assert error_type in response["content"], (path, status)


def test_fhir_routes_answer_operation_outcomes() -> None:
    document = openapi.document()
    for path, methods in document["paths"].items():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if path.startswith("/fhir/") and status.startswith(("4", "5")):
                    assert response["content"] == {"application/fhir+json": {"schema": {
                        "$ref": "#/components/schemas/OperationOutcome"}}}, (path, status)
