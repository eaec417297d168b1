"""What each function imports at init (its cold start): checked in a fresh interpreter, with the
environment a deployed function gets (benchmarks/cold_start.py measures the time)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.cold_start import ROOT, lambda_environment

NOT_IN_TASKS = ("chalice", "jinja2", "jwt", "workingbetter.web", "workingbetter.handlers.api")
# Every call needs these, so they load with the first one: init stays as short as it can be.
ON_FIRST_CALL = ("boto3", "pydantic", "pydantic_settings")


def modules_after(code: str) -> set[str]:
    """The modules loaded once `code` has run in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], env=lambda_environment(),  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(done.stdout.splitlines()[-1]))


def loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(f"{package}.") for name in modules)


@pytest.mark.parametrize("module", ["workingbetter.handlers.tasks",
                                    "workingbetter.handlers.scheduled"])
def test_task_and_scheduled_functions_never_import_the_api_its_pages_or_their_libraries(
    module: str,
) -> None:
    modules = modules_after(f"import {module}")
    assert [p for p in NOT_IN_TASKS if loaded(modules, p)] == []
    assert [p for p in ON_FIRST_CALL if loaded(modules, p)] == []


def test_the_api_imports_jinja2_only_when_a_page_is_rendered() -> None:
    start = "from chalice.test import Client\nfrom workingbetter.handlers.api import app\n"
    at_init = modules_after(start)
    assert not loaded(at_init, "jinja2")
    assert [p for p in ON_FIRST_CALL if loaded(at_init, p)] == []
    assert not loaded(at_init, "jwt")  # PyJWT loads with the first call that checks a token
    json_only = modules_after(start + "assert Client(app).http.get('/openapi.json')"
                                      ".status_code == 200")
    assert not loaded(json_only, "jinja2")
    assert not loaded(at_init, "fhir")
    assert not loaded(json_only, "fhir")
    # The sign-in page: rendered, so Jinja2 is loaded by then.
    page = modules_after(start + "assert Client(app).http.get('/login').status_code == 200")
    assert loaded(page, "jinja2")


def test_the_api_imports_fhir_resources_only_when_a_resource_is_read() -> None:
    start = "from chalice.test import Client\nfrom workingbetter.handlers.api import app\n"
    metadata = modules_after(start + "assert Client(app).http.get('/fhir/metadata')"
                                     ".status_code == 200")
    assert loaded(metadata, "workingbetter.fhir")
    assert not loaded(metadata, "fhir")  # the CapabilityStatement needs no model
