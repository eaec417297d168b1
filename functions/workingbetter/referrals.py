"""Referral intake and the scoped views of a referral.

Intake writes the workflow item (ids and enums), the personal-data item and the
one-active-referral marker together, then starts the run with {"referral_id": ...} only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from workingbetter.auth import Principal, Role
from workingbetter.domain import nhs_number
from workingbetter.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from workingbetter.domain.referral import Awaiting, Status, fhir_status
from workingbetter.domain.triage import facts_for
from workingbetter.intake import ReferralRequest, field_errors
from workingbetter.notifications.notices import Notices
from workingbetter.observability import count
from workingbetter.resume import is_stopped
from workingbetter.store import ConditionFailed, Event, Item, Store, now_iso
from workingbetter.workflow import Workflow

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )

    from workingbetter.settings import Settings  # pydantic-settings: only when read


class Referrals:
    def __init__(self, store: Store, workflow: Workflow, settings: Settings) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings

    # -- intake ----------------------------------------------------------------------------

    def submit(self, principal: Principal, body: Any, idempotency_key: str | None,
               lambda_context: Any = None) -> Item:
        """Create a referral; with an Idempotency-Key a repeat returns the first answer."""
        principal.require(Role.REFERRER)
        request = parse_referral(body)
        if request.practice_ods != principal.practice_ods:
            raise Forbidden("You can only refer patients registered at your own practice")
        if idempotency_key is None:
            return self._create(request, principal)
        if not 8 <= len(idempotency_key) <= 128:
            raise InvalidInput("The Idempotency-Key header must be 8 to 128 characters",
                               [FieldError("Idempotency-Key", "Use 8 to 128 characters")])
        canonical = request.model_dump_json()
        data = {
            "practice_ods": request.practice_ods,
            "key": idempotency_key,
            "body_hash": hashlib.sha256(canonical.encode()).hexdigest(),
        }
        # Powertools' idempotency is imported by the first intake, not by every request.
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        persistence, create, config = _idempotent(self.settings.idempotency_table_name)
        request_hash = hashlib.sha256(f"{request.practice_ods}\n{idempotency_key}".encode()
                                      ).hexdigest()
        if self.store.erased_request(request_hash):
            raise Conflict("The referral sent with this Idempotency-Key was withdrawn and the "
                           "patient's details erased: nothing was saved. To refer the patient "
                           "again, send a new referral with a new key.")
        if lambda_context is not None:
            # An intake cut short by the Lambda timeout frees its key when the timeout passes.
            config.register_lambda_context(lambda_context)
        try:
            result: Item = create(data=data, referrals=self, body=canonical, principal=principal)
        except IdempotencyValidationError as error:
            raise Conflict("This Idempotency-Key was already used for a different referral") \
                from error
        except IdempotencyAlreadyInProgressError as error:
            raise Conflict("This referral is still being submitted: try again in a moment") \
                from error
        # Remembered so that erasure can delete the idempotency record, and refuse a replay.
        record = persistence._get_hashed_idempotency_key(data)
        self.store.note_on_referral(result["referral_id"], "idempotency_record", record)
        self.store.note_on_referral(result["referral_id"], "request_hash", request_hash)
        return result

    def _create(self, request: ReferralRequest, principal: Principal) -> Item:
        if self.store.practice(request.practice_ods) is None:
            raise InvalidInput("This practice does not take part in Working Better", [
                FieldError("practice_ods", "This practice does not take part in Working Better")
            ])
        patient_key = nhs_number.keyed_hash(request.patient.nhs_number,
                                            self.settings.hash_key())
        if self.store.active_referral_for_patient(patient_key):
            raise Conflict("This patient already has an active referral to Working Better")
        referral_id = str(uuid.uuid4())
        created_at = now_iso()
        facts = facts_for(request.patient.date_of_birth, request.health_conditions,
                          datetime.now(UTC).date())
        referral: Item = {
            "referral_id": referral_id,
            "practice_ods": request.practice_ods,
            "practice_pk": f"PRACTICE#{request.practice_ods}",
            "status": str(Status.RECEIVED),
            "runs": [referral_id],
            "created_at": created_at,
            "updated_at": created_at,
            "patient_key": patient_key,
            "employment_status": str(request.employment_status),
            "triage_facts": {"age_band": str(facts.age_band),
                             "only_other_condition": facts.only_other_condition},
            "share_outcome_with_gp": request.consent.share_outcome_with_gp,
            "contact_preference": str(request.patient.contact_preference),
            "timeline": [Event("referral_received", principal.actor).as_item(created_at)],
        }
        personal = request.model_dump(mode="json", include={"patient", "health_conditions",
                                                            "reason"})
        try:
            self.store.create_referral(referral, personal, patient_key)
        except ConditionFailed as error:
            raise Conflict("This patient already has an active referral to Working Better") \
                from error
        try:
            self.workflow.start(referral_id)
        except Exception:
            # No run, no referral: undo the writes so that a retry starts afresh instead of
            # meeting this patient's marker and a referral nobody will ever move. (The start
            # may have landed and only its answer been lost: then keep the referral.)
            if not self.workflow.exists(referral_id):
                self.store.remove_unstarted_referral(referral_id, patient_key)
                raise
        Notices.of(self.store, self.settings).received(referral)
        count("ReferralReceived")
        return {"referral_id": referral_id, "status": str(Status.RECEIVED)}

    # -- reading ---------------------------------------------------------------------------

    def get(self, principal: Principal, referral_id: str) -> Item:
        item = self.store.referral(referral_id)
        if item is None or not (can_see(principal, item) or self._triages(principal, item)):
            # Off-scope records answer 404, like missing ones, so ids cannot be probed.
            raise NotFound("No referral with that id is visible to you")
        personal = None
        if principal.role in (Role.REFERRER, Role.COACH) and not item.get("personal_data_erased"):
            personal = self.store.read_personal_data(referral_id, principal.actor,
                                                     "GET /referrals/{referral_id}")
        return view(principal, item, personal)

    def audit(self, principal: Principal, referral_id: str) -> list[Item]:
        """Who read this referral's personal data, when and through which route (ops only)."""
        principal.require(Role.OPS)
        if self.store.referral(referral_id) is None:
            raise NotFound("No referral with that id")
        return self.store.audit_trail(referral_id)

    def visible_to(self, principal: Principal) -> list[Item]:
        if principal.role is Role.REFERRER:
            assert principal.practice_ods
            items = self.store.referrals_for_practice(principal.practice_ods)
        elif principal.role is Role.COACH:
            assert principal.coach_id
            items = self.store.referrals_for_coach(principal.coach_id)
            items += self._triage_queue(principal.coach_id, {i["referral_id"] for i in items})
        else:
            items = [i for status in Status for i in self.store.referrals_with_status(status)]
        items.sort(key=lambda i: str(i["created_at"]), reverse=True)
        return [view(principal, item, None, summary=True) for item in items]

    def _triages(self, principal: Principal, item: Item) -> bool:
        """A coach may see (and decide) referrals awaiting triage at their own practice."""
        if principal.role is not Role.COACH or item.get("awaiting") != Awaiting.TRIAGE_DECISION:
            return False
        coach = self.store.coach(str(principal.coach_id))
        return coach is not None and coach["practice_ods"] == item["practice_ods"]

    def _triage_queue(self, coach_id: str, seen: set[str]) -> list[Item]:
        coach = self.store.coach(coach_id)
        if coach is None:
            return []
        waiting = self.store.referrals_with_status(Status.AWAITING_TRIAGE_DECISION)
        return [i for i in waiting
                if i["practice_ods"] == coach["practice_ods"] and i["referral_id"] not in seen]

    def practices(self) -> list[Item]:
        return [
            {"practice_ods": p["practice_ods"], "name": p["name"],
             "sessions": [{"coach_id": s["coach_id"], "weekday": s["weekday"]}
                          for s in p["sessions"]]}
            for p in sorted(self.store.practices(), key=lambda p: str(p["name"]))
        ]


def parse_referral(body: Any) -> ReferralRequest:
    if not isinstance(body, dict):
        raise InvalidInput("Send the referral as a JSON object",
                           [FieldError("body", "Send the referral as a JSON object")])
    try:
        return ReferralRequest.model_validate(body)
    except ValidationError as error:
        raise InvalidInput("The referral has errors: nothing was saved",
                           field_errors(error)) from error


@lru_cache(maxsize=4)
def _idempotent(table_name: str) -> tuple[DynamoDBPersistenceLayer, Any, IdempotencyConfig]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(table_name=table_name)
    config = IdempotencyConfig(
        event_key_jmespath="[practice_ods, key]",
        payload_validation_jmespath="body_hash",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="data", persistence_store=persistence, config=config)
    def create(*, data: dict[str, str], referrals: Referrals, body: str,
               principal: Principal) -> Item:
        # Powertools stores this function's return value: ids and a status, no personal data.
        return referrals._create(ReferralRequest.model_validate(json.loads(body)), principal)

    return persistence, create, config


# -- scoping and views ---------------------------------------------------------------------


def can_see(principal: Principal, item: Item) -> bool:
    if principal.role is Role.OPS:
        return True
    if principal.role is Role.REFERRER:
        return bool(item["practice_ods"] == principal.practice_ods)
    return item.get("coach_id") == principal.coach_id


def view(principal: Principal, item: Item, personal: Item | None,
         summary: bool = False) -> Item:
    """What each role may see of a referral: ops never personal data, referrers no coach notes."""
    status = Status(item["status"])
    appointment = item.get("appointment")
    result: Item = {
        "referral_id": item["referral_id"],
        "status": str(status),
        "awaiting": item.get("awaiting"),
        "practice_ods": item["practice_ods"],
        "coach_id": item.get("coach_id"),
        "appointment": {"start": appointment["start"], "practice_ods": appointment["practice_ods"]}
        if appointment else None,
        "exit_reason": item.get("exit_reason"),
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
        "fhir": fhir_status(status),
        "stalled": is_stopped(item),
    }
    if principal.role is Role.OPS:
        result["attention"] = item.get("attention")
    if summary:
        return result
    if principal.role is Role.REFERRER:
        result["timeline"] = [{"at": e["at"], "event": e["event"]} for e in item["timeline"]]
    else:
        result["timeline"] = [
            {"at": e["at"], "event": e["event"], "by": e["by"],
             **({"detail": e["detail"]} if "detail" in e else {})}
            for e in item["timeline"]
        ]
    if personal is not None and principal.role is not Role.OPS:
        patient = personal["patient"]
        result["patient"] = {
            "given_name": patient["given_name"],
            "family_name": patient["family_name"],
            "nhs_number": nhs_number.display(patient["nhs_number"]),
        }
        if principal.role is Role.COACH:
            result["patient"].update({k: patient.get(k) for k in
                                      ("date_of_birth", "phone", "email", "contact_preference")})
            result["health_conditions"] = personal["health_conditions"]
            result["reason"] = personal["reason"]
    return result


