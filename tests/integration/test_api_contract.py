"""The API keeps to its own description: Schemathesis generates requests from `/openapi.json`
(bodies that fit the models and bodies that do not) for every operation, as each role and as
nobody, against the app behind the local stack's HTTP server. No answer may be a 5xx, and every
status code, content type and JSON body must be one the document gives. Every path is also sent
the methods the document does not list for it, the usual ones and unusual ones (TRACE,
PROPFIND): each is a 405 with Allow, in the path's error form, never a 5xx."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_client import Api
from tests.conftest import Cloud
from workingbetter.handlers import openapi

pytestmark = pytest.mark.integration

SCHEMA = schemathesis.openapi.from_dict(openapi.document())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Per operation and generation mode (so every operation gets requests that fit its document and,
# where it takes input, requests that do not). Four, not more: generating a case costs ~0.1 s of
# CPU, and at 12 this one test was 93 s of the suite; which role may call what is checked route
# by route in test_authorisation_matrix.py, so the role drawn here need not cover every pairing.
EXAMPLES = 4
# What API Gateway's ANY method passes on to the app, and methods it does not know at all.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND")


def operations() -> list[schemathesis.APIOperation[Any, Any, Any, Any]]:
    found = []
    for result in SCHEMA.get_all_operations():
        assert isinstance(result, Ok), "every operation in the document loads"
        found.append(result.ok())
    return found


def test_the_document_is_valid_openapi_with_every_operation() -> None:
    assert len(operations()) == len(openapi.OPERATIONS)


def test_no_request_gets_a_5xx_or_an_answer_the_document_does_not_give(
        cloud: Cloud, api: Api, served: tuple[str, int]) -> None:
    base_url = "http://{}:{}".format(*served)
    referral_id = api.refer()  # a real record too, so some requests reach past the 404
    api.awaiting(referral_id, "appointment_outcome")
    tokens = {"referrer": api.referrer(), "coach": api.coach_of(referral_id),
              "ops": api.ops(), "nobody": None}
    calls = 0
    started = time.monotonic()
    for operation in operations():
        with_path = "{referral_id}" in operation.path
        described = openapi.document()["paths"][operation.path][operation.method.lower()]
        # Only what takes input can be sent input that does not fit.
        takes_input = "parameters" in described or "requestBody" in described
        modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if takes_input else [])]
        for mode in modes:
            cases = operation.as_strategy(generation_mode=mode)
            if with_path and mode is GenerationMode.POSITIVE:
                cases = st.one_of(cases, operation.as_strategy(
                    generation_mode=mode, path_parameters={"referral_id": referral_id}))

            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=cases, who=st.sampled_from(sorted(tokens)))
            def call(case: schemathesis.Case[Any], who: str) -> None:
                nonlocal calls
                token = tokens[who]
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
                calls += 1

            call()
    print(f"schemathesis: {calls} requests in {time.monotonic() - started:.1f} s")
    assert calls >= len(operations()) * 2


def test_a_method_a_path_does_not_list_is_a_405_with_allow_for_every_role(
        cloud: Cloud, api: Api, served: tuple[str, int]) -> None:
    base_url = "http://{}:{}".format(*served)
    referral_id = api.refer()  # a real record, so the path names something that exists
    tokens = {"referrer": api.referrer(), "coach": api.coach("coach-amara"),
              "ops": api.ops(), "nobody": None}
    paths: dict[str, schemathesis.APIOperation[Any, Any, Any, Any]] = {}
    for operation in operations():
        paths.setdefault(operation.path, operation)
    calls = 0
    started = time.monotonic()
    for path, operation in paths.items():
        listed = {m.upper() for m in openapi.document()["paths"][path] if m.upper() in METHODS}
        # FHIR routes answer their errors as OperationOutcomes, the rest as problem+json.
        form = "application/fhir+json" if path.startswith("/fhir/") else "application/problem+json"
        filled = {name: referral_id for name in re.findall(r"{(\w+)}", path)}
        for method in sorted(set(METHODS) - listed):
            # Schemathesis types the methods OpenAPI names; requests sends any.
            case = operation.Case(method=cast(Any, method), path_parameters=filled)
            for who, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                response = case.call(base_url=base_url, headers=headers)
                case.validate_response(response, checks=[not_a_server_error])
                said = (method, path, who, response.status_code)
                assert response.status_code == 405, said
                assert response.headers["content-type"] == [form], said
                (allow,) = response.headers["allow"]
                assert set(allow.split(", ")) == listed, said
                calls += 1
    print(f"other methods: {calls} requests in {time.monotonic() - started:.1f} s")
    assert calls >= len(paths) * len(tokens) * 5


def test_what_a_coach_records_is_answered_as_the_document_says(
        cloud: Cloud, api: Api, served: tuple[str, int]) -> None:
    """Each answer a coach's record gets (201 or 200) is one the document gives for it."""
    base_url = "http://{}:{}".format(*served)
    referral_id = api.refer()
    api.awaiting(referral_id, "appointment_outcome")
    assert api.step(referral_id, "appointment-outcome", {"outcome": "attended"}).status == 200
    headers = {"Authorization": f"Bearer {api.coach_of(referral_id)}"}
    today = datetime.now(UTC).date().isoformat()
    records: dict[str, dict[str, Any]] = {
        "notes": {"text": "Talked about bus routes."},
        "benefits-advice": {"given": True, "on": today},
        "employer-contacts": {"on": today, "kind_of_employer": "A bakery",
                              "outcome": "interview"}}
    for route, body in records.items():
        operation = SCHEMA[f"/referrals/{{referral_id}}/{route}"]["POST"]
        case = operation.Case(path_parameters={"referral_id": referral_id}, body=body,
                              media_type="application/json")
        response = case.call(base_url=base_url, headers=headers)
        assert response.status_code in (200, 201), (route, response.text)
        case.validate_response(response, checks=[response_schema_conformance])
