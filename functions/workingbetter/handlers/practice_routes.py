"""Practices: the service manager adds, edits, pauses, resumes, and lets one leave. Each change
carries `read`, as its GET answered: a change made meanwhile is refused (409), never
overwritten."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from workingbetter.handlers.guard import JSON, caller, guarded, json_body, text, without_read
from workingbetter.wiring import services

MANAGED = "/practices/manage"

blueprint = Blueprint(__name__)


def _managed_practice(practice_ods: str) -> tuple[int, Any]:
    from workingbetter.domain.practices import entry_json, practice_json

    shown = services().practices.page(caller(), practice_ods)
    return 200, {**practice_json(shown.practice), "read": shown.read,
                 "open_referrals": shown.open_referrals,
                 "audit": [entry_json(e) for e in shown.audit]}


@blueprint.route(MANAGED, methods=["GET"])
@guarded
def list_managed_practices() -> tuple[int, Any]:
    from workingbetter.domain.practices import practice_json

    return 200, {"items": [practice_json(p) for p in services().practices.everyone(caller())]}


@blueprint.route(MANAGED, methods=["POST"], content_types=JSON)
@guarded
def add_practice() -> tuple[int, Any]:
    added = services().practices.add(caller(), json_body())
    return 201, _managed_practice(added.practice_ods)[1]


@blueprint.route(f"{MANAGED}/{{practice_ods}}", methods=["GET"])
@guarded
def get_managed_practice(practice_ods: str) -> tuple[int, Any]:
    return _managed_practice(practice_ods)


@blueprint.route(f"{MANAGED}/{{practice_ods}}", methods=["POST"], content_types=JSON)
@guarded
def edit_practice(practice_ods: str) -> tuple[int, Any]:
    body = json_body()
    services().practices.edit(caller(), practice_ods, without_read(body), text(body, "read"))
    return _managed_practice(practice_ods)


@blueprint.route(f"{MANAGED}/{{practice_ods}}/pause", methods=["POST"], content_types=JSON)
@guarded
def pause_practice(practice_ods: str) -> tuple[int, Any]:
    body = json_body()
    services().practices.pause(caller(), practice_ods, without_read(body), text(body, "read"))
    return _managed_practice(practice_ods)


@blueprint.route(f"{MANAGED}/{{practice_ods}}/resume", methods=["POST"], content_types=JSON)
@guarded
def resume_practice(practice_ods: str) -> tuple[int, Any]:
    services().practices.resume(caller(), practice_ods, text(json_body(), "read"))
    return _managed_practice(practice_ods)


@blueprint.route(f"{MANAGED}/{{practice_ods}}/leave", methods=["POST"], content_types=JSON)
@guarded
def practice_leaves(practice_ods: str) -> tuple[int, Any]:
    body = json_body()
    # Left out, they carry on: the safe choice. Any other value is refused by the service.
    wanted = body.get("open_referrals", "carry_on") if isinstance(body, dict) else "carry_on"
    ended = services().practices.leave(caller(), practice_ods, text(body, "read"), wanted)
    return 200, {**_managed_practice(practice_ods)[1], "referrals_ended": ended}
