"""Jinja2 templates (autoescaped) and the few filters the pages use."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workingbetter.domain import slots
from workingbetter.domain.disclosure import ACCEPTED
from workingbetter.domain.referral import Status

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).with_name("templates")

TAG_COLOURS = {
    Status.RECEIVED: "grey", Status.TRIAGE: "grey", Status.AWAITING_TRIAGE_DECISION: "yellow",
    Status.WAITLISTED: "orange", Status.ALLOCATED: "light-blue",
    Status.APPOINTMENT_BOOKED: "blue", Status.IN_SUPPORT: "turquoise", Status.IN_WORK: "green",
    Status.EXITED: "purple", Status.REJECTED: "red", Status.WITHDRAWN: "red",
    ACCEPTED: "turquoise",  # what a practice without the patient's consent sees (disclosure.py)
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


def day(value: Any) -> str:
    """An instant's day in the UK, or a calendar date (2026-03-03), like 3 March 2026."""
    if value is None or value == "":
        return ""
    text = str(value)
    local = date.fromisoformat(text) if len(text) == 10 else \
        _parse(text).astimezone(slots.UK)
    return f"{local.day} {local:%B %Y}"


def long_when(value: Any) -> str:
    """An instant as GOV.UK writes a time people go to: Monday 7 December 2026 at 10:30am
    (2pm on the hour, midday at noon), UK wall-clock."""
    if value is None or value == "":
        return ""
    local = _parse(str(value)).astimezone(slots.UK)
    return f"{local:%A} {local.day} {local:%B %Y} at {clock(local)}"


def clock(local: datetime) -> str:
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    minutes = f":{local:%M}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def tag_colour(status: str) -> str:
    return TAG_COLOURS.get(status, "grey")


@cache
def _environment() -> Environment:
    """Built by the first page rendered: a JSON request never imports Jinja2."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(words=words, when=when, day=day, long_when=long_when,
                       tag_colour=tag_colour)
    return env


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
