"""The coach's diary in-process: it opens where the work is, says which week each link goes
to, shows the week day by day with the session's free slots, and books a follow-up in one of
them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tests.conftest import Cloud
from tests.ical_check import parse, unescape
from tests.web.pages import Pages
from tests.web.test_case_pages import in_support
from workingbetter.domain import dates, slots
from workingbetter.domain.working_days import is_working_day

pytestmark = pytest.mark.integration


def next_session_day(weekday: int, weeks_on: int = 0) -> date:
    """The coach's next session day (today's while its last slot is still to start), or the
    first session at least `weeks_on` weeks after it."""
    now = datetime.now(UTC).astimezone(slots.UK)
    day = now.date() + timedelta(days=(weekday - now.weekday()) % 7)
    if datetime.combine(day, slots.SESSION_SLOTS[-1], tzinfo=slots.UK) <= now:
        day += timedelta(days=7)
    day += timedelta(weeks=weeks_on)
    while not is_working_day(day):  # no session on a bank holiday
        day += timedelta(days=7)
    return day


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def test_an_empty_diary_opens_on_the_week_of_the_next_session(pages: Pages,
                                                              cloud: Cloud) -> None:
    coach = cloud.store.directory.coach("coach-amara")
    assert coach is not None
    session = next_session_day(coach.weekday)
    pages.sign_in("coach:coach-amara")
    page = pages.get("/coach/diary")
    assert page.status == 200
    sunday = monday(session) + timedelta(days=6)
    assert f'id="week">{dates.day_month(monday(session))} to {dates.day(sunday)}' in page.text \
        or f'id="week">{dates.day(monday(session))} to {dates.day(sunday)}' in page.text
    day = page.text.partition(f'id="day-{session}"')[2].partition("</section>")[0]
    assert dates.weekday_day(session) in day
    assert "Your surgery session" in day
    assert "Riverside" in day or "at " in day


def test_each_week_link_says_which_week_it_goes_to(pages: Pages, cloud: Cloud) -> None:
    pages.sign_in("coach:coach-amara")
    page = pages.get("/coach/diary?week=2026-12-09")
    assert page.status == 200
    assert 'id="week">7 December to 13 December 2026' in page.text
    links = re.sub(r"<[^>]+>", "", page.text.partition('class="govuk-pagination')[2]
                   .partition("</nav>")[0])
    words = " ".join(links.split())
    assert "Previous week: 30 November to 6 December 2026" in words
    assert "Next week: 14 December to 20 December 2026" in words
    assert "page" not in words
    assert 'href="/coach/diary?week=2026-11-30"' in page.text
    assert 'id="week">28 December 2026 to 3 January 2027' in \
        pages.get("/coach/diary?week=2026-12-31").text


def test_the_week_is_shown_day_by_day_with_the_sessions_free_slots(pages: Pages,
                                                                   cloud: Cloud) -> None:
    coach = cloud.store.directory.coach("coach-amara")
    assert coach is not None
    session = next_session_day(coach.weekday, weeks_on=1)  # wholly in the future
    pages.sign_in("coach:coach-amara")
    page = pages.get(f"/coach/diary?week={session}")
    for offset in range(5):
        on = monday(session) + timedelta(days=offset)
        assert f'<h2 class="govuk-heading-m govuk-!-margin-bottom-2" id="day-{on}-heading">' \
               f"{dates.weekday_day(on)}</h2>" in page.text
    free = page.text.partition(f'id="free-{session}"')[2].partition("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", free) == [dates.clock(t) for t in slots.SESSION_SLOTS]
    other = monday(session) + timedelta(days=(coach.weekday + 1) % 5)
    assert f'id="free-{other}"' not in page.text


def calendar_path(page_text: str) -> str:
    found = re.search(r'id="calendar-link">https?://[^/]+(/calendar/[^<]+)</p>', page_text)
    assert found, "no calendar link on the page"
    return found.group(1)


def test_the_calendar_link_gives_the_diary_with_nothing_personal_and_a_new_link_ends_it(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    item = cloud.referral(referral_id)
    diary = pages.get("/coach/diary")
    assert "Subscribe in your calendar" in diary.text
    made = pages.post("/coach/diary/calendar", {})
    assert made.status == 200
    first_link = calendar_path(made.text)
    assert "Make a new link" in made.text

    calendar_app = Pages(cloud.built.pool)  # no sign-in: the link is the key
    feed = calendar_app.get(first_link)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = parse(feed.text)
    summaries = [unescape(e.one("SUMMARY")) for e in calendar.children]
    assert f"First appointment: {item.reference} (attended)" in summaries
    assert "Surgery session" in summaries
    assert item.appointment is not None
    first = next(e for e in calendar.children if str(item.reference) in e.one("SUMMARY"))
    assert first.one("DTSTART") == item.appointment.start.replace("-", "").replace(":", "")
    assert "City Road Medical Centre" in unescape(first.one("LOCATION"))
    for personal in ("Ada", "Testperson", "485 777 3457", "4857773457", "07700 900982",
                     "07700900982", "1980-04-01", "Wants help", "Mental health"):
        assert personal not in feed.text, personal
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", feed.text.replace("@working-better", ""))
    purposes = [a.purpose for a in cloud.store.audit.trail(referral_id, "F83001",
                                                                 item.created_at)]
    assert "GET /calendar/{secret}" in purposes

    pages.get("/coach/diary")
    second_link = calendar_path(pages.post("/coach/diary/calendar", {}).text)
    assert second_link != first_link
    assert calendar_app.get(first_link).status == 404
    assert calendar_app.get(second_link).status == 200
    assert calendar_app.get("/calendar/not-a-link").status == 404
    coach = cloud.coach(str(item.coach_id))
    assert coach.calendar_key is not None
    assert coach.calendar_key not in second_link  # only its hash is kept


def test_a_follow_up_is_booked_by_choosing_one_of_the_sessions_free_times(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    coach = cloud.coach(str(cloud.referral(referral_id).coach_id))
    record = pages.get(f"/coach/referrals/{referral_id}")
    assert f'href="/coach/diary/book/{referral_id}"' in record.text
    page = pages.get(f"/coach/diary/book/{referral_id}")
    assert page.status == 200
    offered = re.findall(r'name="slot" type="radio" value="([^"]+)"', page.text)
    assert offered[-1] == "other"
    free = [slots.parse_iso(v) for v in offered[:-1]]
    assert free
    assert all(t.astimezone(slots.UK).weekday() == coach.weekday for t in free)
    assert all(t.astimezone(slots.UK).time() in slots.SESSION_SLOTS for t in free)
    first_day = free[0].astimezone(slots.UK).date()
    assert f">{dates.weekday_day(first_day)}</h2>" in page.text  # grouped by day

    refused = pages.post(f"/coach/diary/book/{referral_id}", {})
    assert refused.status == 422
    assert refused.error_summary() == [(
        "#slot", "Choose a free time in your session, or another time by phone or video")]

    chosen = offered[1]
    done = pages.post(f"/coach/diary/book/{referral_id}", {"slot": chosen})
    assert done.status == 303, done.error_summary()
    week = monday(slots.parse_iso(chosen).astimezone(slots.UK).date())
    assert done.location.startswith(f"/coach/diary?week={week}&booked=")
    diary = pages.get(done.location)
    assert f"Follow-up booked for {dates.long_when(chosen)}" in diary.text
    assert "Follow-up, in surgery" in diary.text
    again = pages.get(f"/coach/diary/book/{referral_id}")
    assert f'value="{chosen}"' not in again.text  # taken: no longer offered


def test_a_typed_time_is_read_as_people_write_it(pages: Pages, cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    item = cloud.referral(referral_id)
    day = datetime.now(UTC).astimezone(slots.UK).date() + timedelta(days=7)
    for typed, form in (("10am", "/coach/diary/book"), ("10:00", "/coach/diary/book"),
                        ("10.00 am", "/coach/diary/book"), ("10am", "/coach/referrals")):
        day += timedelta(days=1)
        while not is_working_day(day):  # a weekday, not a bank holiday
            day += timedelta(days=1)
        path = f"/coach/diary/book/{referral_id}" if form == "/coach/diary/book" else \
            f"/coach/referrals/{referral_id}"
        pages.get(path)
        done = pages.post(path if "book" in path else f"{path}/follow-ups", {
            "slot": "other", "start_day": str(day.day), "start_month": str(day.month),
            "start_year": str(day.year), "start_time": typed, "mode": "phone"})
        assert done.status == 303, (typed, form, done.error_summary())
        start = slots.iso(datetime.combine(day, time(10, 0), tzinfo=slots.UK))
        assert cloud.store.diary.follow_up(str(item.coach_id), start, referral_id) is not None


def test_a_typed_time_that_is_no_time_is_asked_again_in_plain_words(pages: Pages,
                                                                    cloud: Cloud) -> None:
    referral_id = in_support(pages, cloud)
    pages.get(f"/coach/diary/book/{referral_id}")
    refused = pages.post(f"/coach/diary/book/{referral_id}", {
        "slot": "other", "start_day": "1", "start_month": "6", "start_year": "2027",
        "start_time": "quarter past", "mode": "video"})
    assert refused.status == 422
    assert refused.error_summary() == [("#start-time", "Enter a time, like 10am or 2:30pm")]
    assert 'value="quarter past"' in refused.text
