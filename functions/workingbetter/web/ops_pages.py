"""/ops: the service manager's console, and one referral's run history. Ids, enums and times
only: the personal-data table is never read here."""

from __future__ import annotations

from chalice.app import Response

from workingbetter import listing
from workingbetter.auth import Principal, Role
from workingbetter.domain.referral import Status
from workingbetter.web import ops_console
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
    services,
)
from workingbetter.web.registry import blueprint
from workingbetter.workflow import runs_of

FILTERS = ("status", "limit", "cursor")
LATEST = 25  # referrals a page of the console lists, unless asked for more


def _ops() -> Principal:
    who = principal()
    who.require(Role.OPS)
    return who


@blueprint.route("/ops", methods=["GET"])
@page
def console() -> Response:
    who = _ops()
    s = services()
    query = dict(request().query_params or {})
    asked = listing.parse({"limit": str(LATEST), **{k: v for k, v in query.items()
                                                    if k in FILTERS}})
    console = ops_console.build(s.store, s.workflow, s.referrals, who, asked)
    return html("ops.html", title="Runs and reports", principal=who, active="/ops",
                console=console, statuses=[str(s) for s in Status], keys=form_keys(),
                pages=page_links("/ops", console.pages, status=console.status))


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
    referral = s.referrals.get(who, referral_id)  # the ops view: no personal data; 404 if none
    runs = runs_of(s.store.referral(referral_id) or {"referral_id": referral_id})
    run = s.workflow.run(runs)
    return html("ops_history.html", title=f"Referral {referral_id}", principal=who,
                active="/ops", referral=referral, run=run,
                events=ops_console.milestones(s.workflow.history(runs)) if run else [])
