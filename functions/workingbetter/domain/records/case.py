"""The coach's case record of one referral, as the personal-data table holds it beside the
patient's details: items of a few kinds, each written whole by one request (the words a person
wrote: personal data). The adapter (adapters/case_items.py) reads an item's kind from its key
and decodes what the service reads of it into the typed parts of `CaseFile`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workingbetter.domain.records.patient import PersonalData


class CaseKind(StrEnum):
    """The kinds of item in a case record, in the order the patient's copy gives them."""

    PROFILE = "PROFILE"  # the vocational profile, one, replaced whole
    CONFIDENCE = "CONFIDENCE"  # a confidence score, one an answer
    CONTACT = "CONTACT"  # an employer contacted, one a request
    BENEFITS = "BENEFITS"  # whether benefits advice was given, one, replaced
    CASE_NOTE = "CASENOTE"  # the coach's own note, editable
    STEP_NOTE = "NOTE"  # written with a step: a reason, a review's goals, a job's employer
    REVIEW_DRAFT = "REVIEWDRAFT"  # the answers so far to the review awaited
    OTHER = "OTHER"  # a kind this code does not know: still given in the patient's copy


@dataclass(frozen=True, slots=True)
class CaseKey:
    """Where a case item is: its referral, its kind, and its id within its kind ("" for a
    kind that has one item)."""

    referral_id: str
    kind: CaseKind
    item_id: str = ""


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One item of the case record: every field as it was written (the request's JSON, as the
    API answers it and the copy gives it), less the keys and the request's fingerprint."""

    key: CaseKey
    at: str
    written: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Confidence:
    """A confidence score (1 to 10), from the profile or a review."""

    at: str
    score: int


@dataclass(frozen=True, slots=True)
class StepNote:
    """What a step wrote beside the case record (its free text is in the item's `written`)."""

    at: str
    event: str = ""
    employer: str | None = None  # a job start's
    role: str | None = None
    goals: tuple[str, ...] = ()  # a review's
    confidence: int | None = None


@dataclass(frozen=True, slots=True)
class CaseNote:
    """The coach's own note: its text and the version each save moves on (1 for a note from
    before versions)."""

    note_id: str
    at: str
    text: str
    version: int = 1
    edited_at: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    """The answers given so far to a review, and which review (the count of reviews done)."""

    review: int
    answers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ProfileGoal:
    goal: str
    status: str = "not_started"


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A referral's personal-data items, read in one Query: the patient's details (None once
    erased), every case item in key order, and what the service reads of some, typed."""

    patient: PersonalData | None
    items: tuple[CaseItem, ...] = ()
    profile_goals: tuple[ProfileGoal, ...] = ()
    confidence: tuple[Confidence, ...] = ()
    step_notes: tuple[StepNote, ...] = ()
    notes: tuple[CaseNote, ...] = ()
    review_draft: ReviewDraft | None = None

    def of(self, kind: CaseKind) -> tuple[CaseItem, ...]:
        return tuple(i for i in self.items if i.key.kind is kind)

    def one(self, kind: CaseKind) -> CaseItem | None:
        return next(iter(self.of(kind)), None)
