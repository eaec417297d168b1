"""Ops read a run in plain words: known states from one table, unknown ones humanised."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workingbetter.web.run_words import STATES, humanise, sections, state_words, timeline_words

ASL = Path(__file__).parents[2] / "statemachines" / "referral.asl.json"
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_a_state_the_table_does_not_know_is_shown_with_its_name_in_words() -> None:
    assert state_words("IsTheCoachFree?") == "Is the coach free?"
    assert state_words("HasOpsRetriedTheStep") == "Has ops retried the step"
    assert humanise("NHSNumberKnown") == "NHS number known"


def test_a_failed_step_names_the_step_in_words() -> None:
    assert state_words("FailedAtBookFirstAppointment") == \
        "A step failed: booked the first appointment"


def test_every_state_in_the_table_reads_as_words_not_a_name() -> None:
    for name, words in STATES.items():
        assert " " in words, name
        assert name not in words


def test_the_state_machines_states_all_read_as_words() -> None:
    # Known names from the table, the rest humanised: never a bare CamelCase name.
    names = set(json.loads(ASL.read_text())["States"])
    for name in names:
        assert state_words(name) != name


def test_every_state_of_the_state_machine_has_its_own_words() -> None:
    # Its Choice states are named as questions (IsACoachFree): the table says what the run did.
    assert set(json.loads(ASL.read_text())["States"]) - set(STATES) == set()


def test_each_run_is_its_own_section_with_how_it_ended() -> None:
    runs: list[dict[str, Any]] = [
        {"name": "r1", "status": "FAILED", "started": AT, "stopped": AT,
         "error": "Referral.Stalled"},
        {"name": "r1-resume-1", "status": "SUCCEEDED", "started": AT, "stopped": AT}]
    events = [
        {"at": AT, "type": "ExecutionStarted", "state": None, "run": "r1"},
        {"at": AT, "type": "TaskStateEntered", "state": "AwaitReview", "run": "r1"},
        {"at": AT, "type": "ChoiceStateEntered", "state": "IsTheReviewOverdue?", "run": "r1"},
        {"at": AT, "type": "TaskScheduled", "state": None, "run": "r1"},
        {"at": AT, "type": "SucceedStateEntered", "state": "Exited", "run": "r1-resume-1"},
    ]

    first, second = sections([r["name"] for r in runs], {r["name"]: r for r in runs}, events,
                             "job_sustained_26_weeks")

    assert [s.words for s in first.steps] == [
        "Run started", "Waited for the coach's review", "Is the review overdue?"]
    assert first.ended == "stalled: a step was chased to its limit"
    assert [s.words for s in second.steps] == ["Ended: support finished"]
    assert second.ended == "support finished (job sustained 26 weeks)"


def test_a_forgotten_run_keeps_its_section_and_how_the_referral_ended() -> None:
    first, last = sections(["r1", "r1-in-work"], {}, [], "no_longer_wishes", "WITHDRAWN")

    assert (first.expired, first.ended, first.steps) == (True, "", [])
    assert (last.expired, last.ended) == (True, "withdrawn (no longer wishes)")


def test_the_timeline_says_a_wait_in_the_words_of_its_step() -> None:
    assert timeline_words("awaiting_triage_decision") == \
        "Started waiting for a coach to check the referral"
    assert timeline_words("awaiting_sustainment_check") == \
        "Started waiting for an in-work check"
    assert timeline_words("coach_allocated") == "Coach allocated"
