"""A referral as each role may read it: its scoped views, the lists of each role, and the
practice's searches by reference, NHS number or name and date of birth (intake is in
services/referrals.py, whose `Referrals` builds on this)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from workingbetter.adapters.dynamo import Item
from workingbetter.adapters.referral_lists import Listing
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import Workflow
from workingbetter.domain import (
    disclosure,
    finding,
    nhs_number,
    reference,
)
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.communication_needs import CommunicationNeed
from workingbetter.domain.errors import (
    BadRequest,
    FieldError,
    InvalidInput,
    NotFound,
)
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import (
    Referral,
)
from workingbetter.domain.referral import Status
from workingbetter.services import listing
from workingbetter.services.access import can_see, may_triage

if TYPE_CHECKING:
    from workingbetter.settings import Settings  # pydantic-settings: only when read


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


class Reading:
    """A referral as each role may read it, its lists and its searches."""

    def __init__(self, store: Store, workflow: Workflow, settings: Settings) -> None:
        self.store = store
        self.workflow = workflow
        self.settings = settings

    # -- reading ---------------------------------------------------------------------------

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

    def visible(self, principal: Principal, referral_id: str) -> Referral:
        """The referral, if the caller may see it: GET /referrals/{id}'s scope."""
        item = self.store.referrals.get(referral_id)
        if item is None or not (can_see(principal, item) or self._triages(principal, item)):
            # Off-scope records answer 404, like missing ones, so ids cannot be probed.
            raise NotFound("No referral with that id is visible to you")
        return item

    def details(self, principal: Principal, item: Referral,
                purpose: str) -> PersonalData | None:
        """The patient's details of a referral the caller may see (`visible`), for `purpose`:
        an audited read; None once erased."""
        return self.store.patients.read(item.referral_id, principal.actor, purpose)

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
        return [asdict(read) for read in self.store.audit.trail(referral_id, item.practice_ods,
                                                                item.created_at)]

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


