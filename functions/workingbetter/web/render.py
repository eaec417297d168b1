"""Jinja2 templates (autoescaped) and the few filters the pages use."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from workingbetter.domain import slots
from workingbetter.domain.referral import Status

TEMPLATES = Path(__file__).with_name("templates")

TAG_COLOURS = {
    Status.RECEIVED: "grey", Status.TRIAGE: "grey", Status.AWAITING_TRIAGE_DECISION: "yellow",
    Status.WAITLISTED: "orange", Status.ALLOCATED: "light-blue",
    Status.APPOINTMENT_BOOKED: "blue", Status.IN_SUPPORT: "turquoise", Status.IN_WORK: "green",
    Status.EXITED: "purple", Status.REJECTED: "red", Status.WITHDRAWN: "red",
}


def words(value: Any) -> str:
    """An enum as words: APPOINTMENT_BOOKED → Appointment booked."""
    if value is None or value == "":
        return ""
    text = str(value).replace("_", " ").lower()
    return text[0].upper() + text[1:]


def when(value: Any, seconds: bool = False) -> str:
    """An instant as UK wall-clock time, like 3 Mar 2026, 09:30 (or 09:30:07)."""
    if value is None or value == "":
        return ""
    instant = value if isinstance(value, datetime) else _parse(str(value))
    local = instant.astimezone(slots.UK)
    shown = f"{local.day} {local:%b %Y, %H:%M}"
    return f"{shown}:{local:%S}" if seconds else shown


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def tag_colour(status: str) -> str:
    return TAG_COLOURS.get(Status(status), "grey")


_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(words=words, when=when, tag_colour=tag_colour)


def render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)
