"""What the FHIR interactions do, over the JSON API's own services: a ServiceRequest is
referred through the same intake (validation, the age rule, idempotency, duplicates);
a Task is read with GET /referrals/{id}'s scope; cancelling a Task is the same withdrawal."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workingbetter.domain import disclosure
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import FieldError, Forbidden, InvalidInput
from workingbetter.domain.referral import Status
from workingbetter.fhir import service_request, task
from workingbetter.services import withdrawal

if TYPE_CHECKING:
    from workingbetter.fhir.service_request import Mapped
    from workingbetter.wiring import Services

Json = dict[str, Any]
KEY_NAME = "ServiceRequest.identifier"
OWN_PRACTICE = "You can only refer patients registered at your own practice"


def idempotency_key(mapped: Mapped) -> str:
    """The intake's idempotency key for a ServiceRequest: its identifier's value (hashed to a
    fixed length, and set apart from any Idempotency-Key the JSON API was sent)."""
    return "fhir-" + hashlib.sha256(mapped.identifier.value.encode()).hexdigest()


def refer(services: Services, principal: Principal, body_of: Callable[[], Any],
          lambda_context: Any = None) -> Json:
    """POST /fhir/ServiceRequest: the referral's Task. The body is read (`body_of`) once the
    caller's role may refer."""
    principal.require(Role.REFERRER)
    mapped = service_request.read(body_of())
    if mapped.body["practice_ods"] != principal.practice_ods:
        raise Forbidden(OWN_PRACTICE, [FieldError(mapped.expression("practice_ods"),
                                                  OWN_PRACTICE)])
    try:
        created = services.referrals.submit(principal, mapped.body, idempotency_key(mapped),
                                            lambda_context, key_name=KEY_NAME)
    except InvalidInput as error:
        raise mapped.located(error) from error
    referral_id = str(created["referral_id"])
    services.referrals.note_service_request(referral_id, mapped.identifier.system,
                                            mapped.identifier.value)
    return read(services, principal, referral_id)


def read(services: Services, principal: Principal, referral_id: str) -> Json:
    """GET /fhir/Task/{id}: scoped like GET /referrals/{id} (off-scope is 404). For the
    practice, the patient's communication needs go in as Flags if the patient agreed (an
    audited read); the Task is the practice's record, so no one else's Task carries them."""
    item = services.referrals.visible(principal, referral_id)
    resource = task.resource(principal, item)
    if item.need_kinds and principal.role is Role.REFERRER \
            and disclosure.needs_seen_by(principal.role, item):
        personal = services.referrals.details(principal, item, "GET /fhir/Task/{referral_id}")
        if personal is not None:
            resource.update(task.needs(personal))
    return resource


def cancel(services: Services, principal: Principal, referral_id: str,
           reason_of: Callable[[], str | None]) -> Json:
    """PUT or PATCH /fhir/Task/{id} to cancelled: the practice withdraws the referral. The body
    is read (`reason_of`) only once the caller may act on the Task; cancelling a cancelled
    Task changes nothing."""
    principal.require(Role.REFERRER)
    item = services.referrals.visible(principal, referral_id)
    reason = reason_of()
    if item.status is not Status.WITHDRAWN:
        try:
            request = withdrawal.parse({"reason": reason} if reason is not None else None)
        except InvalidInput as error:
            raise InvalidInput(error.detail, [FieldError("Task.statusReason.text", e.message)
                                              for e in error.errors]) from error
        services.withdrawals.withdraw_referral(item, principal.actor, request)
    return read(services, principal, referral_id)
