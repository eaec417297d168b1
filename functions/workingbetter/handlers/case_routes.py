"""The coach's case record (the coach of the referral only): the vocational profile, employer
contacts, notes, benefits advice, follow-up appointments and the week's diary; and a patient's
right of access: their request, and the copy of what is held."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from workingbetter.domain.auth import Role
from workingbetter.handlers.guard import (
    JSON,
    caller,
    guarded,
    idempotency_key,
    json_body,
    query,
)
from workingbetter.wiring import services

blueprint = Blueprint(__name__)


def _case_read(referral_id: str, route: str) -> Any:
    return services().case_records.read(caller(), referral_id, route)


@blueprint.route("/referrals/{referral_id}/profile", methods=["GET"])
@guarded
def read_profile(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.case_record import profile_view

    return 200, profile_view(_case_read(referral_id, "GET /referrals/{referral_id}/profile"))


@blueprint.route("/referrals/{referral_id}/profile", methods=["POST"], content_types=JSON)
@guarded
def save_profile(referral_id: str) -> tuple[int, Any]:
    return 200, services().case_records.save_profile(caller(), referral_id, json_body())


@blueprint.route("/referrals/{referral_id}/employer-contacts", methods=["GET"])
@guarded
def list_employer_contacts(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.case_record import contacts_view

    return 200, contacts_view(_case_read(referral_id,
                                         "GET /referrals/{referral_id}/employer-contacts"))


@blueprint.route("/referrals/{referral_id}/employer-contacts", methods=["POST"],
                 content_types=JSON)
@guarded
def add_employer_contact(referral_id: str) -> tuple[int, Any]:
    return 201, services().case_records.add_contact(caller(), referral_id, json_body(),
                                                    idempotency_key())


@blueprint.route("/referrals/{referral_id}/notes", methods=["GET"])
@guarded
def list_notes(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.case_record import notes_view

    return 200, notes_view(_case_read(referral_id, "GET /referrals/{referral_id}/notes"))


@blueprint.route("/referrals/{referral_id}/notes", methods=["POST"], content_types=JSON)
@guarded
def add_note(referral_id: str) -> tuple[int, Any]:
    return 201, services().case_records.add_note(caller(), referral_id, json_body(),
                                                 idempotency_key())


@blueprint.route("/referrals/{referral_id}/notes/{note_id}", methods=["POST"],
                 content_types=JSON)
@guarded
def edit_note(referral_id: str, note_id: str) -> tuple[int, Any]:
    return 200, services().case_records.edit_note(caller(), referral_id, note_id, json_body())


@blueprint.route("/referrals/{referral_id}/benefits-advice", methods=["POST"],
                 content_types=JSON)
@guarded
def record_benefits_advice(referral_id: str) -> tuple[int, Any]:
    return 200, services().case_records.record_benefits_advice(caller(), referral_id,
                                                               json_body())


@blueprint.route("/referrals/{referral_id}/follow-ups", methods=["POST"], content_types=JSON)
@guarded
def book_follow_up(referral_id: str) -> tuple[int, Any]:
    return 201, services().follow_ups.book(caller(), referral_id, json_body())


@blueprint.route("/referrals/{referral_id}/follow-ups/{follow_up_id}", methods=["POST"],
                 content_types=JSON)
@guarded
def record_follow_up_outcome(referral_id: str, follow_up_id: str) -> tuple[int, Any]:
    follow_ups = services().follow_ups
    return 200, follow_ups.record_outcome(caller(), referral_id, follow_up_id, json_body())


@blueprint.route("/diary", methods=["GET"])
@guarded
def coach_diary() -> tuple[int, Any]:
    """The caller's (a coach's) appointments in one week: ids, times and outcomes."""
    from workingbetter.services.follow_ups import parse_week

    who = caller()
    who.require(Role.COACH)
    week = services().follow_ups.week(who, parse_week(query().get("week")))
    return 200, {"week": week.monday.isoformat(), "items": [e.as_item() for e in week.entries]}


# -- a patient's right of access: their request, and the copy of what is held --------------


@blueprint.route("/referrals/{referral_id}/access-requests", methods=["POST"],
                 content_types=JSON)
@guarded
def record_access_request(referral_id: str) -> tuple[int, Any]:
    """A request made another way (phone, letter, in person), recorded by the patient's coach
    or a manager; the open one if the patient already has one (a repeat answers the first)."""
    from workingbetter.services.subject_access import request_view

    recorded, _ = services().subject_access.record(caller(), referral_id, json_body())
    return 201, request_view(recorded)


@blueprint.route("/referrals/{referral_id}/access-requests", methods=["GET"])
@guarded
def list_access_requests(referral_id: str) -> tuple[int, Any]:
    from workingbetter.services.subject_access import request_view

    return 200, [request_view(r) for r in
                 services().subject_access.of_referral(caller(), referral_id)]


@blueprint.route("/referrals/{referral_id}/copy", methods=["GET"])
@guarded
def copy_of_what_is_held(referral_id: str) -> tuple[int, Any]:
    """Everything held about the patient (a read of personal data, audited); fulfils their
    open request."""
    return 200, services().subject_access.produce(caller(), referral_id).as_json()
