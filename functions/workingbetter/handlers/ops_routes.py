"""What ops and commissioners read that names nobody: the messages sent or due, the outcome and
fidelity reports, this API's own description; and GOV.UK Notify's delivery receipts."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from workingbetter.domain.auth import Role
from workingbetter.handlers.guard import JSON, caller, guarded, json_body, query, request
from workingbetter.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/ops/notifications", methods=["GET"])
@guarded
def list_notifications() -> tuple[int, Any]:
    """What was sent or is due, to whom by role and channel: never the words or an address."""
    from workingbetter.adapters.outbox import public_view

    caller().require(Role.OPS)
    outbox = services().store.outbox
    referral_id = query().get("referral_id")
    # Without a referral: everything still waiting to go, and what failed.
    rows = outbox.for_referral(referral_id) if referral_id else \
        outbox.due("9999-12-31T23:59:59Z") + outbox.failed()
    return 200, [public_view(row) for row in rows]


@blueprint.route("/notify/callbacks", methods=["POST"], content_types=JSON)
@guarded
def notify_delivery_receipt() -> tuple[int, Any]:
    """GOV.UK Notify's delivery receipt for a text or email: no login, Notify's bearer token."""
    from workingbetter.notifications.receipts import check_bearer

    s = services()
    check_bearer(request().headers.get("authorization"),
                 s.settings.secret("notify_callback_token"))
    return 200, s.receipts.record(json_body())


@blueprint.route("/reports/outcomes", methods=["GET"])
@guarded
def outcome_report() -> tuple[int, Any]:
    """Counts and rates for ops and commissioners, small numbers suppressed; no referral."""
    return 200, services().reports.outcomes(caller(), query()).as_json()


@blueprint.route("/reports/ips-fidelity", methods=["GET"])
@guarded
def ips_fidelity_report() -> tuple[int, Any]:
    """The IPS fidelity items the data can score, with their evidence (ops, commissioners)."""
    return 200, services().reports.fidelity(caller(), query())


@blueprint.route("/openapi.json", methods=["GET"])
@guarded
def openapi_document() -> tuple[int, Any]:
    """The API's own description, generated from the models that validate its bodies."""
    from workingbetter.handlers import openapi

    return 200, openapi.document()
