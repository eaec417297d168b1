"""The referrals: a practice refers a patient (intake, keyed by its Idempotency-Key), lists and
reads them; ops read who looked at one; everyone reads the practices that take part."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from workingbetter.handlers.guard import JSON, caller, guarded, json_body, query, request
from workingbetter.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/referrals", methods=["POST"], content_types=JSON)
@guarded
def submit_referral() -> tuple[int, Any]:
    principal = caller()
    key = request().headers.get("idempotency-key")
    return 201, services().referrals.submit(principal, json_body(), key,
                                            blueprint.lambda_context)


@blueprint.route("/referrals", methods=["GET"])
@guarded
def list_referrals() -> tuple[int, Any]:
    who = caller()
    return 200, services().referrals.listed(who, query())


@blueprint.route("/referrals/{referral_id}", methods=["GET"])
@guarded
def get_referral(referral_id: str) -> tuple[int, Any]:
    return 200, services().referrals.get(caller(), referral_id)


@blueprint.route("/referrals/{referral_id}/audit", methods=["GET"])
@guarded
def audit_trail(referral_id: str) -> tuple[int, Any]:
    return 200, services().referrals.audit(caller(), referral_id)


@blueprint.route("/practices", methods=["GET"])
@guarded
def list_practices() -> tuple[int, Any]:
    caller()
    return 200, services().referrals.practices()
