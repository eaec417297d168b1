"""The coach's case record of one referral: the vocational profile, employer contacts, benefits
advice, notes, and the referral and job start as the coach sees them.

Everything a person wrote lives in the personal-data table beside the patient's details (so an
erasure removes it and no workflow function can read it), an item of a kind each
(domain/records/case.py: a contact's or a note's id from the request's Idempotency-Key).
Only the dates the outcome reports count go on the referral item (`employer_contact_dates`,
`benefits_advice_on`). The coach of the referral alone reads or writes it; every read leaves
one audit entry.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from workingbetter.adapters.dynamo import ConditionFailed, Event, Item, now_iso
from workingbetter.adapters.store import Store
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, NotFound, StaleEdit
from workingbetter.domain.human_steps import Awaiting
from workingbetter.domain.idempotency import KeyReused, fingerprint
from workingbetter.domain.records.case import CaseKey, CaseKind
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.domain.referral import COACH_FACTS_LISTED_UNTIL
from workingbetter.domain.text import LIST_MAX, Line, Paragraph
from workingbetter.services import communication_needs
from workingbetter.services.case_view import Record
from workingbetter.services.steps import parse_body

if TYPE_CHECKING:
    from workingbetter.services.communication_needs import Needs
    from workingbetter.settings import Settings  # pydantic-settings: only when read

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)

GOAL_STATUSES = ("not_started", "in_progress", "achieved", "stopped")
CONTACT_OUTCOMES = ("no_reply", "not_suitable", "information", "interview", "work_trial",
                    "job_offer")
ERASED = communication_needs.ERASED  # one sentence for every write refused after an erasure


def _not_future(day: date, name: str) -> None:
    if day > datetime.now(UTC).date():
        raise ValueError(f"{name}: The date cannot be in the future")


class Goal(BaseModel):
    model_config = _STRICT
    goal: Line
    status: Literal["not_started", "in_progress", "achieved", "stopped"] = "not_started"


class JobPreferences(BaseModel):
    model_config = _STRICT
    kind_of_work: Line | None = None
    hours: Line | None = None
    area: Line | None = None


class Profile(BaseModel):
    """The vocational profile, sent whole each time (the page edits it as one form)."""

    model_config = _STRICT
    work_history: Paragraph | None = None
    skills_and_qualifications: Paragraph | None = None
    job_preferences: JobPreferences = Field(default_factory=JobPreferences)
    barriers: Paragraph | None = None
    disclosure: Paragraph | None = None  # what they choose to tell employers
    goals: list[Goal] = Field(default_factory=list, max_length=LIST_MAX)
    confidence: int | None = Field(default=None, ge=1, le=10)  # today's, kept over time


class EmployerContact(BaseModel):
    model_config = _STRICT
    on: date
    kind_of_employer: Line
    outcome: Literal["no_reply", "not_suitable", "information", "interview", "work_trial",
                     "job_offer"]
    detail: Paragraph | None = None

    @model_validator(mode="after")
    def _past(self) -> EmployerContact:
        _not_future(self.on, "on")
        return self


class BenefitsAdvice(BaseModel):
    """Whether benefits advice was given, and when: never what about (it is never shared)."""

    model_config = _STRICT
    given: StrictBool
    on: date | None = None

    @model_validator(mode="after")
    def _dated(self) -> BenefitsAdvice:
        if self.given and self.on is None:
            raise ValueError("on: Enter the date the advice was given")
        if not self.given and self.on is not None:
            raise ValueError("on: Only give a date when advice was given")
        if self.on is not None:
            _not_future(self.on, "on")
        return self


class Note(BaseModel):
    model_config = _STRICT
    text: Paragraph


class NoteEdit(BaseModel):
    """A note's new text, and the version it was made from (GET …/notes): saved only if no one
    has saved the note since."""

    model_config = _STRICT
    text: Paragraph
    version: int = Field(ge=1)


def item_key(key: str | None) -> str:
    """A short id for an item from the request's key alone (a repeat finds the same item,
    whenever it comes and whatever it says); a new one without a key."""
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else uuid.uuid4().hex[:16]


def in_caseload(store: Store, principal: Principal, referral_id: str) -> Referral:
    """The referral, if it is in this coach's caseload (anything else answers 404, so ids
    cannot be probed): only its coach keeps its case record and follow-ups."""
    principal.require(Role.COACH)
    item = store.referrals.get(referral_id)
    if item is None or item.coach_id != principal.coach_id:
        raise NotFound("No referral with that id is in your caseload")
    return item


class CaseRecords:
    def __init__(self, store: Store, settings: Settings, needs: Needs) -> None:
        self.store = store
        self.settings = settings
        self.needs = needs

    def _mine(self, principal: Principal, referral_id: str) -> Referral:
        return in_caseload(self.store, principal, referral_id)

    def _live(self, item: Referral) -> None:
        if item.status.terminal:
            raise Conflict(f"This referral has ended ({item.status}): its case record can be "
                           "read but not changed")

    def read(self, principal: Principal, referral_id: str, purpose: str) -> Record:
        """The whole record: one audit entry, one Query of the personal-data table."""
        item = self._mine(principal, referral_id)
        return Record(item, self.store.case.read(referral_id, principal.actor, purpose))

    # -- writing ---------------------------------------------------------------------------

    def _put(self, key: CaseKey, fields: Item, replace: bool = False) -> bool:
        """Write a case item; True if it is new (False: a repeat of one already written)."""
        written = self.store.case.put(key, fields, replace)
        if written == "erased":
            raise Conflict(ERASED)
        return written == "written"

    def _keyed(self, key: CaseKey, request: BaseModel, fields: Item) -> bool:
        """Write a keyed request's item (its id from its key): True if it is new, False if the
        same request was written before (a repeat: nothing more to do); KeyReused if the key
        was used for a different request. The fingerprint stays with the item, so erasure
        takes it too."""
        sent = fingerprint(request)
        if self._put(key, {**fields, "request_hash": sent}):
            return True
        if self.store.case.request_hash(key) != sent:
            raise KeyReused
        return False

    def _fact(self, key: CaseKey, event: Event, **changes: Any) -> None:
        """The referral item's part of a change; if it cannot land, the case item is taken
        back so that a failed request leaves nothing behind."""
        try:
            self.store.referrals.add_fact(key.referral_id, event, **changes)
        except ConditionFailed as error:
            self.store.case.remove(key)
            raise Conflict("This referral has just ended: nothing was recorded") from error
        except Exception:
            self.store.case.remove(key)
            raise

    def change_communication_needs(self, principal: Principal, referral_id: str,
                                   body: Any) -> Item:
        """The coach records what the patient needs to communicate, as they learn it (the
        patient can change it too, from their own page)."""
        item = self._mine(principal, referral_id)
        self._live(item)
        self.needs.change(item, body, principal.actor, COACH_FACTS_LISTED_UNTIL)
        return {"referral_id": referral_id, "saved": "communication-needs"}

    def interpreter_arranged(self, principal: Principal, referral_id: str) -> Item:
        """The coach has arranged the interpreter for the first appointment: the patient is
        told of it now (once, however often this is posted)."""
        item = self._mine(principal, referral_id)
        self._live(item)
        self.needs.interpreter_arranged(item, principal.actor)
        return {"referral_id": referral_id, "saved": "interpreter-arranged"}

    def save_profile(self, principal: Principal, referral_id: str, body: Any) -> Item:
        item = self._mine(principal, referral_id)
        profile = parse_body(Profile, body)
        self._live(item)
        at, by = now_iso(), principal.actor
        fields = {**profile.model_dump(mode="json", exclude={"confidence"}), "at": at, "by": by}
        self._put(CaseKey(referral_id, CaseKind.PROFILE), fields, replace=True)
        if profile.confidence is not None:
            self._put(CaseKey(referral_id, CaseKind.CONFIDENCE, at),
                      {"at": at, "by": by, "score": profile.confidence})
        return {"referral_id": referral_id, "saved": "profile"}

    def add_contact(self, principal: Principal, referral_id: str, body: Any,
                    key: str | None) -> Item:
        item = self._mine(principal, referral_id)
        contact = parse_body(EmployerContact, body)
        self._live(item)
        on = contact.on.isoformat()
        written = CaseKey(referral_id, CaseKind.CONTACT, item_key(key))
        if self._keyed(written, contact, {**contact.model_dump(mode="json"), "at": now_iso(),
                                          "by": principal.actor}):
            self._fact(written, Event("employer_contact_recorded", principal.actor),
                       append=ReferralChange(employer_contact_dates=(on,)))
        return {"referral_id": referral_id, "contact_id": written.item_id}

    def record_benefits_advice(self, principal: Principal, referral_id: str,
                               body: Any) -> Item:
        item = self._mine(principal, referral_id)
        advice = parse_body(BenefitsAdvice, body)
        self._live(item)
        on = advice.on.isoformat() if advice.on else None
        self._put(CaseKey(referral_id, CaseKind.BENEFITS), {
            "given": advice.given, "on": on, "at": now_iso(), "by": principal.actor},
                  replace=True)
        event = Event("benefits_advice_recorded", principal.actor)
        # Replacing an answer: nothing to take back if the referral has ended meanwhile.
        try:
            self.store.referrals.add_fact(referral_id, event, ReferralChange(benefits_advice_on=on))
        except ConditionFailed as error:
            raise Conflict("This referral has just ended: nothing was recorded") from error
        return {"referral_id": referral_id, "given": advice.given, "on": on}

    def add_note(self, principal: Principal, referral_id: str, body: Any,
                 key: str | None) -> Item:
        item = self._mine(principal, referral_id)
        note = parse_body(Note, body)
        self._live(item)
        written = CaseKey(referral_id, CaseKind.CASE_NOTE, item_key(key))
        self._keyed(written, note, {"text": note.text, "at": now_iso(), "by": principal.actor,
                                    "version": 1})
        return {"referral_id": referral_id, "note_id": written.item_id}

    def edit_note(self, principal: Principal, referral_id: str, note_id: str,
                  body: Any) -> Item:
        item = self._mine(principal, referral_id)
        edit = parse_body(NoteEdit, body)
        self._live(item)
        edited = "missing" if len(note_id) > 100 else self.store.case.edit(
            CaseKey(referral_id, CaseKind.CASE_NOTE, note_id),
            {"text": edit.text, "edited_at": now_iso(), "edited_by": principal.actor},
            must_have="text", version=edit.version)
        if edited == "stale":
            raise StaleEdit("This note was changed since you opened it: nothing was saved. "
                            "It is as `current` shows now: merge your change into it and "
                            "save again with its version.",
                            self._note_now(principal, referral_id, note_id))
        if edited != "edited":
            raise NotFound("No note with that id on this referral")
        return {"referral_id": referral_id, "note_id": note_id, "version": edit.version + 1}

    def save_review_draft(self, principal: Principal, referral_id: str,
                          answers: dict[str, str]) -> None:
        """Keep the answers given so far to the review awaited, between its question pages.
        The draft lives with the case record, so erasure takes it, and it names the review it
        is for (the count of reviews done), so one left from an earlier review is never
        offered again."""
        item = self._mine(principal, referral_id)
        self._live(item)
        if item.awaiting != Awaiting.REVIEW:
            raise Conflict("No review is waiting to be recorded for this referral")
        self._put(CaseKey(referral_id, CaseKind.REVIEW_DRAFT), {
            "answers": answers, "review": item.reviews_done, "at": now_iso(),
            "by": principal.actor}, replace=True)

    def drop_review_draft(self, referral_id: str) -> None:
        """The review is recorded: its draft is done with."""
        self.store.case.remove(CaseKey(referral_id, CaseKind.REVIEW_DRAFT))

    def _note_now(self, principal: Principal, referral_id: str, note_id: str) -> Item:
        """The note's text and version as saved (a read of personal data: audited)."""
        purpose = "POST /referrals/{referral_id}/notes/{note_id} (changed meanwhile)"
        found = next((n for n in self.store.case.read(referral_id, principal.actor,
                                                      purpose).notes if n.note_id == note_id),
                     None)
        if found is None:
            raise NotFound("No note with that id on this referral")
        return {"text": found.text, "version": found.version}


# -- what the API answers --------------------------------------------------------------------


def profile_view(record: Record) -> Item:
    return {"profile": record.profile, "confidence": record.confidence_over_time}


def contacts_view(record: Record) -> list[Item]:
    return record.contacts


def notes_view(record: Record) -> list[Item]:
    written = {i.key.item_id: i.written for i in record.case.of(CaseKind.CASE_NOTE)}
    return [{"note_id": n.note_id, **written[n.note_id], "version": n.version}
            for n in sorted(record.notes, key=lambda n: n.at)]
