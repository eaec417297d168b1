"""The Task that follows a referral, and the one change a GP system may make to it: cancel.

The Task carries ids, codes and dates only: no coach's notes, and of the patient only their
communication needs, as Flags, where the patient agreed their practice may see them. What it
shows is what the caller may see of the referral (domain/disclosure.py, the rule the JSON API
and the pages follow too): a practice whose patient did not agree to share how it goes sees a
referral that was accepted and then ended, with no outcome and no date that tells one.
"""

from __future__ import annotations

from typing import Any

from workingbetter.domain import disclosure
from workingbetter.domain.auth import Principal
from workingbetter.domain.errors import BadRequest, FieldError, InvalidInput
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import Referral
from workingbetter.fhir import codes, flags, validation
from workingbetter.notifications.messages import OUTCOME_WORDS

Json = dict[str, Any]
PATCH_CONTENT_TYPE = "application/json-patch+json"
CANCEL_ONLY = "The only change a GP system can make to a Task is to cancel it"


def _coding(system: str, code: str, display: str) -> Json:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def resource(principal: Principal, item: Referral) -> Json:
    """The referral as a FHIR R4 Task, as this caller may see it."""
    seen = disclosure.seen_by(principal.role, item)
    task: Json = {
        "resourceType": "Task",
        "id": item.referral_id,
        "identifier": _identifiers(item),
        "status": seen.task_status,
        "businessStatus": _coding(codes.REFERRAL_STAGE, seen.stage.lower(),
                                  codes.STAGE_WORDS[seen.stage]),
        "intent": "order",
        "code": _coding(codes.TASK_CODE, "fulfill", "Fulfill the focal request"),
        "authoredOn": item.created_at,
        "lastModified": seen.updated_at,
        "requester": {"type": "Organization", "identifier": {
            "system": codes.ODS_CODE, "value": item.practice_ods}},
    }
    request = item.service_request
    if request:
        reference = {"type": "ServiceRequest",
                     "identifier": {"system": request.system, "value": request.value}}
        task["basedOn"] = [reference]
        task["focus"] = reference
    if seen.ended_at:
        task["executionPeriod"] = {"start": item.created_at, "end": seen.ended_at}
    task.update(_ending(seen))
    return task


def needs(personal: PersonalData) -> Json:
    """The patient's communication needs, for a practice they agreed may see them: contained
    Flags (fhir/flags.py), each an input of the Task, so the next service knows them."""
    patient = personal.patient
    subject = {"type": "Patient",
               "identifier": {"system": codes.NHS_NUMBER, "value": patient.nhs_number}}
    contained = flags.flags(patient.communication_needs, subject)
    kind = _coding(codes.OUTCOME, "communication-need", "Communication need")
    return {"contained": contained,
            "input": [{"type": kind, "valueReference": {"reference": f"#{f['id']}"}}
                      for f in contained]}


def _identifiers(item: Referral) -> list[Json]:
    found = [{"system": codes.REFERRAL_ID, "value": item.referral_id}]
    if item.reference:  # the short reference people read out, where there is one
        found.append({"system": codes.REFERRAL_REFERENCE, "value": item.reference})
    return found


def _ending(seen: disclosure.Seen) -> Json:
    """A rejection says why (it is about the referral, not the patient); how support ended
    is an outcome, there only where it may be seen."""
    exit_reason = seen.exit_reason
    if not exit_reason:
        return {}
    reason = _coding(codes.EXIT_REASON, exit_reason, OUTCOME_WORDS.get(exit_reason, exit_reason))
    if seen.task_status == "rejected":
        return {"statusReason": reason}
    return {"output": [{"type": _coding(codes.OUTCOME, "exit-reason", "How support ended"),
                        "valueCodeableConcept": reason}]}


# -- cancelling ----------------------------------------------------------------------------


def cancel_from_put(body: Any, task_id: str) -> str | None:
    """A PUT of the Task with status cancelled: the reason (statusReason.text), if any."""
    from fhir.resources.R4B.task import Task

    validation.parse(Task, "Task", body)
    if body.get("id") not in (None, task_id):
        raise BadRequest("Task.id must be the id in the URL", [
            FieldError("Task.id", "Use the id in the URL")])
    if body.get("status") != "cancelled":
        raise InvalidInput(CANCEL_ONLY, [FieldError("Task.status", "Set status to cancelled")])
    return _reason_text(body.get("statusReason"), "Task.statusReason")


def cancel_from_patch(body: Any) -> str | None:
    """A JSON Patch (RFC 6902) that sets /status to cancelled, and may set /statusReason."""
    if not isinstance(body, list) or not body:
        raise BadRequest("Send a JSON Patch: an array of operations", [])
    status, reason = None, None
    for index, operation in enumerate(body):
        op, path, value = _operation(index, operation)
        if path == "/status" and op in ("add", "replace"):
            status = value
        elif path in ("/statusReason", "/statusReason/text") and op in ("add", "replace"):
            reason = value if path == "/statusReason" else {"text": value}
        else:
            raise InvalidInput(CANCEL_ONLY, [FieldError(
                "Task", f"Operation {index + 1}: only add or replace /status and "
                "/statusReason are supported")])
    if status != "cancelled":
        raise InvalidInput(CANCEL_ONLY, [FieldError("Task.status", "Set /status to cancelled")])
    return _reason_text(reason, "Task.statusReason")


def _operation(index: int, operation: Any) -> tuple[str, str, Any]:
    if not (isinstance(operation, dict) and isinstance(operation.get("op"), str)
            and isinstance(operation.get("path"), str)):
        raise BadRequest(f"JSON Patch operation {index + 1} needs an op and a path", [])
    return operation["op"], operation["path"], operation.get("value")


def _reason_text(reason: Any, at: str) -> str | None:
    if reason is None:
        return None
    text = reason.get("text") if isinstance(reason, dict) else None
    if not isinstance(text, str):
        raise InvalidInput("Give the reason for cancelling as statusReason.text", [
            FieldError(f"{at}.text", "Give the reason as text")])
    return text
