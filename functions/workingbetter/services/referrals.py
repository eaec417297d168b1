"""Referral intake (the scoped views of a referral are its base: services/referral_reading.py).

Intake writes the workflow item (ids and enums), the personal-data item and the
one-active-referral marker together, then starts the run with {"referral_id": ...} only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import ConditionFailed, Item, ReferenceTaken, now_iso
from workingbetter.domain import (
    bands,
    dates,
    finding,
    idempotency,
    nhs_number,
    parsing,
    reference,
)
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.communication_needs import kinds_of
from workingbetter.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
)
from workingbetter.domain.practices import not_taking
from workingbetter.domain.records.referral import (
    Referral,
    ReferralChange,
    ServiceRequestId,
    StoredTriageFacts,
    TimelineEvent,
)
from workingbetter.domain.referral import Status
from workingbetter.domain.triage import facts_for
from workingbetter.observability import count
from workingbetter.services.intake import ReferralRequest
from workingbetter.services.referral_reading import Reading

DUPLICATE = "This patient already has an active referral to Working Better"
REFERENCE_DRAWS = 5  # 35 random bits: a second draw is already rare

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )

    from workingbetter.adapters.store import Store
    from workingbetter.adapters.workflow import Workflow
    from workingbetter.notifications.notices import Notices
    from workingbetter.settings import Settings  # pydantic-settings: only when read


class Referrals(Reading):
    """Referral intake; reading is its base (services/referral_reading.py)."""

    def __init__(self, store: Store, workflow: Workflow, settings: Settings,
                 notices: Notices) -> None:
        super().__init__(store, workflow, settings)
        self.notices = notices

    # -- intake ----------------------------------------------------------------------------

    def submit(self, principal: Principal, body: Any, idempotency_key: str | None,
               lambda_context: Any = None, key_name: str = "Idempotency-Key") -> Item:
        """Create a referral; with an Idempotency-Key a repeat returns the first answer.
        (`key_name` is what the caller knows the key as: FHIR's is the ServiceRequest's
        identifier.)"""
        request = self.check(principal, body)
        if idempotency_key is None:
            return self._create(request, principal)
        idempotency.checked(idempotency_key)
        canonical = request.model_dump_json()
        data = {
            "practice_ods": request.practice_ods,
            "key": idempotency_key,
            "body_hash": idempotency.fingerprint(request),
        }
        # Powertools' idempotency is imported by the first intake, not by every request.
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        persistence, create, config = _idempotent(self.settings.idempotency_table_name)
        request_hash = hashlib.sha256(f"{request.practice_ods}\n{idempotency_key}".encode()
                                      ).hexdigest()
        if self.store.patients.erased_request(request_hash):
            raise Conflict(f"The referral sent with this {key_name} was withdrawn and the "
                           "patient's details erased: nothing was saved. To refer the patient "
                           "again, send a new referral with a new key.")
        if lambda_context is not None:
            # An intake cut short by the Lambda timeout frees its key when the timeout passes.
            config.register_lambda_context(lambda_context)
        try:
            result: Item = create(data=data, referrals=self, body=canonical, principal=principal)
        except IdempotencyValidationError as error:
            raise idempotency.KeyReused(key_name, "referral") from error
        except IdempotencyAlreadyInProgressError as error:
            raise Conflict("This referral is still being submitted: try again in a moment") \
                from error
        # Remembered so that erasure can delete the idempotency record, and refuse a replay.
        record = persistence._get_hashed_idempotency_key(data)
        self.store.referrals.note(result["referral_id"], ReferralChange(
            idempotency_record=record, request_hash=request_hash))
        return result

    def note_service_request(self, referral_id: str, system: str, value: str) -> None:
        """The GP system's own id for the referral (a FHIR ServiceRequest's identifier):
        bookkeeping, not a change of state, so a resend writes the same value."""
        self.store.referrals.note(referral_id, ReferralChange(
            service_request=ServiceRequestId(system, value)))

    def check(self, principal: Principal, body: Any) -> ReferralRequest:
        """The referral as it would be sent, checked and nothing written: the form's "check
        your answers" step shows it, and sending it checks it again."""
        principal.require(Role.REFERRER)
        request = parse_referral(body)
        if request.practice_ods != principal.practice_ods:
            raise Forbidden("You can only refer patients registered at your own practice")
        practice = self.store.directory.practice(request.practice_ods)
        if practice is None:
            raise InvalidInput("This practice does not take part in Working Better", [
                FieldError("practice_ods", "This practice does not take part in Working Better")
            ])
        if (why := not_taking(practice)) is not None:
            raise InvalidInput(why, [FieldError("practice_ods", why)])
        return request

    def _create(self, request: ReferralRequest, principal: Principal) -> Item:
        patient_key = nhs_number.keyed_hash(request.patient.nhs_number,
                                            self.settings.hash_key())
        if self.store.referrals.active_for_patient(patient_key):
            raise Conflict(self._duplicate(patient_key))
        referral_id = str(uuid.uuid4())
        created_at = now_iso()
        facts = facts_for(request.patient.date_of_birth, request.health_conditions,
                          datetime.now(UTC).date())
        made = Referral(
            referral_id=referral_id, created_at=created_at, status=Status.RECEIVED,
            practice_ods=request.practice_ods, runs=(referral_id,), updated_at=created_at,
            patient_key=patient_key, employment_status=str(request.employment_status),
            birth_key=finding.birth_key(request.practice_ods, request.patient.date_of_birth,
                                        self.settings.hash_key()),
            triage_facts=StoredTriageFacts(str(facts.age_band), facts.only_other_condition),
            # For the outcome reports (enums only; erased with the personal data).
            condition_categories=tuple(bands.condition_categories(request.health_conditions)),
            age_band=bands.age_band(request.patient.date_of_birth, datetime.now(UTC).date()),
            share_outcome_with_gp=request.consent.share_outcome_with_gp,
            share_needs_with_practice=request.consent.share_needs_with_practice,
            need_kinds=kinds_of(tuple(n.record() for n in request.patient.communication_needs)),
            contact_preference=request.patient.contact_preference,
            timeline=(TimelineEvent(created_at, "referral_received", principal.actor),))
        personal = request.model_dump(mode="json", include={"patient", "health_conditions",
                                                            "reason"})
        referral = self._claim(made, personal, patient_key)
        try:
            self.workflow.start(referral_id)
        except Exception:
            # No run, no referral: undo the writes so that a retry starts afresh instead of
            # meeting this patient's marker and a referral nobody will ever move. (The start
            # may have landed and only its answer been lost: then keep the referral.)
            if not self.workflow.exists(referral_id):
                self.store.referrals.remove_unstarted(referral_id, patient_key,
                                                     str(referral.reference))
                raise
        self.notices.received(referral)
        count("ReferralReceived")
        return {"referral_id": referral_id, "status": str(Status.RECEIVED),
                "reference": referral.reference}

    def _claim(self, made: Referral, personal: Item, patient_key: str) -> Referral:
        """Write the new referral under a short reference no other referral holds."""
        for _ in range(REFERENCE_DRAWS):
            referral = replace(made, reference=reference.new())
            try:
                self.store.referrals.create(referral, personal, patient_key)
                return referral
            except ReferenceTaken:
                continue
            except ConditionFailed as error:
                raise Conflict(self._duplicate(patient_key)) from error
        raise RuntimeError("no free short reference after several draws")

    def _duplicate(self, patient_key: str) -> str:
        """The conflict's words: which referral the patient already has (its reference and
        date only), so that the practice can find it."""
        active = self.store.referrals.active_for_patient(patient_key)
        item = self.store.referrals.get(active) if active else None
        if item is None or not item.reference:
            return DUPLICATE
        return f"{DUPLICATE}: {item.reference}, referred on {dates.day(item.created_at)}"

def parse_referral(body: Any) -> ReferralRequest:
    return parsing.parse(ReferralRequest, body, "The referral has errors: nothing was saved")


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
