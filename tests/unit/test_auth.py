"""Who is calling: a signed token, exactly one role, and the scope the role needs."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from workingbetter.auth import (
    AUDIENCE,
    LOCAL_ISSUER,
    Principal,
    Role,
    local_token,
    principal_from_claims,
    verify_local_token,
)
from workingbetter.domain.errors import Forbidden, Unauthenticated

SECRET = "unit-test-secret-long-enough-for-hs512-" + "0123456789" * 3


def bearer(token: str) -> str:
    return f"Bearer {token}"


def claims(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A coach's claims, with `changes` applied (a None value removes the claim)."""
    now = int(time.time())
    body: dict[str, Any] = {"sub": "user-1", "cognito:groups": ["coach"],
                            "custom:coach_id": "coach-amara", "iss": LOCAL_ISSUER,
                            "aud": AUDIENCE, "iat": now, "exp": now + 600}
    for name, value in (changes or {}).items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def crafted(changes: dict[str, Any]) -> str:
    return bearer(jwt.encode(claims(changes), SECRET, algorithm="HS256"))


# -- a good token -------------------------------------------------------------------------------


def test_a_referrer_token_gives_a_referrer_scoped_to_their_practice() -> None:
    token = local_token(Role.REFERRER, SECRET, practice_ods="F83001")
    principal = verify_local_token(bearer(token), SECRET)
    assert principal.role is Role.REFERRER
    assert principal.practice_ods == "F83001"
    assert principal.coach_id is None
    assert principal.actor == "referrer:F83001"


def test_a_coach_token_gives_a_coach_with_their_coach_id() -> None:
    token = local_token(Role.COACH, SECRET, coach_id="coach-amara")
    principal = verify_local_token(bearer(token), SECRET)
    assert principal.role is Role.COACH
    assert principal.coach_id == "coach-amara"
    assert principal.practice_ods is None
    assert principal.actor == "coach:coach-amara"


def test_an_ops_token_gives_ops_with_no_practice_or_coach() -> None:
    principal = verify_local_token(bearer(local_token(Role.OPS, SECRET)), SECRET)
    assert principal == Principal(role=Role.OPS, subject="local-ops-ops")
    assert principal.actor == "ops"


@pytest.mark.parametrize(("role", "scope"), [
    (Role.REFERRER, {"practice_ods": "F83001"}),
    (Role.COACH, {"coach_id": "coach-bilal"}),
    (Role.OPS, {}),
])
def test_every_role_survives_the_round_trip(role: Role, scope: dict[str, str]) -> None:
    token = local_token(role, SECRET, practice_ods=scope.get("practice_ods"),
                        coach_id=scope.get("coach_id"))
    principal = verify_local_token(bearer(token), SECRET)
    assert principal.role is role
    assert principal.subject


def test_a_practice_claim_on_a_coach_token_gives_no_practice_scope() -> None:
    principal = verify_local_token(crafted({"custom:practice_ods": "F83001"}), SECRET)
    assert principal.role is Role.COACH
    assert principal.practice_ods is None


# -- not signed in ------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
                                    "bearer {token}", "Token {token}", "{token}"])
def test_a_missing_or_non_bearer_authorization_is_unauthenticated(header: str | None) -> None:
    token = local_token(Role.OPS, SECRET)
    with pytest.raises(Unauthenticated):
        verify_local_token(header.format(token=token) if header is not None else None, SECRET)


def test_an_expired_token_is_unauthenticated() -> None:
    token = local_token(Role.OPS, SECRET, ttl_seconds=-10)
    with pytest.raises(Unauthenticated, match="expired"):
        verify_local_token(bearer(token), SECRET)


def test_a_token_signed_with_another_secret_is_unauthenticated() -> None:
    token = local_token(Role.OPS, "another-secret-entirely-0123456789")
    with pytest.raises(Unauthenticated):
        verify_local_token(bearer(token), SECRET)


def test_a_token_for_another_audience_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        verify_local_token(crafted({"aud": "someone-else"}), SECRET)


def test_a_token_from_another_issuer_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        verify_local_token(crafted({"iss": "https://issuer.example.com"}), SECRET)


@pytest.mark.parametrize("missing", ["exp", "sub", "aud", "iss"])
def test_a_token_missing_a_required_claim_is_unauthenticated(missing: str) -> None:
    with pytest.raises(Unauthenticated):
        verify_local_token(crafted({missing: None}), SECRET)


def test_an_unsigned_token_is_unauthenticated() -> None:
    unsigned = jwt.encode(claims(), key="", algorithm="none")
    with pytest.raises(Unauthenticated):
        verify_local_token(bearer(unsigned), SECRET)


def test_a_token_signed_with_another_algorithm_is_unauthenticated() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS512")
    with pytest.raises(Unauthenticated):
        verify_local_token(bearer(token), SECRET)


def test_a_token_that_is_not_a_jwt_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        verify_local_token("Bearer not.a.jwt", SECRET)


def test_the_tampered_payload_of_a_good_token_is_unauthenticated() -> None:
    header, _, signature = local_token(Role.COACH, SECRET, coach_id="c1").split(".")
    forged_payload = jwt.encode(claims({"cognito:groups": ["ops"]}), SECRET).split(".")[1]
    with pytest.raises(Unauthenticated):
        verify_local_token(bearer(f"{header}.{forged_payload}.{signature}"), SECRET)


# -- signed in but not allowed ------------------------------------------------------------------


@pytest.mark.parametrize("groups", [["referrer", "coach"], ["coach", "ops"], [], ["admin"],
                                    ["Coach"]])
def test_a_token_not_in_exactly_one_known_group_is_forbidden(groups: list[str]) -> None:
    with pytest.raises(Forbidden):
        verify_local_token(crafted({"cognito:groups": groups,
                                    "custom:practice_ods": "F83001"}), SECRET)


def test_a_token_with_no_groups_claim_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        verify_local_token(crafted({"cognito:groups": None}), SECRET)


def test_an_unknown_group_alongside_a_role_is_ignored() -> None:
    principal = verify_local_token(crafted({"cognito:groups": ["coach", "beta-testers"]}),
                                   SECRET)
    assert principal.role is Role.COACH


def test_a_referrer_token_without_a_practice_is_forbidden() -> None:
    with pytest.raises(Forbidden, match="practice"):
        verify_local_token(bearer(local_token(Role.REFERRER, SECRET)), SECRET)


def test_a_coach_token_without_a_coach_id_is_forbidden() -> None:
    with pytest.raises(Forbidden, match="coach"):
        verify_local_token(bearer(local_token(Role.COACH, SECRET)), SECRET)


def test_a_principal_may_only_do_what_its_role_allows() -> None:
    coach = Principal(role=Role.COACH, subject="s", coach_id="c1")
    coach.require(Role.COACH, Role.REFERRER)
    with pytest.raises(Forbidden):
        coach.require(Role.OPS)


# -- Cognito claims through API Gateway ---------------------------------------------------------


def test_api_gateways_flattened_groups_string_is_understood() -> None:
    principal = principal_from_claims({"sub": "abc", "cognito:groups": "[coach]",
                                       "custom:coach_id": "coach-amara"})
    assert principal == Principal(role=Role.COACH, subject="abc", coach_id="coach-amara")


def test_a_flattened_groups_string_with_two_roles_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        principal_from_claims({"sub": "abc", "cognito:groups": "[coach ops]",
                               "custom:coach_id": "coach-amara"})


def test_a_plain_groups_string_without_brackets_is_understood() -> None:
    principal = principal_from_claims({"sub": "abc", "cognito:groups": "referrer",
                                       "custom:practice_ods": "F83001"})
    assert principal.role is Role.REFERRER
    assert principal.practice_ods == "F83001"


def test_cognito_claims_for_a_referrer_without_a_practice_are_forbidden() -> None:
    with pytest.raises(Forbidden):
        principal_from_claims({"sub": "abc", "cognito:groups": "[referrer]"})


def test_empty_authoriser_claims_are_forbidden() -> None:
    with pytest.raises(Forbidden):
        principal_from_claims({})
