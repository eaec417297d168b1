"""/ops: the service manager's console, and one referral's run history. Ids, enums and times
only: the personal-data table is never read here."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

from chalice.app import Response

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import BadRequest, FieldError, NotFound
from workingbetter.domain.referral import Status
from workingbetter.routing import headers
from workingbetter.services import listing
from workingbetter.web import ops_console, people, run_words
from workingbetter.web.errors import PageErrors, only_message
from workingbetter.web.http import (
    FORM,
    form_keys,
    html,
    page,
    page_links,
    posted_form,
    principal,
    redirect,
    request,
)
from workingbetter.web.ops_console import Filters
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

FILTERS = ("status", "practice_ods", "limit", "cursor")
LATEST = 25  # referrals a page of the console lists, unless asked for more
EXPORT_PAGE, EXPORT_MOST = 100, 10_000  # the CSV reads the list 100 at a time, to this many
EXPORT_COLUMNS = ("referral_id", "reference", "status", "awaiting", "attention", "practice_ods",
                  "coach_id", "exit_reason", "created_at", "updated_at")
_COACH = re.compile(r"[A-Za-z0-9-]{1,64}")
NOT_FOUND = "No referral has that reference or id"
# What ops did, as the run history's banner says it after the redirect (?resumed=1).
DONE = {"resumed": ("Run resumed", "A new run has started where the last one stopped: its "
                                   "steps are under Runs below."),
        "retried": ("Failed step retried", "The run is carrying on from the step that "
                                           "failed.")}


def _ops() -> Principal:
    who = principal()
    who.require(Role.OPS)
    return who


def _filters(query: dict[str, str], limit: int, cursor: str | None = None) -> Filters:
    """The list's filters from the query string; a bad one is named (400, nothing read)."""
    asked = {k: v for k, v in query.items() if k in FILTERS}
    request = listing.parse({**asked, "limit": asked.get("limit", str(limit)),
                             **({"cursor": cursor} if cursor else {})})
    coach = query.get("coach_id") or None
    if coach is not None and not _COACH.fullmatch(coach):
        raise BadRequest("The list cannot be read as asked",
                         [FieldError("coach_id", "Choose a coach from the list")])
    return Filters(request, coach, query.get("attention") == "yes")


@blueprint.route("/ops", methods=["GET"])
@page
def console() -> Response:
    who = _ops()
    s = services()
    query: dict[str, str] = dict(request().query_params or {})
    errors = PageErrors()
    if query.get("q"):
        found = _find(query["q"])
        if found:
            return redirect(f"/ops/referrals/{found}")
        errors = only_message(NOT_FOUND, "q")
    filters = _filters(query, LATEST)
    console = ops_console.build(s.ops_watch, s.referrals, who, filters)
    kept = filters.kept()
    staff = people.names()
    return html("ops.html", 404 if errors else 200, title="Runs and reports", principal=who,
                active="/ops", console=console, statuses=[str(s) for s in Status],
                keys=form_keys(), filters=kept, search=query.get("q", ""), errors=errors,
                staff=staff, coaches=staff.coach_choices(), practices=staff.practices,
                export=f"/ops/referrals.csv?{urlencode({k: v for k, v in kept.items() if v})}",
                pages=page_links("/ops", console.pages, **kept))


def _find(given: str) -> str | None:
    """The referral a reference (or id) names, if there is one."""
    s = services()
    try:
        found = s.referrals.resolve(given.strip())
    except NotFound:
        return None
    return found if s.ops_watch.exists(found) else None


@blueprint.route("/ops/referrals.csv", methods=["GET"])
@page
def export() -> Response:
    """The console's list, filtered the same way, as CSV: ids, references, enums and dates
    only. Read a page at a time, at most EXPORT_MOST rows."""
    who = _ops()
    query: dict[str, str] = dict(request().query_params or {})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    written, cursor = 0, None
    while written < EXPORT_MOST:
        filters = _filters({k: v for k, v in query.items() if k != "limit"}, EXPORT_PAGE,
                           cursor)
        shown = services().referrals.ops_page(who, filters.request, EXPORT_COLUMNS,
                                              filters.coach_id, filters.attention)
        for item in shown.items:
            row = ops_console.ops_row(item)
            writer.writerow([_cell(row[column]) for column in EXPORT_COLUMNS])
        written += len(shown.items)
        if not shown.next:
            break
        cursor = shown.next
    return Response(body=out.getvalue(), status_code=200, headers={
        **headers.HTML, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="referrals.csv"'})


def _cell(value: object) -> str:
    """Enums and dates only; a leading =, +, - or @ is never read as a spreadsheet formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


@blueprint.route("/ops/referrals/{referral_id}/retry", methods=["POST"], content_types=[FORM])
@page
def retry(referral_id: str) -> Response:
    """Retry the step a run failed at (the cause fixed); the run picks up from there."""
    return _resume(referral_id, "retried")


@blueprint.route("/ops/referrals/{referral_id}/resume", methods=["POST"],
                 content_types=[FORM])
@page
def resume(referral_id: str) -> Response:
    """Pick up a stalled or failed referral: a new run starts where the last one stopped."""
    return _resume(referral_id, "resumed")


def _resume(referral_id: str, done: str) -> Response:
    who = _ops()
    posted_form()  # checks the CSRF token
    services().steps.resume(who, referral_id)
    return redirect(f"/ops/referrals/{referral_id}?{done}=1")


@blueprint.route("/ops/referrals/{referral_id}", methods=["GET"])
@page
def run_history(referral_id: str) -> Response:
    who = _ops()
    s = services()
    found = s.referrals.resolve(referral_id)
    referral = s.referrals.get(who, found)  # the ops view: no personal data; 404 if none
    runs = s.ops_watch.runs(found)  # what Step Functions still holds of them
    names = runs.names
    timeline = [run_words.Step(e["at"], run_words.timeline_words(e["event"]), e.get("by", ""))
                for e in referral.get("timeline", [])]
    reference = referral.get("reference") or found
    query: dict[str, str] = dict(request().query_params or {})
    done = next(((f"{heading} for {reference}", said) for key, (heading, said) in DONE.items()
                 if key in query), None)
    appointment = referral.get("appointment") or {}
    return html("ops_history.html", title=f"Referral {reference}", principal=who,
                active="/ops", referral=referral, timeline=timeline, done=done,
                staff=people.names(), appointment=appointment,
                run=runs.described.get(names[-1]), expired=names[-1] not in runs.described,
                sections=run_words.sections(names, runs.described, runs.history,
                                            referral.get("exit_reason"), referral["status"]))
