"""People: the service manager invites, disables, enables and resets an authenticator."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from workingbetter.handlers.guard import JSON, caller, guarded, json_body, text
from workingbetter.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/people", methods=["GET"])
@guarded
def list_people() -> tuple[int, Any]:
    from workingbetter.domain.people import person_json

    return 200, {"items": [person_json(p) for p in services().people.everyone(caller())]}


@blueprint.route("/people", methods=["POST"], content_types=JSON)
@guarded
def invite_person() -> tuple[int, Any]:
    who, body, people = caller(), json_body(), services().people
    invited = people.check_invitation(
        who, text(body, "email"), text(body, "name"), text(body, "role"),
        text(body, "practice_ods") or text(body, "coach_id"))
    return 201, {"person_id": people.invite(who, invited)}


@blueprint.route("/people/{person_id}", methods=["GET"])
@guarded
def get_person(person_id: str) -> tuple[int, Any]:
    from workingbetter.domain.people import entry_json, person_json

    shown = services().people.page(caller(), person_id)
    return 200, {**person_json(shown.person), "audit": [entry_json(e) for e in shown.audit]}


@blueprint.route("/people/{person_id}/disable", methods=["POST"], content_types=JSON)
@guarded
def disable_person(person_id: str) -> tuple[int, Any]:
    services().people.disable(caller(), person_id)
    return 200, {"person_id": person_id, "enabled": False}


@blueprint.route("/people/{person_id}/enable", methods=["POST"], content_types=JSON)
@guarded
def enable_person(person_id: str) -> tuple[int, Any]:
    services().people.enable(caller(), person_id)
    return 200, {"person_id": person_id, "enabled": True}


@blueprint.route("/people/{person_id}/reset-authenticator", methods=["POST"],
                 content_types=JSON)
@guarded
def reset_authenticator(person_id: str) -> tuple[int, Any]:
    services().people.reset_authenticator(caller(), person_id)
    return 200, {"person_id": person_id, "has_authenticator": False}
