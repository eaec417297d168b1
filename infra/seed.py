"""Seed the pilot's practices and coaches (each coach holds one surgery session a week)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workingbetter.adapters.store import Store
from workingbetter.domain.records import Practice, Session

PILOT = Path(__file__).with_name("pilot_practices.json")


def pilot() -> dict[str, Any]:
    """The pilot's practices, their coaches, and the made-up people who sign in."""
    found: dict[str, Any] = json.loads(PILOT.read_text())
    return found


def pilot_practices() -> list[dict[str, Any]]:
    return list(pilot()["practices"])


def seed(store: Store) -> list[dict[str, Any]]:
    practices = pilot_practices()
    for practice in practices:
        sessions = tuple(Session(c["coach_id"], c["weekday"]) for c in practice["coaches"])
        store.put_practice(Practice(practice["practice_ods"], practice["name"], sessions,
                                    practice["email"], practice["address"], practice["phone"]))
        for coach in practice["coaches"]:
            store.put_coach(coach["coach_id"], practice["practice_ods"], coach["weekday"],
                            coach["name"])
    return practices
