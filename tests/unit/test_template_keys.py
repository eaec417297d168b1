"""The GOV.UK Notify templates a deployment needs are listed from the code's own declaration
(`python -m infra.template_keys`), so the list a person follows is exactly what every function
requires at start-up: README once listed 8 keys while the functions required 12, and a deploy
that followed it refused to start."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from infra import template_keys
from tests.unit.test_human_steps import settings
from workingbetter.settings import Settings


@pytest.fixture(autouse=True)
def no_templates_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # pydantic-settings merges a dict given to Settings() with the one in the environment, so a
    # WB_NOTIFY_TEMPLATES left by a local stack started earlier in the same worker would fill in
    # the very key these tests leave out.
    monkeypatch.delenv("WB_NOTIFY_TEMPLATES", raising=False)


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert template_keys.main(["--json"]) == 0
    shown: dict[str, str] = json.loads(capsys.readouterr().out)
    return shown


def with_templates(templates: dict[str, str]) -> Settings:
    return Settings(**{**settings().model_dump(), "notify_templates": templates})


def test_the_listed_keys_are_exactly_the_ones_the_functions_require(
        capsys: pytest.CaptureFixture[str]) -> None:
    filled = {key: str(uuid.uuid4()) for key in listed(capsys)}
    optional = {t.key for t in template_keys.template_keys() if t.optional}

    assert set(with_templates(filled).template_ids()) == set(filled)
    for key in set(filled) - optional:  # every listed key is required but the optional ...
        with pytest.raises(ValidationError, match=key.replace(".", r"\.")):
            with_templates({k: v for k, v in filled.items() if k != key})
    with pytest.raises(ValidationError, match="unknown"):  # ... and nothing else is taken
        with_templates({**filled, "appointment_reminder.letter": str(uuid.uuid4())})


def test_a_letters_large_print_and_easy_read_templates_are_listed_and_optional(
        capsys: pytest.CaptureFixture[str]) -> None:
    filled = {key: str(uuid.uuid4()) for key in listed(capsys)}
    formats = {"appointment_confirmation.letter_large_print",
               "appointment_confirmation.letter_easy_read"}

    assert formats <= set(filled)
    assert set(with_templates({k: v for k, v in filled.items() if k not in formats})
               .template_ids()) == set(filled) - formats
    with pytest.raises(ValidationError, match="unknown"):  # only a letter has a format
        with_templates({**filled, "appointment_reminder.sms_large_print": str(uuid.uuid4())})


def test_the_json_has_a_value_to_replace_for_every_key(
        capsys: pytest.CaptureFixture[str]) -> None:
    shown = listed(capsys)
    with pytest.raises(ValidationError):  # left as printed, it is refused, never half-working
        with_templates(shown)


def test_the_table_says_what_each_template_is_for_and_its_channel(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert template_keys.main([]) == 0
    table = capsys.readouterr().out.splitlines()

    rows = {line.split()[0]: line for line in table
            if line[:1].islower() and "." in line.split(" ", 1)[0]}
    assert set(rows) == set(listed(capsys))
    assert "text message" in rows["appointment_follow_up_reminder.sms"]
    assert "The day before a follow-up appointment" in rows["appointment_follow_up_reminder.sms"]
    assert "GP practice" in rows["practice_ended.email"]
    assert "withdraw_link" in rows["appointment_confirmation.letter"]


def test_a_filled_in_object_is_checked_as_the_functions_will(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filled = {key: str(uuid.uuid4()) for key in listed(capsys)}
    given = tmp_path / "notify-templates.json"

    given.write_text(json.dumps(filled))
    assert template_keys.main(["--check", str(given)]) == 0

    del filled["practice_ended.email"]
    filled["appointment_reminder.sms"] = "not-an-id"
    given.write_text(json.dumps(filled))
    assert template_keys.main(["--check", str(given)]) == 1
    said = capsys.readouterr().err
    assert "missing ['practice_ended.email']" in said
    assert "appointment_reminder.sms: 'not-an-id' is not a Notify template id" in said
