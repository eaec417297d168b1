"""What ops watch: counts by status, referrals flagged for attention, overdue human steps,
runs that failed, the latest referrals a page at a time, and two charts. Built from the workflow
items (ids, enums and dates), counters and the Step Functions API: never a patient's personal
data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workingbetter.domain.auth import Principal
from workingbetter.domain.referral import ExitReason
from workingbetter.services.listing import ListRequest, Page
from workingbetter.web import charts

# The store's code (records, codec, boto3's exceptions) loads with the first console, not at
# the API's init: these are types only until then.
if TYPE_CHECKING:
    from workingbetter.adapters.dynamo import Item
    from workingbetter.domain.records.referral import Referral
    from workingbetter.services.ops_watch import OpsWatch
    from workingbetter.services.referrals import Referrals  # pydantic: loads with the first request

# Each stage, from what the referral item records when it is reached (not its timeline, the
# bulk of the item, which the console does not read).
FUNNEL: list[tuple[str, Callable[[Referral], bool]]] = [
    ("Referred", lambda i: True),
    ("Coach allocated", lambda i: bool(i.coach_id)),
    ("Appointment booked", lambda i: bool(i.appointment)),
    ("First appointment attended", lambda i: bool(i.support_started_at)),
    ("Started a job", lambda i: bool(i.job_started_at)),
    ("In work at 26 weeks", lambda i: i.exit_reason == ExitReason.JOB_SUSTAINED_26_WEEKS),
]
DAY_BINS = [("0 to 7 days", 7), ("8 to 14 days", 14), ("15 to 21 days", 21),
            ("22 to 28 days", 28), ("29 days or more", None)]
FLAGGED = 100  # at most this many flagged referrals on the console
UNDELIVERED = 25  # the latest messages Notify could not deliver, listed under their count
# Only these fields of a referral reach the ops pages.
OPS_FIELDS = ("referral_id", "reference", "status", "awaiting", "attention", "practice_ods",
              "coach_id", "created_at", "updated_at", "chases", "exit_reason")
CONSOLE_FIELDS = (*OPS_FIELDS, "task_token", "appointment", "support_started_at",
                  "job_started_at")


@dataclass(frozen=True)
class Filters:
    """What the console's list is narrowed to (each an index partition, see ops_page)."""

    request: ListRequest
    coach_id: str | None = None
    attention: bool = False

    def kept(self) -> dict[str, str | None]:
        """The filters as query parameters, for the paging links and the export."""
        return {"status": self.request.stage,
                "practice_ods": self.request.practice_ods, "coach_id": self.coach_id,
                "attention": "yes" if self.attention else None}


@dataclass(frozen=True)
class Console:
    counts: list[tuple[str, int]]
    attention: list[Item]
    overdue: list[Item]
    more_flagged: bool
    failed_runs: list[dict[str, Any]]
    latest: list[Item]
    pages: Page
    status: str | None
    funnel: charts.Chart
    first_appointment: charts.Chart
    exits: list[tuple[str, int]]
    undelivered_count: int
    undelivered: list[Item]  # ids, kinds, channels and times: never words or addresses


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def days_to_first_appointment(item: Referral) -> float | None:
    """From referral to the first appointment the patient attended, in calendar days."""
    appointment = item.appointment
    if not item.support_started_at or not appointment:
        return None
    return (_parse(appointment.start) - _parse(item.created_at)).total_seconds() / 86400


def day_bins(days: list[float]) -> list[tuple[str, int]]:
    counts = Counter(next(label for label, top in DAY_BINS if top is None or d <= top)
                     for d in days)
    return [(label, counts[label]) for label, _ in DAY_BINS]


def ops_row(item: Referral) -> Item:
    """All the ops pages show of a referral (OPS_FIELDS), and whether its run stopped."""
    return {"referral_id": item.referral_id, "reference": item.reference,
            "status": item.status, "awaiting": item.awaiting, "attention": item.attention,
            "practice_ods": item.practice_ods, "coach_id": item.coach_id,
            "created_at": item.created_at, "updated_at": item.updated_at,
            "chases": item.chases, "exit_reason": item.exit_reason, "stopped": item.stopped}


def exits(items: list[Referral]) -> list[tuple[str, int]]:
    """How the referrals listed ended, by reason, commonest first."""
    reasons = Counter(str(i.exit_reason) for i in items if i.exit_reason)
    return sorted(reasons.items(), key=lambda r: (-r[1], r[0]))


def build(watch: OpsWatch, referrals: Referrals, ops: Principal, filters: Filters) -> Console:
    """What the console reads, each bounded: the counter items (one BatchGetItem), up to
    FLAGGED referrals flagged for attention (one Query on a sparse index), and one page of
    the latest referrals (one Query, filtered by status if asked). The charts are drawn from
    that page, not from every referral, and say so."""
    from workingbetter.adapters.referral_codec import BUCKETS

    counts = watch.counts()
    flagged_items, more_flagged = watch.flagged(FLAGGED, CONSOLE_FIELDS)
    flagged = [ops_row(i) for i in flagged_items]
    request = filters.request
    page = referrals.ops_page(ops, request, CONSOLE_FIELDS, filters.coach_id,
                              filters.attention)
    shown = len(page.items)
    days = [d for d in map(days_to_first_appointment, page.items) if d is not None]
    failed = watch.failed_runs()
    undelivered = watch.undelivered(UNDELIVERED)
    return Console(
        counts=[(bucket, counts[bucket]) for bucket in BUCKETS],
        attention=[i for i in flagged if not str(i["attention"]).startswith("overdue_")],
        overdue=[i for i in flagged if str(i["attention"]).startswith("overdue_")],
        more_flagged=more_flagged,
        failed_runs=failed,
        latest=[ops_row(i) for i in page.items],
        pages=page,
        status=request.stage,
        funnel=charts.bars("funnel", f"How far the {shown} referrals listed have come",
                           [(label, sum(map(reached, page.items)))
                            for label, reached in FUNNEL]),
        first_appointment=charts.bars(
            "first-appointment",
            f"Time from referral to first attended appointment, of the {shown} listed",
            day_bins(days)),
        exits=exits(page.items),
        undelivered_count=watch.undelivered_count(),
        undelivered=undelivered,
    )
