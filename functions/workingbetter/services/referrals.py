"""Referral intake and the scoped views of a referral.

Intake writes the workflow item (ids and enums), the personal-data item and the
one-active-referral marker together, then starts the run with {"referral_id": ...} only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import ConditionFailed, Item, ReferenceTaken, now_iso
from workingbetter.adapters.referral_lists import Listing
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import Workflow
from workingbetter.domain import (
    bands,
    dates,
    disclosure,
    finding,
    idempotency,
    nhs_number,
    parsing,
    reference,
)
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.communication_needs import CommunicationNeed, kinds_of
from workingbetter.domain.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.practices import not_taking
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import (
    Referral,
    ReferralChange,
    StoredTriageFacts,
    TimelineEvent,
)
from workingbetter.domain.referral import Status
from workingbetter.domain.triage import facts_for
from workingbetter.notifications.notices import Notices
from workingbetter.observability import count
from workingbetter.services import listing
from workingbetter.services.access import can_see, may_triage
from workingbetter.services.intake import ReferralRequest

DUPLICATE = "This patient already has an active referral to Working Better"
REFERENCE_DRAWS = 5  # 35 random bits: a second draw is already rare

# What a list reads of each referral: what its summary shows (and whether it has stalled).
SUMMARY_FIELDS = ("referral_id", "reference", "status", "awaiting", "practice_ods", "coach_id",
                  "appointment", "exit_reason", "created_at", "updated_at", "attention",
                  "task_token")
# A practice's lists also say whether the patient's details are still held, and read what
# the practice may see of each referral (domain/disclosure.py: the consent and the timeline).
PRACTICE_FIELDS = (*SUMMARY_FIELDS, "personal_data_erased", "share_outcome_with_gp", "timeline")
# The coach's page also works out when each step is due, from the timeline.
CASELOAD_FIELDS = (*SUMMARY_FIELDS, "timeline", "personal_data_erased", "employment_status")


@dataclass(frozen=True)
class PracticeList:
    """A page of a practice's referrals and their patients' details (erased ones absent)."""

    page: listing.Page
    patients: dict[str, PersonalData]


NOT_A_SEARCH = ("Enter a reference, like WB-7KQ4-M2XP, or a 10-digit NHS number. To find a "
                "patient by name, use their name and date of birth below")


@dataclass(frozen=True)
class NameSearch:
    """What reception staff type to find a patient: a name, and a date of birth as the three
    inputs of a GOV.UK date input."""

    name: str
    day: str
    month: str
    year: str


@dataclass(frozen=True)
class Caseload:
    """A page of a coach's referrals, and the practice they (and their patients) are at."""

    page: listing.Page
    practice_ods: str | None
    places_taken: int = 0  # the coach's caseload counter, read with their practice
    cap: int = 0  # their caseload cap (scaled by the days they work)

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
        Notices.of(self.store, self.settings).received(referral)
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

    def resolve(self, given: str) -> str:
        """A referral's id from its id or its short reference, however it was typed; an
        unknown reference answers 404 like an unknown id."""
        code = reference.normalise(given)
        if code is None:
            return given
        found = self.store.referrals.id_for(code)
        if found is None:
            raise NotFound("No referral with that reference is visible to you")
        return found

    # -- reading ---------------------------------------------------------------------------

    def visible(self, principal: Principal, referral_id: str) -> Referral:
        """The referral, if the caller may see it: GET /referrals/{id}'s scope."""
        item = self.store.referrals.get(referral_id)
        if item is None or not (can_see(principal, item) or self._triages(principal, item)):
            # Off-scope records answer 404, like missing ones, so ids cannot be probed.
            raise NotFound("No referral with that id is visible to you")
        return item

    def get(self, principal: Principal, referral_id: str) -> Item:
        item = self.visible(principal, referral_id)
        personal = None
        if principal.role in (Role.REFERRER, Role.COACH) and not item.personal_data_erased:
            personal = self.store.patients.read(referral_id, principal.actor,
                                                     "GET /referrals/{referral_id}")
        return view(principal, item, personal)

    def summary(self, principal: Principal, given: str) -> Item:
        """A referral's summary (no personal data, so no audit record), by id or reference."""
        item = self.store.referrals.get(self.resolve(given))
        if item is None or not can_see(principal, item):
            raise NotFound("No referral with that id is visible to you")
        return view(principal, item, None, summary=True)

    def audit(self, principal: Principal, referral_id: str) -> list[Item]:
        """Who read this referral's personal data, when and through which route (ops only)."""
        principal.require(Role.OPS)
        item = self.store.referrals.get(referral_id)
        if item is None:
            raise NotFound("No referral with that id")
        return self.store.audit.trail(referral_id, item.practice_ods,
                                      item.created_at)

    def listed(self, principal: Principal, params: Mapping[str, str]) -> Item:
        """GET /referrals: a page of what the caller may see, newest first."""
        fields = PRACTICE_FIELDS if principal.role is Role.REFERRER else SUMMARY_FIELDS
        page = self.page(principal, listing.parse(params), fields)
        return {"items": [view(principal, item, None, summary=True) for item in page.items],
                "next": page.next, "previous": page.previous}

    def page(self, principal: Principal, request: listing.ListRequest,
             fields: Sequence[str] = ()) -> listing.Page:
        """A page of raw items in the caller's scope: a practice's referrals, a coach's
        (with those awaiting triage at their practice), or every one for ops. A practice
        outside the caller's scope lists nothing."""
        principal.require(Role.OPS, Role.REFERRER, Role.COACH)
        statuses, practice = _statuses(principal, request), request.practice_ods
        listings: list[Listing] = []
        if principal.role is Role.OPS:
            listings = [Listing.practice(practice, s) if practice else Listing.everyone(s)
                        for s in statuses]
        elif principal.role is Role.REFERRER:
            if practice in (None, principal.practice_ods):
                listings = [Listing.practice(str(principal.practice_ods), s) for s in statuses]
        else:
            coach_id = str(principal.coach_id)
            at = self._practice_of(coach_id)
            if practice in (None, at):
                listings = [Listing.coach(coach_id, s) for s in statuses]
                if at and request.stage in (None, Status.AWAITING_TRIAGE_DECISION):
                    listings.append(Listing.practice(at, Status.AWAITING_TRIAGE_DECISION))
        return self._read(principal, listings, request, fields, "list", request.stage, practice)

    def ops_page(self, principal: Principal, request: listing.ListRequest,
                 fields: Sequence[str], coach_id: str | None = None,
                 attention: bool = False) -> listing.Page:
        """The ops console's list: flagged for attention, or one coach's, one practice's or
        everyone's (each by status if asked): one index partition each, a page at a time."""
        principal.require(Role.OPS)
        statuses, practice = _statuses(principal, request), request.practice_ods
        if attention:
            chosen = [Listing.attention()]
        elif coach_id:
            chosen = [Listing.coach(coach_id, s) for s in statuses]
        else:
            chosen = [Listing.practice(practice, s) if practice else Listing.everyone(s)
                      for s in statuses]
        return self._read(principal, chosen, request, fields, "ops", request.stage, practice,
                          coach_id, attention)

    def caseload(self, principal: Principal, request: listing.ListRequest) -> Caseload:
        """The coach's page: their live referrals and those awaiting triage at their practice,
        with the patients' details read in one batch under one audit record."""
        principal.require(Role.COACH)
        coach_id = str(principal.coach_id)
        coach = self.store.directory.coach(coach_id)
        at = coach.practice_ods if coach else None
        listings = [Listing.caseload(coach_id)]
        listings += [Listing.practice(ods, Status.AWAITING_TRIAGE_DECISION)
                     for ods in (coach.practices if coach else ())]
        return Caseload(self._read(principal, listings, request, CASELOAD_FIELDS, "caseload"),
                        at, coach.active if coach else 0,
                        coach.cap(self.settings.caseload_cap) if coach else 0)

    def practice_list(self, principal: Principal, request: listing.ListRequest,
                      search: str = "") -> PracticeList:
        """The practice's page: a page of its referrals (or those a reference or NHS number
        finds), with the patients' details read in one batch under one audit record."""
        principal.require(Role.REFERRER)
        practice = str(principal.practice_ods)
        found = self._search(principal, search) if search else \
            self.page(principal, request, PRACTICE_FIELDS)
        ids = [i.referral_id for i in found.items if not i.personal_data_erased]
        return PracticeList(found, self.store.patients.for_page(
            ids, practice, principal.actor, "POST /practice" if search else "GET /practice"))

    def find_by_name(self, principal: Principal, search: NameSearch) -> PracticeList:
        """The practice's referrals of a patient with this name and date of birth. The index
        gives those born that day at the practice; their details are read under one audit
        record naming each (the names must be read to be compared) and those whose name
        matches are shown. Nothing typed is stored or logged."""
        principal.require(Role.REFERRER)
        practice = str(principal.practice_ods)
        errors = [] if finding.name_key(search.name) else \
            [FieldError("name", finding.NAME_NEEDED)]
        try:
            born = finding.typed_date(search.day, search.month, search.year)
        except ValueError as error:
            errors.append(FieldError("date_of_birth", str(error)))
        if errors:
            raise InvalidInput("Enter a name and a date of birth", errors)
        key = finding.birth_key(practice, born, self.settings.hash_key())
        candidates = [i for i in self.store.lists.born_on(key, PRACTICE_FIELDS)
                      if i.practice_ods == practice and not i.personal_data_erased]
        read = self.store.patients.for_page(
            [i.referral_id for i in candidates], practice, principal.actor,
            "POST /practice (name and date of birth)")
        found = {r: p for r, p in read.items()
                 if finding.name_matches(search.name, p.patient.given_name,
                                         p.patient.family_name)}
        return PracticeList(listing.Page([i for i in candidates if i.referral_id in found]),
                            found)

    def _search(self, principal: Principal, search: str) -> listing.Page:
        """The practice's referrals with this reference, or for this NHS number (found by its
        keyed hash: the number itself is stored nowhere but the personal data)."""
        code = reference.normalise(search)
        if code is not None:
            found = self.store.referrals.id_for(code)
            item = self.store.referrals.get(found) if found else None
            return listing.Page([item] if item and can_see(principal, item) else [])
        if nhs_number.problem(search) is None:
            key = nhs_number.keyed_hash(search, self.settings.hash_key())
            return listing.Page(self.store.lists.for_patient(
                str(principal.practice_ods), key, PRACTICE_FIELDS))
        raise InvalidInput(NOT_A_SEARCH, [FieldError("q", NOT_A_SEARCH)])

    def patients(self, principal: Principal, caseload: Caseload, also: Iterable[str],
                 purpose: str) -> dict[str, PersonalData]:
        """The personal data of the referrals on a coach's page (and `also`, ids of their own
        caseload the page names), keyed by referral id: one audit record, one batch read."""
        principal.require(Role.COACH)
        shown = {i.referral_id: i for i in caseload.page.items}
        ids = [r for r, item in shown.items() if not item.personal_data_erased]
        ids += [r for r in dict.fromkeys(also) if r not in shown]
        if not ids or caseload.practice_ods is None:
            return {}
        return self.store.patients.for_page(ids, caseload.practice_ods, principal.actor,
                                                 purpose)

    def _read(self, principal: Principal, listings: list[Listing],
              request: listing.ListRequest, fields: Sequence[str], *names: Any) -> listing.Page:
        cursors = listing.Cursors.derived_from(self.settings.hash_key())
        bound = listing.bound_to(principal.actor, *names)
        if not listings:  # nothing in scope: still refuse a bad cursor
            if request.cursor:
                cursors.decode(request.cursor, bound)
            return listing.Page([])
        return listing.read_page(self.store, listings, request, cursors, bound, fields)

    def _practice_of(self, coach_id: str) -> str | None:
        coach = self.store.directory.coach(coach_id)
        return None if coach is None else coach.practice_ods

    def _triages(self, principal: Principal, item: Referral) -> bool:
        """A coach may see (and decide) referrals awaiting triage at their own practice."""
        return item.awaiting is Awaiting.TRIAGE_DECISION and \
            may_triage(self.store, principal, item)

    def practices(self) -> list[Item]:
        return [
            {"practice_ods": p.practice_ods, "name": p.name,
             "sessions": [{"coach_id": s.coach_id, "weekday": s.weekday}
                          for s in p.sessions]}
            for p in sorted(self.store.directory.practices(), key=lambda p: p.name)
        ]


def _statuses(principal: Principal, request: listing.ListRequest) -> tuple[Status | None, ...]:
    """The statuses a list's filter reads: a practice filters by what it sees of every
    referral (domain/disclosure.py), so never by a status consent may hide."""
    try:
        return disclosure.statuses_for_filter(request.stage, principal.role is Role.REFERRER)
    except ValueError as error:
        raise BadRequest("The list cannot be read as asked",
                         [FieldError("status", str(error))]) from error


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


# -- scoping and views ---------------------------------------------------------------------


def needs_json(needs: Iterable[CommunicationNeed]) -> list[Item]:
    """The needs as the API takes them (so a reader can send them back changed)."""
    return [{"need": str(n.need), **({"language": n.language} if n.language else {}),
             **({"detail": n.detail} if n.detail else {})} for n in needs]


def view(principal: Principal, item: Referral, personal: PersonalData | None,
         summary: bool = False) -> Item:
    """What each role may see of a referral: ops never personal data, referrers no coach notes
    and, unless the patient agreed, nothing of how they are getting on (domain/disclosure.py)."""
    referrer = principal.role is Role.REFERRER
    seen = disclosure.seen_by(principal.role, item)
    appointment = seen.appointment
    result: Item = {
        "referral_id": item.referral_id,
        "reference": item.reference,
        "status": seen.stage,
        "awaiting": seen.awaiting,
        "practice_ods": item.practice_ods,
        "coach_id": item.coach_id,
        "appointment": {"start": appointment.start, "practice_ods": appointment.practice_ods}
        if appointment else None,
        "exit_reason": seen.exit_reason,
        "created_at": item.created_at,
        "updated_at": seen.updated_at,
        "fhir": {"service_request": seen.service_request_status, "task": seen.task_status},
        "stalled": item.stopped,
    }
    if referrer:
        result["outcome_shared"] = seen.outcome_shared
    if principal.role is Role.OPS:
        result["attention"] = item.attention
    if summary:
        return result
    if referrer:
        result["timeline"] = [{"at": e.at, "event": e.event} for e in seen.timeline]
    else:
        result["timeline"] = [
            {"at": e.at, "event": e.event, "by": e.by,
             **({"detail": e.detail} if e.detail else {})}
            for e in seen.timeline
        ]
    if personal is not None and principal.role is not Role.OPS:
        patient = personal.patient
        result["patient"] = {
            "given_name": patient.given_name,
            "family_name": patient.family_name,
            "nhs_number": nhs_number.display(patient.nhs_number),
        }
        if disclosure.needs_seen_by(principal.role, item):
            result["patient"]["communication_needs"] = needs_json(patient.communication_needs)
        if principal.role is Role.COACH:
            address = patient.address
            result["patient"].update({
                "date_of_birth": patient.date_of_birth, "phone": patient.phone,
                "email": patient.email, "contact_preference": patient.contact_preference,
                "address": {"lines": list(address.lines), "postcode": address.postcode}
                if address else None})
            result["health_conditions"] = list(personal.health_conditions)
            result["reason"] = personal.reason
    return result


