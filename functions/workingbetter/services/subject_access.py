"""A patient's right of access (UK GDPR Art. 15): their request for a copy of what the service
holds about them, and producing the copy (docs/right-of-access.md).

A request comes from the patient's own page, or is recorded by their coach or a service manager
when it came another way; it holds ids, dates and enums only, and is due one calendar month
after it was received (domain/access_requests.py). Ops list the open ones.

The copy (services/access_copy.py) gathers everything held about the one patient across
both tables, each row looked up by this referral's id alone. Producing it is a read of
personal data (audited) and fulfils the referral's open request.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from workingbetter.adapters.access_requests import AccessRequests
from workingbetter.adapters.dynamo import Item, now_iso
from workingbetter.adapters.store import Store
from workingbetter.domain import dates
from workingbetter.domain.access_requests import SendBy, Via, due_on
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import NotFound
from workingbetter.domain.records.access import AccessRequest
from workingbetter.domain.records.case import CaseFile
from workingbetter.domain.records.referral import Referral
from workingbetter.services.access_copy import Copy, Held, copy_of
from workingbetter.services.case_record import in_caseload
from workingbetter.services.steps import parse_body

PATIENT = "patient"
PURPOSE = "a copy of what is held, for the patient (right of access)"


# -- the request ----------------------------------------------------------------------------


class RecordedRequest(BaseModel):
    """A request made another way (phone, letter, in person, email), as staff record it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    received_on: date
    via: Literal["phone", "letter", "in_person", "email"]
    send_by: Literal["post", "email"]

    @field_validator("received_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > dates.today():
            raise ValueError("The date the request was received cannot be in the future")
        return value


def new_request(referral_id: str, received: date, via: Via, send_by: SendBy,
                by: str) -> AccessRequest:
    at = now_iso()
    return AccessRequest(referral_id, f"{at[:19].replace(':', '')}-{uuid.uuid4().hex[:6]}",
                         received.isoformat(), due_on(received).isoformat(), via, send_by,
                         at, by)


def request_view(request: AccessRequest) -> Item:
    """What the API answers of a request (ids, dates, enums: no one's details)."""
    return {"referral_id": request.referral_id, "request_id": request.request_id,
            "received_on": request.received_on, "due_on": request.due_on,
            "via": str(request.via), "send_by": str(request.send_by),
            "recorded_at": request.recorded_at, "recorded_by": request.recorded_by,
            "fulfilled_at": request.fulfilled_at, "fulfilled_by": request.fulfilled_by,
            "overdue": request.open and request.due_on < dates.today().isoformat()}


# -- the service ----------------------------------------------------------------------------


class SubjectAccess:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.requests = AccessRequests(store)

    def _in_scope(self, principal: Principal, referral_id: str) -> Referral:
        """A manager may act for any patient; a coach for their own clients (404 otherwise,
        so ids cannot be probed); no one else."""
        principal.require(Role.COACH, Role.MANAGER)
        if Role.MANAGER in principal.roles:
            item = self.store.referrals.get(referral_id)
            if item is None:
                raise NotFound("No referral with that id")
            return item
        return in_caseload(self.store, principal, referral_id)

    def ask_from_link(self, item: Referral, send_by: SendBy) -> tuple[AccessRequest, bool]:
        """The patient's own request from their page (the link is their key)."""
        return self._add(new_request(item.referral_id, dates.today(), Via.PATIENT_PAGE,
                                     send_by, PATIENT))

    def record(self, principal: Principal, referral_id: str,
               body: Any) -> tuple[AccessRequest, bool]:
        """A request made another way, recorded by the patient's coach or a manager."""
        item = self._in_scope(principal, referral_id)
        asked = parse_body(RecordedRequest, body)
        return self._add(new_request(item.referral_id, asked.received_on, Via(asked.via),
                                     SendBy(asked.send_by), principal.actor))

    def _add(self, request: AccessRequest) -> tuple[AccessRequest, bool]:
        """Kept whether or not the referral has ended (a request often comes after): the
        request is its own record of who made or recorded it, and when."""
        return self.requests.add(request)

    def open_for(self, referral_id: str) -> AccessRequest | None:
        return self.requests.open_for(referral_id)

    def of_referral(self, principal: Principal, referral_id: str) -> list[AccessRequest]:
        return self.of_referral_with_it(principal, referral_id)[1]

    def of_referral_with_it(self, principal: Principal,
                            referral_id: str) -> tuple[Referral, list[AccessRequest]]:
        """The referral (in the asker's scope: 404 otherwise) and its requests."""
        item = self._in_scope(principal, referral_id)
        return item, self.requests.for_referral(referral_id)

    def who_produces(self, principal: Principal,
                     referral_ids: list[str]) -> tuple[dict[str, str], dict[str, str | None]]:
        """For ops and managers: each referral's short reference, and its coach (an id, as the
        audit names staff), who produces the copy."""
        principal.require(Role.OPS, Role.MANAGER)
        coaches = {i: item.coach_id for i in referral_ids
                   if (item := self.store.referrals.get(i)) is not None}
        return self.store.lists.references(referral_ids), coaches

    def still_open(self, principal: Principal) -> list[AccessRequest]:
        """Every open request, soonest due first: ids and dates, for ops and managers."""
        principal.require(Role.OPS, Role.MANAGER)
        return self.requests.still_open()

    def produce(self, principal: Principal, referral_id: str) -> Copy:
        """The copy, read with one audit entry, fulfilling the referral's open request."""
        item = self._in_scope(principal, referral_id)
        case = self.store.case.read(referral_id, principal.actor, PURPOSE)
        at = now_iso()
        open_request = self.requests.open_for(referral_id)
        if open_request is not None:
            self.requests.fulfil(open_request, at, principal.actor)
        return copy_of(self._held(item, case), at, principal.actor)

    def _held(self, item: Referral, case: CaseFile) -> Held:
        diary = self.store.diary
        follow_ups = [f for f in diary.follow_ups(str(item.coach_id), item.created_at[:19],
                                                       "9999")
                      if f.referral_id == item.referral_id] if item.coach_id else []
        practice = self.store.directory.practice(item.practice_ods)
        coach_ids = sorted({a.removeprefix("coach:") for a in _actors(item)
                            if a.startswith("coach:")} | ({item.coach_id} if item.coach_id
                                                          else set()))
        return Held(item, case.patient, case.items, follow_ups, self.store.outbox.for_referral(
            item.referral_id), self.store.audit.trail(item.referral_id, item.practice_ods,
                                                      item.created_at),
            self.requests.for_referral(item.referral_id),
            practice.name if practice else "",
            {c.coach_id: c.name for c in self.store.directory.coaches(coach_ids)})


def _actors(item: Referral) -> set[str]:
    return {e.by for e in item.timeline}
