"""infra/us-east-1.yaml, the WAF in front of CloudFront: AWS's managed rule groups, rate limits
on signing in and on patients' pages, and a log of what it blocked that holds no secret."""

from __future__ import annotations

from typing import Any

import pytest

from infra.template import ROOT, load

EDGE = ROOT / "infra" / "us-east-1.yaml"


@pytest.fixture(scope="module")
def acl() -> dict[str, Any]:
    resources = load(EDGE)["Resources"]
    (found,) = [r["Properties"] for r in resources.values()
                if r["Type"] == "AWS::WAFv2::WebACL"]
    return dict(found)


def rules(acl: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = acl["Rules"]
    return found


def test_it_is_the_kind_of_web_acl_cloudfront_takes(acl: dict[str, Any]) -> None:
    assert acl["Scope"] == "CLOUDFRONT"
    assert "WebAclArn" in load(EDGE)["Outputs"]


def test_awss_managed_rule_groups_stand_in_front_of_the_service(acl: dict[str, Any]) -> None:
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules(acl)
              if "ManagedRuleGroupStatement" in r["Statement"]}
    assert groups == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                      "AWSManagedRulesAmazonIpReputationList"}


def rate_limited_paths(acl: dict[str, Any]) -> set[str]:
    return {r["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["ByteMatchStatement"][
        "SearchString"] for r in rules(acl) if "RateBasedStatement" in r["Statement"]
        and r["Action"] == {"Block": {}}}


def test_signing_in_and_patients_pages_are_rate_limited_per_address(
        acl: dict[str, Any]) -> None:
    assert rate_limited_paths(acl) == {"/login", "/patient/"}
    for rule in rules(acl):
        if "RateBasedStatement" in rule["Statement"]:
            assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"


def test_a_request_body_the_api_accepts_is_not_refused_for_its_size(
        acl: dict[str, Any]) -> None:
    (common,) = [r["Statement"]["ManagedRuleGroupStatement"] for r in rules(acl)
                 if r["Name"] == "Common"]
    overrides = {o["Name"]: o["ActionToUse"] for o in common["RuleActionOverrides"]}
    assert overrides["SizeRestrictions_BODY"] == {"Count": {}}  # the API allows 64 KB


def test_what_is_logged_or_sampled_holds_no_secret_link_cookie_or_token(
        acl: dict[str, Any]) -> None:
    assert acl["VisibilityConfig"]["SampledRequestsEnabled"] is False
    for rule in rules(acl):
        assert rule["VisibilityConfig"]["SampledRequestsEnabled"] is False, rule["Name"]
    resources = load(EDGE)["Resources"]
    (logging,) = [r["Properties"] for r in resources.values()
                  if r["Type"] == "AWS::WAFv2::LoggingConfiguration"]
    redacted = logging["RedactedFields"]
    assert {"UriPath": {}} in redacted
    assert {"QueryString": {}} in redacted
    assert {"SingleHeader": {"Name": "cookie"}} in redacted
    assert {"SingleHeader": {"Name": "authorization"}} in redacted
