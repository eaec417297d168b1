"""Every key of the service's two tables, in one place (the store's and the outbox's).

The workflow table keys items by `pk`/`sk`; the personal-data table by `referral_id`/`sk`.
The list indexes' keys (see `store.Listing` and template.yaml) are built here too.
"""

from __future__ import annotations

from typing import Any

from workingbetter.domain.records.case import CaseKey, CaseKind

Key = dict[str, Any]

LATEST = "REFERRAL"  # every referral is in Latest under this ops_pk
ATTENTION = "ATTENTION"  # flagged ones are in ByAttention under this attention_pk
COUNT = "COUNT"  # pk of the counter items, one per row of ops's status table
PATIENT = "PATIENT"  # sk of the patient's details in the personal-data table
# The outbox's ByDue partitions (its `due_pk`).
SCHEDULED, FAILED, TASKS, UNDELIVERED = "SCHEDULED", "FAILED", "TASK#", "UNDELIVERED"
_REFERRAL = "REFERRAL#"
_WAITLIST = "WAITLIST#"
_NOTIFICATION = "NOTIFICATION#"


def referral(referral_id: str) -> Key:
    return {"pk": f"{_REFERRAL}{referral_id}", "sk": "REFERRAL"}


def referral_of(pk: str) -> str:
    """The referral id in a referral item's pk."""
    return pk.removeprefix(_REFERRAL)


def reference(code: str) -> Key:
    """The claim on a short reference, and how a reference finds its referral."""
    return {"pk": f"REF#{code}", "sk": "REF"}


def withdraw_link(referral_id: str) -> Key:
    return {"pk": f"{_REFERRAL}{referral_id}", "sk": "WITHDRAW_LINK"}


def link_actions(referral_id: str) -> Key:
    """The count of what the patient's link did in its current hour."""
    return {"pk": f"{_REFERRAL}{referral_id}", "sk": "LINK_ACTIONS"}


def notification(referral_id: str, notification_id: str) -> Key:
    return {"pk": f"{_REFERRAL}{referral_id}", "sk": f"{_NOTIFICATION}{notification_id}"}


def notifications_of(referral_id: str) -> tuple[str, str]:
    """The pk and sk prefix of a referral's outbox rows."""
    return f"{_REFERRAL}{referral_id}", _NOTIFICATION


def tasks(coach_id: str) -> str:
    """The ByDue partition of a coach's tasks."""
    return f"{TASKS}{coach_id}"


def personal(referral_id: str) -> Key:
    """The patient's details: the first of a referral's personal-data items (notes follow)."""
    return {"referral_id": referral_id, "sk": PATIENT}


def case_item(key: CaseKey) -> Key:
    """A case-record item: its kind, then its id within its kind ("PROFILE", "CONTACT#<id>")."""
    sk = f"{key.kind}#{key.item_id}" if key.item_id else str(key.kind)
    return {"referral_id": key.referral_id, "sk": sk}


def case_key_of(referral_id: str, sk: str) -> CaseKey:
    """Where a case-record item is, from its sort key (one of a kind not known: OTHER)."""
    prefix, _, item_id = sk.partition("#")
    if prefix in set(CaseKind) - {CaseKind.OTHER}:
        return CaseKey(referral_id, CaseKind(prefix), item_id)
    return CaseKey(referral_id, CaseKind.OTHER, sk)


def patient_marker(patient_key: str) -> Key:
    """The one-active-referral marker of a patient (by the keyed hash of their NHS number)."""
    return {"pk": f"PATIENT#{patient_key}", "sk": "ACTIVE"}


def coach(coach_id: str) -> Key:
    return {"pk": f"COACH#{coach_id}", "sk": "COACH"}


COACHES = "COACHES"  # pk of the coaches' list: an item per coach, keyed by their id


def coach_listed(coach_id: str) -> Key:
    """A coach's line in the coaches' list (the manager's page lists them all)."""
    return {"pk": COACHES, "sk": coach_id}


def calendar_link(key_hash: str) -> Key:
    """A coach's calendar link, by the SHA-256 of its secret (the secret is never stored)."""
    return {"pk": f"CALENDAR#{key_hash}", "sk": "CALENDAR"}


PRACTICES = "PRACTICE"  # pk of the practices' items


def practice(practice_ods: str) -> Key:
    return {"pk": PRACTICES, "sk": practice_ods}


def slots(coach_id: str) -> str:
    """The pk of a coach's diary: one item per held time, keyed by its start."""
    return f"SLOT#{coach_id}"


def slot(coach_id: str, start_iso: str) -> Key:
    return {"pk": slots(coach_id), "sk": start_iso}


def follow_ups(coach_id: str) -> str:
    return f"FOLLOWUP#{coach_id}"


def follow_up(coach_id: str, start_iso: str, referral_id: str) -> Key:
    return {"pk": follow_ups(coach_id), "sk": f"{start_iso}#{referral_id}"}


def audit(referral_id: str) -> str:
    return f"AUDIT#{referral_id}"


def practice_audit(practice_ods: str) -> str:
    """Page views at a practice, each naming many referrals."""
    return f"AUDIT#PRACTICE#{practice_ods}"


def erased(request_hash: str) -> Key:
    return {"pk": f"ERASED#{request_hash}", "sk": "ERASED"}


def counter(bucket: str) -> Key:
    return {"pk": COUNT, "sk": bucket}


# -- the list indexes' keys ----------------------------------------------------------------


def practice_partition(practice_ods: str) -> str:
    return f"PRACTICE#{practice_ods}"


def coach_partition(coach_id: str) -> str:
    return f"COACH#{coach_id}"


def waitlist(practice_ods: str) -> str:
    return f"{_WAITLIST}{practice_ods}"


def waitlisted_at(waitlist_pk: str | None) -> str | None:
    """The practice whose waitlist a referral is on."""
    return waitlist_pk.removeprefix(_WAITLIST) if waitlist_pk else None


def listed(practice_ods: str, created_at: str, status: str) -> Key:
    """The list keys a referral is made with (the coach's come with allocation)."""
    return {"ops_pk": LATEST, "practice_pk": practice_partition(practice_ods),
            "practice_created": f"{practice_ods}#{created_at}", "counted_as": status}


def allocated(coach_id: str, created_at: str) -> Key:
    """The list keys a referral takes with its coach."""
    return {"coach_pk": coach_partition(coach_id), "coach_live_pk": coach_partition(coach_id),
            "coach_created": f"{coach_id}#{created_at}"}


# -- a patient's requests for a copy of what is held (domain/access_requests.py) -------------

OPEN_ACCESS_REQUESTS = "ACCESS#OPEN"  # pk of the open requests, sorted by when they are due
_ACCESS = "ACCESS#"


def access_request(referral_id: str, request_id: str) -> Key:
    return {"pk": f"{_REFERRAL}{referral_id}", "sk": f"{_ACCESS}{request_id}"}


def access_requests_of(referral_id: str) -> tuple[str, str]:
    """The pk and sk prefix of a referral's requests."""
    return f"{_REFERRAL}{referral_id}", _ACCESS


def open_access_marker(referral_id: str) -> Key:
    """The referral's one open request (its id), so asking again finds it, not a second."""
    return {"pk": f"{_REFERRAL}{referral_id}", "sk": "ACCESS_OPEN"}


def open_access_request(due_on: str, referral_id: str, request_id: str) -> Key:
    return {"pk": OPEN_ACCESS_REQUESTS, "sk": f"{due_on}#{referral_id}#{request_id}"}
