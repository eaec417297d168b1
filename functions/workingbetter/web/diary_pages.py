"""/coach/diary: the coach's week day by day (their session, its appointments and free slots),
the outcome of each follow-up, and booking one in a free slot. Each view that names patients
leaves one audit entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain import dates
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, InvalidInput
from workingbetter.handlers import headers
from workingbetter.web.errors import Failed, FormErrorMap, PageErrors, only_message
from workingbetter.web.http import (
    FORM,
    form_keys,
    html,
    page,
    posted_form,
    principal,
    redirect,
    request,
    same_site_path,
)
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services, settings

if TYPE_CHECKING:
    from workingbetter.services.follow_ups import Week

DIARY = "/coach/diary"  # where a diary form goes back to unless it names a coach page


def _outcome_errors(follow_up_id: str) -> FormErrorMap:
    return FormErrorMap({"outcome": f"outcome-{follow_up_id}"},
                        required={"outcome": "Select what happened"},
                        reworded={"outcome": {"Choose attended, did_not_attend or cancelled":
                                              "Select what happened"}})


def _coach() -> Principal:
    who = principal()
    who.require(Role.COACH)
    return who


def week_words(monday: date) -> str:
    """30 November to 6 December 2026 (the year once, where the week is in one year)."""
    sunday = monday + timedelta(days=6)
    first = dates.day_month(monday) if monday.year == sunday.year else dates.day(monday)
    return f"{first} to {dates.day(sunday)}"


def week_links(monday: date) -> dict[str, str]:
    """GOV.UK pagination naming the weeks, so a screen reader hears which week a link goes to."""
    before, after = monday - timedelta(days=7), monday + timedelta(days=7)
    return {"previous": f"{DIARY}?week={before}", "next": f"{DIARY}?week={after}",
            "previous_label": week_words(before), "next_label": week_words(after),
            "unit": "week"}


def _names(who: Principal, week: Week) -> dict[str, str]:
    ids = list(dict.fromkeys(e.referral_id for e in week.entries))
    if not ids or not week.practice_ods:
        return {}
    from workingbetter.web.caseload import patient_name

    personal = services().store.personal_data_for_page(ids, week.practice_ods, who.actor,
                                                       "GET /coach/diary")
    return {r: patient_name(personal.get(r)) for r in ids}


def _diary_page(who: Principal, failed: Failed | None = None, status: int = 200,
                calendar_link: str = "") -> Response:
    query: dict[str, str] = dict(request().query_params or {})
    week = services().follow_ups.opening_week(who, query.get("week"))
    place = services().staff.directory().practices.get(week.practice_ods or "")
    return html("diary.html", status, title="Your diary", principal=who, active=DIARY,
                week=week, days=week.days(), names=_names(who, week),
                pages=week_links(week.monday), week_words=week_words(week.monday),
                place=place, keys=form_keys(), failed=failed, calendar_link=calendar_link,
                calendar_linked=_linked(who),
                errors=failed.errors if failed else PageErrors(),
                now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


@blueprint.route("/coach/diary", methods=["GET"])
@page
def diary_page() -> Response:
    return _diary_page(_coach())


@blueprint.route("/coach/diary/{referral_id}/{follow_up_id}", methods=["POST"],
                 content_types=[FORM])
@page
def record_follow_up_outcome(referral_id: str, follow_up_id: str) -> Response:
    who = _coach()
    form = posted_form()
    back = same_site_path(form.get("back"), DIARY)
    back = back if back.startswith("/coach/") else DIARY
    outcome = form.get("outcome")
    try:
        services().follow_ups.record_outcome(who, referral_id, follow_up_id,
                                             {"outcome": outcome} if outcome else {})
    except InvalidInput as error:
        errors = _outcome_errors(follow_up_id).page_errors(error.errors)
        return _diary_page(who, Failed(referral_id, follow_up_id, form, errors), 422)
    except Conflict as error:
        return _diary_page(who, Failed(referral_id, follow_up_id, form,
                                       only_message(error.detail)), 409)
    return redirect(back)


# -- the diary in the coach's own calendar app ------------------------------------------------


def _linked(who: Principal) -> bool:
    coach = services().store.coach(str(who.coach_id))
    return coach is not None and coach.calendar_key is not None


@blueprint.route("/coach/diary/calendar", methods=["POST"], content_types=[FORM])
@page
def new_calendar_link() -> Response:
    """A new link to subscribe to (the old one stops working). Only its hash is kept, so the
    link is shown on this answer alone: the coach copies it into their calendar app."""
    from workingbetter.services.calendar_feed import FEED_PATH

    who = _coach()
    form = posted_form()
    try:
        secret = services().calendars.new_link(who)
    except Conflict as error:
        return _diary_page(who, Failed("", "calendar", form,
                                       only_message(error.detail, "calendar")), 409)
    return _diary_page(who, calendar_link=f"{settings().public_url.rstrip('/')}{FEED_PATH}"
                                          f"{secret}")


@blueprint.route("/calendar/{secret}", methods=["GET"])
@page
def calendar_feed(secret: str) -> Response:
    """The coach's diary as text/calendar, for a calendar app (no sign-in: the link is the
    key). An unknown or ended link is a 404."""
    body = services().calendars.feed(secret)
    return Response(body=body, status_code=200, headers={
        **headers.HTML, "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'inline; filename="working-better-diary.ics"'})
