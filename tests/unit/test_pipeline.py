"""The pipeline a council runs (.github/workflows/deploy.yml): every test first, staging next,
production only after a reviewer approves, and AWS reached with GitHub's OIDC token and a
role, never a stored key. (make lint runs actionlint over it too.)"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from infra.template import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"


@pytest.fixture(scope="module")
def jobs() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return found


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s.get("with", {}) for s in job["steps"] if s.get("uses", "").startswith(action)]


def test_every_test_runs_before_anything_is_deployed(jobs: dict[str, dict[str, Any]]) -> None:
    assert "make test" in runs(jobs["test"])
    assert jobs["staging"]["needs"] == "test"


def test_production_follows_staging_and_waits_for_its_environments_reviewers(
        jobs: dict[str, dict[str, Any]]) -> None:
    assert jobs["production"]["needs"] == "staging"
    assert jobs["production"]["environment"] == "production"
    assert jobs["staging"]["environment"] == "staging"
    assert "make deploy ENV=staging" in runs(jobs["staging"])
    assert "make deploy ENV=production" in runs(jobs["production"])


def test_aws_is_reached_by_assuming_a_role_with_githubs_token_never_a_stored_key(
        jobs: dict[str, dict[str, Any]]) -> None:
    text = WORKFLOW.read_text()
    assert "aws-access-key-id" not in text
    assert "secrets." not in text, "nothing the pipeline needs is secret"
    for name in ("staging", "production"):
        (credentials,) = uses(jobs[name], "aws-actions/configure-aws-credentials@")
        assert set(credentials) == {"role-to-assume", "aws-region"}
        assert jobs[name]["permissions"]["id-token"] == "write"
    assert "permissions" not in jobs["test"], "the tests get no token"
