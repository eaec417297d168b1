"""The reports' entry point: who may read them, the period (whole months) and practice asked
for, and one pass over the referrals made in that period (one paged Query, never the
personal-data table), counted block by block with small numbers protected (suppression.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from workingbetter.domain import days
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import BadRequest, FieldError
from workingbetter.domain.records.directory import Practice
from workingbetter.reports import fidelity, suppression, tables
from workingbetter.reports.measures import Clock, CoachCaseload, Outcomes, Period, outcomes
from workingbetter.reports.population import FIELDS, from_item

# The store's code loads with the first report, not at the API's init.
if TYPE_CHECKING:
    from workingbetter.adapters.store import Store

# A month (2026-04), or a date standing for the month it is in (2026-04-17).
_MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?")
DEFAULT_MONTHS = 12  # the twelve months up to this one when no period is asked for
NOT_A_MONTH = "Enter a month as YYYY-MM, like 2026-04 (or a real date in it, like 2026-04-01)"


@dataclass(frozen=True)
class ReportRequest:
    start: date  # the first day of the first month
    end: date  # the last day of the last month (included)
    practice_ods: str | None

    @property
    def period(self) -> dict[str, str | None]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "practice": self.practice_ods}

    def query(self) -> dict[str, str]:
        """The request as query-string values (links, the CSV download)."""
        return {k: v for k, v in self.period.items() if v}


def _month(params: Mapping[str, str], name: str, default: date,
           errors: list[FieldError]) -> date:
    """The first day of the month asked for (a report covers whole months: suppression.py)."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        if not _MONTH.fullmatch(raw):
            raise ValueError(raw)
        value = date.fromisoformat(raw if len(raw) == 10 else f"{raw}-01")
    except ValueError:
        errors.append(FieldError(name, NOT_A_MONTH))
        return default
    if not days.EARLIEST <= value <= days.LATEST:
        errors.append(FieldError(name, "Enter a month from 2000 to 2999"))
        return default
    return value.replace(day=1)


def _months_before(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _last_day(month: date) -> date:
    return _months_before(month, -1) - timedelta(days=1)


def parse(params: Mapping[str, str], practices: Mapping[str, str], today: date) -> ReportRequest:
    """The report's query string; every bad value is named (400, nothing read)."""
    errors: list[FieldError] = []
    last = _month(params, "to", today.replace(day=1), errors)
    first = _month(params, "from", _months_before(last, DEFAULT_MONTHS - 1), errors)
    if not errors and first > last:
        errors.append(FieldError("from", "The start of the period must be on or before its end"))
    practice = (params.get("practice") or "").strip() or None
    if practice is not None and practice not in practices:
        errors.append(FieldError("practice", "Choose one of the participating practices: "
                                 + ", ".join(sorted(practices))))
    if errors:
        raise BadRequest("The report cannot be made as asked", errors)
    return ReportRequest(first, _last_day(last), practice)


def _bound(day: date) -> str:
    return datetime.combine(day, datetime.min.time(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Reports:
    store: Store
    seconds_per_day: float
    rounding: suppression.Rounding  # how each block's counts are rounded

    def practices(self) -> list[Practice]:
        return sorted(self.store.directory.practices(), key=lambda p: p.name)

    def request(self, who: Principal, params: Mapping[str, str]) -> ReportRequest:
        who.require(Role.OPS, Role.COMMISSIONER)
        names = tables.names(self.practices())
        return parse(params, names, datetime.now(UTC).date())

    def measure(self, request: ReportRequest) -> tuple[Outcomes, dict[str, str]]:
        practices = self.practices()
        in_scope = [p for p in practices
                    if request.practice_ods in (None, p.practice_ods)]
        from workingbetter.adapters.referral_lists import Listing

        listing = Listing.practice(request.practice_ods) if request.practice_ods \
            else Listing.everyone()
        start, end = _bound(request.start), _bound(request.end + timedelta(days=1))
        referrals = [from_item(i) for i in self.store.lists.made(listing, start, end,
                                                                    FIELDS)]
        now = datetime.now(UTC)
        period = Period(datetime.fromisoformat(start.replace("Z", "+00:00")),
                        datetime.fromisoformat(end.replace("Z", "+00:00")))
        clock = Clock(self.seconds_per_day)
        counted = suppression.protected(referrals, clock, self.rounding)
        measured = outcomes(referrals, self._caseloads(in_scope), period, now, clock,
                            [p.practice_ods for p in in_scope], counted)
        return measured, tables.names(practices)

    def _caseloads(self, practices: list[Practice]) -> list[CoachCaseload]:
        """Each coach's days a week and the places they hold now: the days the service manager
        gave them (docs/coaches.md), or for a coach from before, one a session day."""
        weekly = Counter(s.coach_id for p in practices for s in p.sessions)
        found = []
        for coach_id, sessions in sorted(weekly.items()):
            coach = self.store.directory.coach(coach_id)  # a handful of coaches, not a row each
            days = coach.days_a_week if coach and coach.sessions is not None else sessions
            found.append(CoachCaseload(coach_id, days, coach.active if coach else 0))
        return found

    def outcomes(self, who: Principal, params: Mapping[str, str]) -> tables.Report:
        request = self.request(who, params)
        measured, names = self.measure(request)
        return tables.build(measured, request.period, names)

    def fidelity(self, who: Principal, params: Mapping[str, str]) -> dict[str, Any]:
        request = self.request(who, params)
        measured, _ = self.measure(request)
        return fidelity.as_json(measured.ips, request.period)
