"""Jinja2 templates (autoescaped) and the few filters the pages use."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workingbetter.domain import dates
from workingbetter.domain.coaches import clock_words
from workingbetter.domain.communication_needs import NEEDS, CommunicationNeed, Need
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
    """An instant: 3 March 2026 at 9:30am (or at 09:30:07): `domain/dates.py`."""
    return "" if value is None or value == "" else dates.when(value, seconds)


def day(value: Any) -> str:
    """A day, or an instant's day in the UK: 3 March 2026."""
    return "" if value is None or value == "" else dates.day(value)


def long_when(value: Any) -> str:
    """A time people go to: Monday 7 December 2026 at 10:30am."""
    return "" if value is None or value == "" else dates.long_when(value)


def past_example() -> str:
    """A date input's hint for a day gone by: a week ago, as the boxes take it (30 11 2026)."""
    return _example(-7)


def future_example() -> str:
    """A date input's hint for a day to come: a week ahead."""
    return _example(7)


def _example(days: int) -> str:
    shown = dates.today() + timedelta(days=days)
    return f"{shown.day} {shown.month} {shown.year}"


# The communication needs' checkboxes, as every form offers them (web/needs_form.py reads them).
NEED_CHOICES = [(str(need), info.words, "") for need, info in NEEDS.items()]


def need_words(need: CommunicationNeed | Mapping[str, Any]) -> str:
    """A communication need at a glance, from its record or as the JSON API shows it."""
    if isinstance(need, Mapping):
        need = CommunicationNeed(Need(need["need"]), need.get("language"), need.get("detail"))
    return need.words


def tag_colour(status: str) -> str:
    return TAG_COLOURS.get(status, "grey")


@cache
def _environment() -> Environment:
    """Built by the first page rendered: a JSON request never imports Jinja2."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(words=words, when=when, day=day, long_when=long_when,
                       weekday_day=dates.weekday_day, day_month=dates.day_month,
                       clock=dates.clock, clock_of=lambda v: dates.clock(dates.instant(v)),
                       tag_colour=tag_colour, session_clock=clock_words, need_words=need_words)
    from workingbetter.web.date_input import wrong_parts
    env.globals.update(wrong_parts=wrong_parts, past_example=past_example,
                       future_example=future_example, need_choices=NEED_CHOICES)
    return env


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
