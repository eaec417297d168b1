"""What a function refuses to start with: no unsafe defaults once deployed. A deployment names
its own public address (the template's placeholder once went out in patients' links), and
production runs on the real clock (a compressed day would chase real people within minutes).
A refusal names the variable and what it should be, never its value (some are secrets)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from infra.notify_server import local_templates
from infra.template import LocalTemplate, load
from workingbetter.settings import Environment, SettingsRefused, get_settings

COUNCIL = "https://workingbetter.northshire.gov.uk"
SECRET_ARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:wb"


def deployed(monkeypatch: pytest.MonkeyPatch, *, lambda_function: bool = True,
             **variables: str | None) -> None:
    """The environment template.yaml's Globals give every function (what only AWS can give
    filled in), changed by `variables` (None removes one)."""
    for name in [n for n in os.environ if n.startswith("WB_")]:
        monkeypatch.delenv(name)
    template = LocalTemplate(load(), overrides={"PublicUrl": COUNCIL, "Environment": "production",
                                                "UserPool": "eu-west-2_x",
                                                "UserPoolClient": "client"})
    env = template.function_environment({"WB_NOTIFY_TEMPLATES": json.dumps(local_templates()),
                                         "WB_NHS_HASH_KEY_SECRET_ARN": SECRET_ARN})
    env.update(variables)  # type: ignore[arg-type]
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    if lambda_function:
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "working-better-ApiFunction")
    else:
        monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _forget_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def refusal(monkeypatch: pytest.MonkeyPatch, **deployment: object) -> str:
    deployed(monkeypatch, **deployment)  # type: ignore[arg-type]
    with pytest.raises(SettingsRefused) as refused:
        get_settings()
    return str(refused.value)


def test_a_deployment_with_its_own_address_starts_as_production(
        monkeypatch: pytest.MonkeyPatch) -> None:
    deployed(monkeypatch)
    settings = get_settings()
    assert settings.public_url == COUNCIL
    assert settings.environment is Environment.PRODUCTION
    assert settings.seconds_per_day == 86400


def test_a_deployed_function_refuses_to_start_without_its_public_address(
        monkeypatch: pytest.MonkeyPatch) -> None:
    said = refusal(monkeypatch, WB_PUBLIC_URL=None)
    assert "WB_PUBLIC_URL is not set" in said
    assert "PublicUrl" in said


@pytest.mark.parametrize("address", [
    "https://working-better.example.nhs.uk",  # the template's old default
    "http://workingbetter.northshire.gov.uk",  # cookies would not be Secure
    "https://abc123.execute-api.eu-west-2.amazonaws.com/live",  # the stage, not the public root
    "https://workingbetter.northshire.gov.uk/",  # links would read //patient/...
    "https://localhost",
])
def test_a_deployed_function_refuses_a_placeholder_or_unsafe_address(
        monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    said = refusal(monkeypatch, WB_PUBLIC_URL=address)
    assert "WB_PUBLIC_URL" in said
    assert "PublicUrl" in said


@pytest.mark.parametrize("environment", [None, "production"])
def test_production_refuses_a_compressed_clock(monkeypatch: pytest.MonkeyPatch,
                                               environment: str | None) -> None:
    said = refusal(monkeypatch, WB_SECONDS_PER_DAY="0.5", WB_ENVIRONMENT=environment)
    assert "WB_SECONDS_PER_DAY must be 86400 in production" in said


def test_production_is_production_outside_lambda_too(monkeypatch: pytest.MonkeyPatch) -> None:
    said = refusal(monkeypatch, lambda_function=False, WB_SECONDS_PER_DAY="60",
                   WB_ENVIRONMENT="production")
    assert "WB_SECONDS_PER_DAY must be 86400 in production" in said


def test_staging_may_compress_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    deployed(monkeypatch, WB_SECONDS_PER_DAY="60", WB_ENVIRONMENT="staging")
    assert get_settings().seconds_per_day == 60


def test_the_local_stack_is_never_deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    said = refusal(monkeypatch, WB_ENVIRONMENT="local")
    assert "WB_ENVIRONMENT=local is refused inside AWS Lambda" in said


def test_off_lambda_the_local_stack_runs_its_fast_clock_on_plain_http(
        monkeypatch: pytest.MonkeyPatch) -> None:
    deployed(monkeypatch, lambda_function=False, WB_PUBLIC_URL="http://127.0.0.1:8000",
             WB_SECONDS_PER_DAY="0.1")
    assert get_settings().environment is Environment.LOCAL


def test_a_refusal_names_the_variable_but_never_quotes_its_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "not-long-enough-but-still-secret"
    deployed(monkeypatch, WB_NOTIFY_API_KEY=secret, WB_NOTIFY_API_KEY_SECRET_ARN=None)
    with pytest.raises(SettingsRefused) as refused:
        get_settings()
    assert "WB_NOTIFY_API_KEY" in str(refused.value)
    assert secret not in str(refused.value)
    assert refused.value.__suppress_context__  # pydantic's own text, which quotes it, is dropped
