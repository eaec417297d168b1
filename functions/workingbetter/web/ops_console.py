"""What ops watch: counts by status, referrals flagged for attention, overdue human steps,
runs that failed, and two charts. Built from the workflow items (ids, enums and dates) and the
Step Functions API: never a patient's personal data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workingbetter.domain.referral import Status
from workingbetter.resume import is_stopped
from workingbetter.store import Item, Store
from workingbetter.web import charts
from workingbetter.workflow import Workflow

FUNNEL = [
    ("Referred", "referral_received"),
    ("Coach allocated", "coach_allocated"),
    ("Appointment booked", "appointment_booked"),
    ("First appointment attended", "first_appointment_attended"),
    ("Started a job", "job_started"),
    ("In work at 26 weeks", "in_work_26_weeks"),
]
DAY_BINS = [("0 to 7 days", 7), ("8 to 14 days", 14), ("15 to 21 days", 21),
            ("22 to 28 days", 28), ("29 days or more", None)]
RECENT = 25
# Only these fields of a referral reach the ops pages.
STALLED = "STALLED"
OPS_FIELDS = ("referral_id", "status", "awaiting", "attention", "practice_ods", "coach_id",
              "created_at", "updated_at", "chases", "exit_reason")


@dataclass(frozen=True)
class Console:
    counts: list[tuple[str, int]]
    attention: list[Item]
    overdue: list[Item]
    failed_runs: list[dict[str, Any]]
    recent: list[Item]
    funnel: charts.Chart
    first_appointment: charts.Chart


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _events(item: Item) -> set[str]:
    return {e["event"] for e in item.get("timeline", [])}


def days_to_first_appointment(item: Item) -> float | None:
    """From referral to the first appointment the patient attended, in calendar days."""
    appointment = item.get("appointment")
    if "first_appointment_attended" not in _events(item) or not appointment:
        return None
    return (_parse(appointment["start"]) - _parse(item["created_at"])).total_seconds() / 86400


def day_bins(days: list[float]) -> list[tuple[str, int]]:
    counts = Counter(next(label for label, top in DAY_BINS if top is None or d <= top)
                     for d in days)
    return [(label, counts[label]) for label, _ in DAY_BINS]


def milestones(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events ops read a run by: each state entered, the run's own start and end, and
    anything that failed or timed out (not every scheduled, started and succeeded task)."""
    return [e for e in events
            if e["type"].endswith("StateEntered") or e["type"].startswith("Execution")
            or e["type"].endswith(("Failed", "TimedOut", "Aborted"))]


def build(store: Store, workflow: Workflow) -> Console:
    items = [i for status in Status for i in store.referrals_with_status(status)]
    # A referral no run moves on counts as stalled, not as the status it stopped in.
    counts = Counter(STALLED if is_stopped(i) else str(i["status"]) for i in items)
    safe = [{**{k: i.get(k) for k in OPS_FIELDS}, "stopped": is_stopped(i)} for i in items]
    flagged = [i for i in safe if i["attention"]]
    events = [_events(i) for i in items]
    days = [d for d in map(days_to_first_appointment, items) if d is not None]
    return Console(
        counts=[(str(s), counts[str(s)]) for s in Status] + [(STALLED, counts[STALLED])],
        attention=[i for i in flagged if not str(i["attention"]).startswith("overdue_")],
        overdue=[i for i in flagged if str(i["attention"]).startswith("overdue_")],
        failed_runs=workflow.ended_badly(),
        recent=sorted(safe, key=lambda i: str(i["created_at"]), reverse=True)[:RECENT],
        funnel=charts.funnel("funnel", "How far referrals have come",
                             [(label, sum(event in e for e in events))
                              for label, event in FUNNEL]),
        first_appointment=charts.histogram(
            "first-appointment", "Time from referral to first attended appointment",
            day_bins(days)),
    )
