"""Leaving: a referrer or coach withdraws a referral, and the patient leaves from their own
link, by its page (a form that gets a page back) or as an API client posting JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Response

from workingbetter.handlers.guard import FORM, JSON, caller, guarded, json_body, request
from workingbetter.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/referrals/{referral_id}/withdraw", methods=["POST"], content_types=JSON)
@guarded
def withdraw_referral(referral_id: str) -> tuple[int, Any]:
    return 200, services().withdrawals.withdraw(caller(), referral_id, json_body())


@blueprint.route("/patient/withdraw/{token}", methods=["GET"])
def patient_withdraw_page(token: str) -> Response:
    """The page a patient's link opens: one button, and nothing happens until it is pressed."""
    from workingbetter.web import patient_leave

    return patient_leave.show(token)


@blueprint.route("/patient/withdraw/{token}", methods=["POST"], content_types=[*JSON, FORM])
def patient_withdraw(token: str) -> Response:
    """The page's form gets a page back; an API client posting JSON gets JSON."""
    from workingbetter.web import patient_leave

    if _is_form():
        return patient_leave.leave(token, _patient_form())
    return _patient_withdraw_json(token)


@guarded
def _patient_withdraw_json(token: str) -> tuple[int, Any]:
    return 200, services().withdrawals.withdraw_by_link(token, json_body())


def _is_form() -> bool:
    return str(request().headers.get("content-type", "")).startswith(FORM)


def _patient_form() -> dict[str, bool]:
    """The patient page's form: one checkbox (erase=yes)."""
    raw = request().raw_body or b""
    form = parse_qs(raw.decode(errors="replace") if isinstance(raw, bytes) else raw)
    return {"erase_personal_data": form.get("erase") == ["yes"]}
