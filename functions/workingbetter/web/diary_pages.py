"""/coach/diary: the coach's week day by day (their session, its appointments and free slots),
the outcome of each follow-up, and booking one in a free slot. Each view that names patients
leaves one audit entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from chalice.app import Response

from workingbetter.domain import dates, diary, slots
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.communication_needs import CommunicationNeed
from workingbetter.domain.errors import Conflict, FieldError, InvalidInput
from workingbetter.routing import headers
from workingbetter.web.date_input import date_from_parts
from workingbetter.web.errors import Failed, FormErrorMap, PageErrors, only_message
from workingbetter.web.http import (
    FORM,
    Form,
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

Needs = tuple[CommunicationNeed, ...]

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


def _patients(who: Principal, week: Week) -> tuple[dict[str, str], dict[str, Needs]]:
    """The week's patients' names and communication needs, in one audited read."""
    ids = list(dict.fromkeys(e.referral_id for e in week.entries))
    if not ids or not week.practice_ods:
        return {}, {}
    from workingbetter.web.caseload import needs_of, patient_name

    personal = services().follow_ups.patients_of(who, week)
    return ({r: patient_name(personal.get(r)) for r in ids},
            {r: needs_of(personal.get(r)) for r in ids})


def _diary_page(who: Principal, failed: Failed | None = None, status: int = 200,
                calendar_link: str = "") -> Response:
    query: dict[str, str] = dict(request().query_params or {})
    week = services().follow_ups.opening_week(who, query.get("week"))
    practices = services().staff.directory().practices
    booked = diary.start_of(query.get("booked", ""))
    names, needs = _patients(who, week)
    return html("diary.html", status, title="Your diary", principal=who, active=DIARY,
                week=week, days=week.days(), names=names, needs=needs,
                pages=week_links(week.monday), week_words=week_words(week.monday),
                practices=practices, keys=form_keys(), failed=failed,
                calendar_link=calendar_link,
                calendar_linked=_linked(who),
                banner=f"Follow-up booked for {dates.long_when(booked)}" if booked else "",
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
    coach = services().staff.coach(str(who.coach_id))
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


# -- booking a follow-up in a free slot --------------------------------------------------------

BOOKING = FormErrorMap({"slot": "slot", "start": "start", "start_time": "start-time",
                        "mode": "mode"}, dates={"start": "start"},
                       required={"mode": "Select how you will meet",
                                 "start": "Enter the date of the appointment"},
                       reworded={"mode": {"Choose surgery, phone or video":
                                          "Select how you will meet"}})
CHOOSE_SLOT = "Choose a free time in your session, or another time by phone or video"
TYPE_TIME = "Enter a time, like 10am or 2:30pm"


def _slot_choices(free: list[datetime]) -> list[tuple[date, list[tuple[str, str, datetime]]]]:
    """The free slots as radios grouped by day: (value, input id, UK time); the first is the
    one an error links to."""
    groups: dict[date, list[tuple[str, str, datetime]]] = {}
    for at in free:
        value = slots.iso(at)
        first = not groups
        groups.setdefault(at.date(), []).append(
            (value, "slot" if first else f"slot-{diary.follow_up_id(value)}", at))
    return list(groups.items())


def _booking_page(who: Principal, referral_id: str, form: Form | None = None,
                  errors: PageErrors | None = None, status: int = 200) -> Response:
    from workingbetter.services.follow_ups import SLOTS_OFFERED
    from workingbetter.web.caseload import patient_name

    s = services()
    free = s.follow_ups.free_slots(who, referral_id)  # 404 outside the coach's caseload
    item, personal = s.follow_ups.patient_to_book(who, referral_id)
    return html("follow_up_book.html", status, title="Book a follow-up appointment",
                principal=who, active=DIARY, referral_id=referral_id,
                patient=patient_name(personal), reference=item.reference or "",
                free_by_day=_slot_choices(free),
                weeks=SLOTS_OFFERED.days // 7, form=form or Form(), keys=form_keys(),
                errors=errors or PageErrors())


@blueprint.route("/coach/diary/book/{referral_id}", methods=["GET"])
@page
def booking_page(referral_id: str) -> Response:
    return _booking_page(_coach(), referral_id)


def booking_body(form: Form) -> dict[str, str] | PageErrors:
    """The API's body for what the form chose: a slot of the session, or a typed date and a
    time as people write it ("10am", "10.00 am") by phone or video; or what is missing."""
    slot = form.get("slot")
    if not slot:
        return BOOKING.page_errors([FieldError("slot", CHOOSE_SLOT)])
    if slot != "other":
        return {"start": slot, "mode": "surgery"}
    day = date_from_parts(form.get("start_day"), form.get("start_month"),
                          form.get("start_year"))
    typed = form.get("start_time")
    at = dates.parse_clock(typed) if typed else None
    problems = [FieldError(name, message) for name, message, wrong in (
        ("start", "Enter the date of the appointment", not day),
        ("start_time", TYPE_TIME, at is None),
        ("mode", "Select how you will meet", form.get("mode") not in ("phone", "video")))
        if wrong]
    if problems:
        return BOOKING.page_errors(problems, form=form)
    return {"start": f"{day}T{at:%H:%M}", "mode": form.get("mode")}


@blueprint.route("/coach/diary/book/{referral_id}", methods=["POST"], content_types=[FORM])
@page
def book_follow_up(referral_id: str) -> Response:
    who = _coach()
    form = posted_form()
    body = booking_body(form)
    if isinstance(body, PageErrors):
        return _booking_page(who, referral_id, form, body, 422)
    try:
        booked = services().follow_ups.book(who, referral_id, body)
    except InvalidInput as error:
        wrong = [FieldError("slot" if body["mode"] == "surgery" else e.field, e.message)
                 for e in error.errors]
        return _booking_page(who, referral_id, form, BOOKING.page_errors(wrong, form=form), 422)
    except Conflict as error:
        return _booking_page(who, referral_id, form, only_message(error.detail, "slot"), 409)
    start = str(booked["start"])
    monday = diary.monday_of(slots.parse_iso(start).astimezone(slots.UK).date())
    return redirect(f"{DIARY}?week={monday}&booked={diary.follow_up_id(start)}")
