"""The coach's diary in-process: it opens where the work is, says which week each link goes
to, shows the week day by day with the session's free slots, and books a follow-up in one of
them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import Cloud
from tests.web.pages import Pages
from workingbetter.domain import dates, slots

pytestmark = pytest.mark.integration


def next_session_day(weekday: int) -> date:
    """The coach's next session day: today's while its last slot is still to start."""
    now = datetime.now(UTC).astimezone(slots.UK)
    day = now.date() + timedelta(days=(weekday - now.weekday()) % 7)
    if datetime.combine(day, slots.SESSION_SLOTS[-1], tzinfo=slots.UK) <= now:
        day += timedelta(days=7)
    return day


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def test_an_empty_diary_opens_on_the_week_of_the_next_session(pages: Pages,
                                                              cloud: Cloud) -> None:
    coach = cloud.store.coach("coach-amara")
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
    coach = cloud.store.coach("coach-amara")
    assert coach is not None
    session = next_session_day(coach.weekday) + timedelta(days=7)  # wholly in the future
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
