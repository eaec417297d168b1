"""make deploy (infra/deploy.py) and samconfig.toml: a council deploys both environments with
one command, from a parameters file it keeps outside git, in the right order, with the pinned
GOV.UK Frontend; nothing runs until the parameters are complete."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from infra import deploy
from infra.template import ROOT

COMPLETE = {
    "PublicUrl": "https://workingbetter.example-council.gov.uk",
    "CertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/"
                      "0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    "OpsAlertEmail": "service-desk@example-council.gov.uk",
    "ServicePhone": "0300 123 4567",
    "NotifyTemplates": {"appointment_confirmation.sms": "7f2a5a40-0000-4000-8000-000000000001"},
}


class Recorder:
    """A fake AWS and SAM: records each command, answers the stacks' outputs."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> str:
        self.commands.append(command)
        if command[:3] == ["aws", "cloudformation", "describe-stacks"]:
            key = re.search(r"OutputKey=='(\w+)'", command[-1])
            assert key is not None
            return f"{key[1]}-value\n"
        return ""

    def index(self, *start: str) -> int:
        return next(i for i, c in enumerate(self.commands) if c[:len(start)] == list(start))


def written(tmp_path: Path, parameters: object) -> Path:
    path = tmp_path / "staging.json"
    path.write_text(json.dumps(parameters))
    return path


def test_a_deploy_names_every_missing_parameter_before_anything_runs(tmp_path: Path) -> None:
    partial = {k: v for k, v in COMPLETE.items() if k not in {"PublicUrl", "OpsAlertEmail"}}
    with pytest.raises(deploy.Refused, match="missing OpsAlertEmail, PublicUrl"):
        deploy.read_parameters(written(tmp_path, partial))


def test_a_parameter_the_template_does_not_have_is_refused(tmp_path: Path) -> None:
    with pytest.raises(deploy.Refused, match="no parameter PublicURL"):
        deploy.read_parameters(written(tmp_path, {**COMPLETE, "PublicURL": "https://x.gov.uk"}))


def test_the_environment_and_web_acl_are_not_the_councils_to_set(tmp_path: Path) -> None:
    with pytest.raises(deploy.Refused, match="sets Environment itself"):
        deploy.read_parameters(written(tmp_path, {**COMPLETE, "Environment": "production"}))


def test_the_edge_stack_goes_to_us_east_1_first_and_gives_the_service_its_web_acl(
        tmp_path: Path) -> None:
    run = Recorder()
    parameters = deploy.read_parameters(written(tmp_path, COMPLETE))
    deploy.deploy(run, deploy.target("staging"), parameters, in_ci=False)
    edge = run.commands[run.index("aws", "cloudformation", "deploy")]
    assert edge[edge.index("--region") + 1] == "us-east-1"
    assert edge[edge.index("--template-file") + 1] == deploy.EDGE_TEMPLATE
    assert run.index("aws", "cloudformation", "deploy") < run.index("sam", "build") < \
        run.index("sam", "deploy") < run.index("aws", "s3", "sync")
    sam = run.commands[run.index("sam", "deploy")]
    assert sam[sam.index("--config-env") + 1] == "staging"
    assert 'EdgeWebAclArn="WebAclArn-value"' in sam
    assert 'Environment="staging"' in sam
    assert "--no-confirm-changeset" not in sam


def test_a_json_parameter_reaches_sam_as_one_quoted_value(tmp_path: Path) -> None:
    parameters = deploy.read_parameters(written(tmp_path, COMPLETE))
    item = deploy.sam_override("NotifyTemplates", parameters["NotifyTemplates"])
    assert item == ('NotifyTemplates="{\\"appointment_confirmation.sms\\": '
                    '\\"7f2a5a40-0000-4000-8000-000000000001\\"}"')
    with pytest.raises(deploy.Refused, match="backslash"):
        deploy.sam_override("NotifyBaseUrl", "https://x\\y")


def test_the_pipeline_deploys_without_a_prompt(tmp_path: Path) -> None:
    run = Recorder()
    parameters = deploy.read_parameters(written(tmp_path, COMPLETE))
    deploy.deploy(run, deploy.target("production"), parameters, in_ci=True)
    assert "--no-confirm-changeset" in run.commands[run.index("sam", "deploy")]


def test_the_assets_are_the_pinned_gov_uk_frontends_and_cloudfront_fetches_them_again(
        tmp_path: Path) -> None:
    run = Recorder()
    deploy.copy_assets(run, deploy.target("staging"))
    sync = run.commands[run.index("aws", "s3", "sync")]
    copy = run.commands[run.index("aws", "s3", "cp")]
    assert sync[5:7] == [str(deploy.FRONTEND / "assets"), "s3://AssetsBucketName-value/assets"]
    assert copy[-5] == "s3://AssetsBucketName-value/assets/govuk-frontend.min.css"
    assert (ROOT / copy[5]).is_file(), "the stylesheet the pages link to"
    for folder in deploy.ASSET_FOLDERS:
        assert (ROOT / deploy.FRONTEND / "assets" / folder).is_dir(), folder
    invalidation = run.commands[run.index("aws", "cloudfront", "create-invalidation")]
    assert invalidation[-1] == "/assets/*"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/govuk-frontend"]["version"]
    installed = json.loads((ROOT / "node_modules/govuk-frontend/package.json").read_text())
    assert installed["version"] == pinned


def test_samconfig_has_both_environments_and_no_account_address_or_secret() -> None:
    text = (ROOT / "samconfig.toml").read_text()
    config = tomllib.loads(text)
    for environment in deploy.ENVIRONMENTS:
        settings = config[environment]["deploy"]["parameters"]
        assert settings["stack_name"].endswith(environment)
        assert "parameter_overrides" not in settings
        assert settings["resolve_s3"] is True
    assert not re.search(r"\b\d{12}\b", text), "an account id"
    assert not re.search(r"arn:aws|https://|@", text), "an ARN, address or email"
    assert deploy.target("production").stack != deploy.target("staging").stack
