"""A strict reading of an iCalendar feed (RFC 5545), enough to hold ours to the standard:
CRLF lines of at most 75 octets, folded lines unfolded, components balanced, the properties a
calendar and each event must have, and times in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = re.compile(r"^[A-Z][A-Z0-9-]*(;[^:]*)?:")
_UTC = re.compile(r"^\d{8}T\d{6}Z$")


@dataclass
class Component:
    name: str
    properties: dict[str, list[str]] = field(default_factory=dict)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> str:
        values = self.properties.get(name, [])
        assert len(values) == 1, f"{self.name} has {len(values)} {name}"
        return values[0]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse(body: str) -> Component:
    """The VCALENDAR in `body`; AssertionError naming the first breach of the standard."""
    assert body.endswith("\r\n"), "the feed ends with CRLF"
    raw = body[:-2].split("\r\n")
    for line in raw:
        assert len(line.encode()) <= 75, f"a line longer than 75 octets: {line!r}"
        assert "\n" not in line, "a bare LF"
        assert "\r" not in line, "a bare CR"
    lines: list[str] = []
    for line in raw:
        if line.startswith((" ", "\t")):
            assert lines, "a continuation before any line"
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[Component] = []
    top: Component | None = None
    for line in lines:
        assert _NAME.match(line), f"not a content line: {line!r}"
        head, _, value = line.partition(":")
        name = head.split(";")[0]
        if name == "BEGIN":
            stack.append(Component(value))
        elif name == "END":
            assert stack, f"END:{value} with nothing begun"
            assert stack[-1].name == value, f"END:{value} does not close what began"
            done = stack.pop()
            if stack:
                stack[-1].children.append(done)
            else:
                assert top is None, "more than one calendar"
                top = done
        else:
            assert stack, f"{name} outside any component"
            stack[-1].properties.setdefault(name, []).append(value)
    assert not stack, "a component was never ended"
    assert top is not None
    assert top.name == "VCALENDAR"
    assert top.one("VERSION") == "2.0"
    assert top.one("PRODID")
    uids = set()
    for event in top.children:
        assert event.name == "VEVENT", event.name
        uid = event.one("UID")
        assert uid not in uids, f"UID {uid} twice"
        uids.add(uid)
        for name in ("DTSTAMP", "DTSTART", "DTEND"):
            assert _UTC.match(event.one(name)), f"{name} not in UTC: {event.one(name)}"
        assert event.one("DTSTART") < event.one("DTEND")
        event.one("SUMMARY")
    return top
