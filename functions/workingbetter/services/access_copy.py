"""The copy of what the service holds about one patient (UK GDPR Art. 15; the request and
producing it are services/subject_access.py): a list of sections, each built by one function
of `SECTIONS` from what was read for the patient (`Held`), in plain words. Every item of their
case record is given, whatever its kind: one of a kind this module does not know comes under
"Other records", so nothing held is left out. A new kind of record is one more function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workingbetter.adapters.dynamo import Item
from workingbetter.domain import dates, nhs_number
from workingbetter.domain.access_requests import VIA_WORDS
from workingbetter.domain.records.access import AccessRequest
from workingbetter.domain.records.audit import AuditRead
from workingbetter.domain.records.case import CaseItem, CaseKind
from workingbetter.domain.records.diary import FollowUp
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.timeline_words import timeline_words

ERASED = ("We hold no personal details about you: they were erased when you left Working "
          "Better, with your case record and notes.")


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    """One part of the copy: a summary list (`rows`), a table, or both; `empty` says in words
    that there is nothing of this kind."""

    key: str
    heading: str
    rows: tuple[Row, ...] = ()
    table: Table | None = None
    empty: str = ""

    def as_json(self) -> Item:
        return {"key": self.key, "heading": self.heading,
                "rows": [{"label": r.label, "value": r.value} for r in self.rows],
                "table": None if self.table is None else {
                    "columns": list(self.table.columns),
                    "rows": [list(r) for r in self.table.rows]},
                "empty": self.empty}


@dataclass(frozen=True)
class Copy:
    referral_id: str
    reference: str
    produced_at: str
    produced_by: str
    erased: bool
    sections: tuple[Section, ...]

    def as_json(self) -> Item:
        return {"referral_id": self.referral_id, "reference": self.reference,
                "produced_at": self.produced_at, "produced_by": self.produced_by,
                "erased": self.erased, "sections": [s.as_json() for s in self.sections]}


@dataclass(frozen=True)
class Held:
    """Everything read for one patient's copy, each part by this referral's id alone."""

    referral: Referral
    personal: PersonalData | None
    items: tuple[CaseItem, ...]  # the case record's items (the patient's details aside)
    follow_ups: list[FollowUp]
    messages: list[OutboxRow]
    reads: list[AuditRead]  # the audit trail: who read the record, when, why
    requests: list[AccessRequest]
    practice_name: str = ""
    coach_names: Mapping[str, str] = field(default_factory=dict)


def who(actor: str, held: Held) -> str:
    """The timeline's and the audit's actor, in words, naming staff as the audit does."""
    role, _, scope = actor.partition(":")
    if role == "patient":
        return "You"
    if role == "coach":
        name = held.coach_names.get(scope, "")
        return f"Coach {name} ({scope})" if name else f"Coach ({scope})"
    if role == "referrer":
        return f"Your GP surgery ({held.practice_name or scope})"
    return {"ops": "The Working Better operations team", "manager": "A service manager",
            "system": "The service, automatically"}.get(role, "The service, automatically")


def _when(value: Any) -> str:
    text = str(value or "")
    if not text:
        return ""
    try:
        return dates.day(text) if len(text) == 10 else dates.when(text)
    except ValueError:
        return text


# Stored fields whose values are codes: given in words ("in_progress" is "In progress").
CODED = {"status", "outcome", "mode", "decision", "kind", "exit_reason"}


def words(value: Any, name: str = "") -> str:
    """Any stored value in words: lists joined, maps as "name: value", codes in words."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping):
        return "; ".join(f"{label(k)}: {words(v, str(k))}" for k, v in value.items()
                         if words(v, str(k)))
    if isinstance(value, list | tuple):
        return "; ".join(w for w in (words(v, name) for v in value) if w)
    if name == "event":
        return timeline_words(str(value))
    return label(value) if name in CODED else str(value)


# What a read was for, when the audit names the route that read it.
READ_FOR = (("GET /coach", "To see your case record"), ("POST /coach", "To update your record"),
            ("GET /practice", "To see the surgery's referrals"),
            ("GET /referrals", "To see your referral"),
            ("POST /referrals", "To update your referral"), ("GET /ops", "To run the service"),
            ("GET /access-requests", "To give you a copy of what we hold"))


def read_for(purpose: str) -> str:
    return next((said for route, said in READ_FOR if purpose.startswith(route)), purpose)


LABELS = {"nhs_number": "NHS number", "given_name": "First name", "family_name": "Last name",
          "date_of_birth": "Date of birth", "contact_preference": "How we contact you",
          "at": "Written", "by": "By", "text": "Note", "on": "On", "edited_at": "Changed"}


def label(name: Any) -> str:
    text = str(name)
    return LABELS.get(text) or (text.replace("_", " ")[:1].upper() + text.replace("_", " ")[1:])


def _details(held: Held) -> Section | None:
    if held.personal is None:
        return None
    patient = held.personal.patient
    address = (", ".join([*patient.address.lines, patient.address.postcode])
               if patient.address else "")
    rows = [("Name", f"{patient.given_name} {patient.family_name}"),
            ("NHS number", nhs_number.display(patient.nhs_number)),
            ("Date of birth", dates.day(patient.date_of_birth)),
            ("Phone", patient.phone or ""), ("Email", patient.email or ""),
            ("Postal address", address),
            ("How we contact you", label(patient.contact_preference)),
            ("Health conditions", words([label(c) for c in held.personal.health_conditions])),
            ("Why your GP surgery referred you", held.personal.reason)]
    return Section("details", "Your details, as your GP surgery gave them",
                   tuple(Row(k, v) for k, v in rows if v))


def _needs(held: Held) -> Section | None:
    """Their communication needs (issue 24), in the words they were recorded in, and whether
    the practice may see them."""
    if held.personal is None:
        return None
    rows = [Row("Need", need.words) for need in held.personal.patient.communication_needs]
    shared = held.referral.share_needs_with_practice
    if shared is not None:
        rows.append(Row("Your GP surgery may see them", words(shared)))
    return Section("needs", "How you need information and support to communicate", tuple(rows),
                   empty="You have not told us of any")


def _referral(held: Held) -> Section:
    item = held.referral
    rows = [("Reference", item.reference or item.referral_id),
            ("Referred on", _when(item.created_at)),
            ("Referred by", f"Your GP surgery ({held.practice_name or item.practice_ods})"),
            ("Where it is now", label(item.status.value.lower())),
            ("Your coach", who(f"coach:{item.coach_id}", held) if item.coach_id else ""),
            ("Employment when referred", label(item.employment_status or "")),
            ("Sharing how you get on with your GP surgery",
             words(item.share_outcome_with_gp) if item.share_outcome_with_gp is not None
             else ""),
            ("Support started", _when(item.support_started_at)),
            ("Why support ended", label(item.exit_reason.value) if item.exit_reason else "")]
    return Section("referral", "Your referral", tuple(Row(k, v) for k, v in rows if v))


# The case record's kinds of item, in the order the copy gives them.
CASE_KINDS = {CaseKind.PROFILE: "Your profile: work, skills and goals",
              CaseKind.CONFIDENCE: "How confident you felt, over time",
              CaseKind.CONTACT: "Employers contacted for you",
              CaseKind.BENEFITS: "Benefits advice", CaseKind.CASE_NOTE: "Your coach's notes",
              CaseKind.STEP_NOTE: "Notes written with each step (reasons, goals, job starts)",
              CaseKind.REVIEW_DRAFT: "A review your coach is writing",
              CaseKind.OTHER: "Other records"}
_HIDDEN = {"version"}  # how often a note was saved: the service's count, not what was written


def _dated(name: str) -> bool:
    """A field holding a date or an instant, given in words (7 December 2026)."""
    return name in {"at", "on"} or name.endswith(("_at", "_on"))


def _case_record(held: Held) -> list[Section]:
    """Every item of the case record, field by field, grouped by kind; kinds not known here
    still appear (under "Other records"), so nothing held is left out of the copy."""
    sections = []
    for kind, heading in CASE_KINDS.items():
        found = sorted((i for i in held.items if i.key.kind is kind), key=lambda i: i.at)
        if not found:
            continue
        rows = tuple(Row(label(k), _when(v) if _dated(str(k)) else
                         who(str(v), held) if k in {"by", "edited_by"} else words(v, str(k)))
                     for item in found for k, v in item.written.items()
                     if k not in _HIDDEN and words(v, str(k)))
        sections.append(Section(f"case-{kind.value.lower()}", heading, rows))
    return sections


def _appointments(held: Held) -> Section:
    rows: list[tuple[str, ...]] = []
    first = held.referral.appointment
    if first is not None:
        rows.append((dates.long_when(first.start), "First appointment, at your GP surgery",
                     label(first.outcome or "booked")))
    rows += [(dates.long_when(f.start), f"Follow-up ({label(f.mode or 'appointment')})",
              label(f.outcome or "booked")) for f in held.follow_ups]
    return Section("appointments", "Your appointments",
                   table=Table(("When", "What", "What happened"), tuple(rows)) if rows else None,
                   empty="" if rows else "No appointments were booked.")


AUDIENCE = {"patient": "to you", "coach": "to your coach", "practice": "to your GP surgery",
            "ops": "to the operations team"}


def _messages(held: Held) -> Section:
    # Three columns, so the table fits a phone's screen (375 px).
    rows = tuple((_when(m.sent_at or m.due_at),
                  f"{label(m.kind.value)} ({AUDIENCE.get(m.kind.audience, 'to the service')})",
                  f"{label(m.channel.value)}: {label(m.state.value).lower()}")
                 for m in held.messages)
    return Section("messages", "Messages sent about you, and whether they arrived",
                   table=Table(("When", "About, and to whom", "How, and what happened"), rows)
                   if rows else None, empty="" if rows else "No messages were sent.")


def _timeline(held: Held) -> Section:
    rows = tuple((_when(e.at), timeline_words(e.event), who(e.by, held))
                 for e in held.referral.timeline)
    return Section("timeline", "What happened, step by step",
                   table=Table(("When", "What", "Who"), rows))


def _reads(held: Held) -> Section:
    rows = tuple((_when(r.at), who(r.actor, held), read_for(r.purpose))
                 for r in held.reads)
    return Section("reads", "Who looked at your record, and when",
                   table=Table(("When", "Who", "Why"), rows) if rows else None,
                   empty="" if rows else "No one has looked at your record.")


def _requests(held: Held) -> Section:
    rows = tuple((dates.day(r.received_on), VIA_WORDS[r.via],
                  dates.day(r.due_on), _when(r.fulfilled_at) or "Not yet")
                 for r in held.requests)
    return Section("requests", "Your requests for a copy of your information",
                   table=Table(("Received", "How", "Due by", "Given"), rows)
                   if rows else None, empty="" if rows else "None.")


def _one(build: Callable[[Held], Section | None]) -> Callable[[Held], list[Section]]:
    return lambda held: [s for s in [build(held)] if s is not None]


# The copy's sections in order: one function from Held to its Section.
SECTIONS: Sequence[Callable[[Held], list[Section]]] = (
    _one(_details), _one(_needs), _one(_referral), _case_record, _one(_appointments),
    _one(_messages), _one(_timeline), _one(_reads), _one(_requests))


def copy_of(held: Held, produced_at: str, produced_by: str) -> Copy:
    """The copy: every section; once the details are erased, only that they are gone."""
    item = held.referral
    reference = item.reference or item.referral_id
    if held.personal is None:
        return Copy(item.referral_id, reference, produced_at, produced_by, True,
                    (Section("erased", "What we hold about you", empty=ERASED),))
    return Copy(item.referral_id, reference, produced_at, produced_by, False,
                tuple(s for build in SECTIONS for s in build(held)))


