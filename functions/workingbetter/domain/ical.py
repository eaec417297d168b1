"""A coach's diary as an iCalendar feed (RFC 5545), for their calendar app to subscribe to.

What goes in is ids, references, times and places only: a calendar app keeps and syncs what
it is given, so no patient's name or any personal detail ever enters an event. Times are UTC
(…Z), so no VTIMEZONE is needed. Pure: events in, text out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODUCT = "-//Working Better//Coach diary//EN"
DOMAIN = "working-better"  # the right-hand side of every UID
_LINE = 75  # octets a content line may hold before it is folded (RFC 5545 §3.1)


@dataclass(frozen=True)
class Event:
    uid: str  # stable: the same appointment keeps its UID from one fetch to the next
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


def text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 §3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (_LINE if not out else _LINE - 1):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def calendar(name: str, events: Iterable[Event], stamp: datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{text(name)}", "X-WR-TIMEZONE:Europe/London"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}@{DOMAIN}", f"DTSTAMP:{utc(stamp)}",
                  f"DTSTART:{utc(event.start)}", f"DTEND:{utc(event.end)}",
                  f"SUMMARY:{text(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{text(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
