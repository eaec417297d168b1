"""Coaches: the service manager adds one, edits them, adds and removes their sessions (each
change carries `read`, as the coach's GET answered); records the days one is away (their
appointments move); moves a referral to another coach; and lets a coach leave, handing each
referral on."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from workingbetter.handlers.guard import (
    JSON,
    caller,
    guarded,
    idempotency_key,
    json_body,
    text,
    without_read,
)
from workingbetter.wiring import services

COACHES_MANAGED = "/coaches/manage"

blueprint = Blueprint(__name__)


def _managed_coach(coach_id: str) -> tuple[int, Any]:
    from workingbetter.domain.coaches import coach_json
    from workingbetter.domain.practices import entry_json

    shown = services().coaches.page(caller(), coach_id)
    return 200, {**coach_json(shown.coach, services().settings.caseload_cap), "read": shown.read,
                 "session_keys": [key for key, _ in shown.sessions],
                 "audit": [entry_json(e) for e in shown.audit]}


@blueprint.route(COACHES_MANAGED, methods=["GET"])
@guarded
def list_managed_coaches() -> tuple[int, Any]:
    from workingbetter.domain.coaches import coach_json

    full_time = services().settings.caseload_cap
    return 200, {"items": [coach_json(c, full_time)
                           for c in services().coaches.everyone(caller())]}


@blueprint.route(COACHES_MANAGED, methods=["POST"], content_types=JSON)
@guarded
def add_coach() -> tuple[int, Any]:
    added = services().coaches.add(caller(), json_body())
    return 201, _managed_coach(added.coach_id)[1]


@blueprint.route(f"{COACHES_MANAGED}/{{coach_id}}", methods=["GET"])
@guarded
def get_managed_coach(coach_id: str) -> tuple[int, Any]:
    return _managed_coach(coach_id)


@blueprint.route(f"{COACHES_MANAGED}/{{coach_id}}", methods=["POST"], content_types=JSON)
@guarded
def edit_coach(coach_id: str) -> tuple[int, Any]:
    body = json_body()
    services().coaches.edit(caller(), coach_id, without_read(body), text(body, "read"))
    return _managed_coach(coach_id)


@blueprint.route(f"{COACHES_MANAGED}/{{coach_id}}/sessions", methods=["POST"],
                 content_types=JSON)
@guarded
def add_coach_session(coach_id: str) -> tuple[int, Any]:
    body = json_body()
    services().coaches.add_session(caller(), coach_id, without_read(body), text(body, "read"))
    return _managed_coach(coach_id)


@blueprint.route(f"{COACHES_MANAGED}/{{coach_id}}/sessions/remove", methods=["POST"],
                 content_types=JSON)
@guarded
def remove_coach_session(coach_id: str) -> tuple[int, Any]:
    body = json_body()
    services().coaches.remove_session(caller(), coach_id, text(body, "session"),
                                      text(body, "read"))
    return _managed_coach(coach_id)


# -- a coach's absence: the service manager records the days away; their appointments move ----


def _coach_absences(coach_id: str) -> dict[str, Any]:
    from workingbetter.domain.absence import absence_json, entry_json

    shown = services().cover.page(caller(), coach_id)
    return {"coach_id": coach_id, "items": [absence_json(a) for a in shown.absences],
            "audit": [entry_json(e) for e in shown.audit]}


@blueprint.route("/coaches/{coach_id}/absences", methods=["GET"])
@guarded
def list_absences(coach_id: str) -> tuple[int, Any]:
    return 200, _coach_absences(coach_id)


@blueprint.route("/coaches/{coach_id}/absences", methods=["POST"], content_types=JSON)
@guarded
def add_absence(coach_id: str) -> tuple[int, Any]:
    from workingbetter.domain.absence import absence_json

    covered = services().cover.add_absence(caller(), coach_id, json_body(), idempotency_key())
    return 201, {**absence_json(covered.absence), "moved": covered.moved,
                 "not_moved": covered.not_moved}


@blueprint.route("/coaches/{coach_id}/absences/{absence_id}/cancel", methods=["POST"],
                 content_types=JSON)
@guarded
def cancel_absence(coach_id: str, absence_id: str) -> tuple[int, Any]:
    services().cover.cancel_absence(caller(), coach_id, absence_id)
    return 200, _coach_absences(coach_id)


# -- a coach's caseload: one referral moves, or the coach leaves and hands every one on -------


@blueprint.route("/referrals/{referral_id}/coach", methods=["POST"], content_types=JSON)
@guarded
def move_referral(referral_id: str) -> tuple[int, Any]:
    moved = services().caseload_moves.move(caller(), referral_id, json_body())
    return 200, {"referral_id": moved.referral_id, "coach_id": moved.coach_id,
                 "appointments_moved": moved.appointments}


def _caseload(coach_id: str) -> dict[str, Any]:
    shown = services().leaving.page(caller(), coach_id)
    return {"coach_id": coach_id, "left": shown.coach.left,
            "items": [{"referral_id": r.referral_id, "reference": r.reference,
                       "status": r.status} for r in shown.caseload],
            "coaches_with_places": [c.coach_id for c in shown.choices]}


@blueprint.route("/coaches/{coach_id}/caseload", methods=["GET"])
@guarded
def coach_caseload(coach_id: str) -> tuple[int, Any]:
    return 200, _caseload(coach_id)


@blueprint.route("/coaches/{coach_id}/leave", methods=["POST"], content_types=JSON)
@guarded
def coach_leaves(coach_id: str) -> tuple[int, Any]:
    left = services().leaving.leave(caller(), coach_id, json_body())
    return 200, {**_caseload(coach_id), "moved": left.moved, "waitlisted": left.waitlisted}
