"""The diary's iCalendar text keeps to RFC 5545 whatever its words hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.ical_check import parse, unescape
from workingbetter.domain import ical

START = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)


def test_a_calendar_parses_strictly_with_its_words_escaped_and_long_lines_folded() -> None:
    place = "Riverside Medical Centre, 1 Long Road; Town\\Ward, ünïcödé " * 3
    events = [ical.Event("appointment-r-1-20261214T100000Z", START, START + timedelta(hours=1),
                         "Follow-up by phone: WB-7KQ2-M4XD", place),
              ical.Event("session-coach-amara-20261214", START, START + timedelta(hours=7),
                         "Surgery session")]
    body = ical.calendar("Working Better diary", events, START)
    calendar = parse(body)
    assert [e.one("UID") for e in calendar.children] == [
        "appointment-r-1-20261214T100000Z@working-better",
        "session-coach-amara-20261214@working-better"]
    first = calendar.children[0]
    assert unescape(first.one("LOCATION")) == place
    assert first.one("DTSTART") == "20261214T100000Z"
    assert first.one("DTEND") == "20261214T110000Z"


def test_the_same_diary_gives_the_same_uids_on_every_fetch() -> None:
    event = ical.Event("appointment-r-1-x", START, START + timedelta(hours=1), "First")
    one = parse(ical.calendar("d", [event], START))
    two = parse(ical.calendar("d", [event], START + timedelta(days=1)))
    assert one.children[0].one("UID") == two.children[0].one("UID")
