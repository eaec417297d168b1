"""A referral's runs as ops read them: each run a section of plain-words steps, and how it
ended. One table says what each state of the state machine means; a state it does not know
is shown with its name in words.

Step Functions forgets a run 90 days after it ends: such a run keeps its section, saying so,
and the referral's timeline (the service's own record, in DynamoDB) says what happened, in
words from the same declarations."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workingbetter.domain.human_steps import BY_AWAITING
from workingbetter.domain.timeline_words import timeline_words as timeline_words

# Keyed by the ASL state's name (statemachines/referral.py, which writes referral.asl.json).
# A Choice state is named as the question it asks; its words say what the run did there.
# A human step's waits, and the Choices that read its answers, are worded by its declaration.
_STEP_WAITS = [w for s in BY_AWAITING.values() for w in s.waits]
STATES: Mapping[str, str] = {
    **{w.state: w.words for w in _STEP_WAITS},
    **{w.then: w.read_words for w in _STEP_WAITS if w.read_words},
    "WhereDoesThisRunStart": "Picked the stage to start at",
    "Triage": "Checked the referral against the rules",
    "DoesTriageNeedACoach": "Decided whether a coach must check it",
    "AllocateCoach": "Looked for a coach with a free place",
    "IsACoachFree": "Checked whether a coach was free",
    "BookFirstAppointment": "Booked the first appointment",
    "WaitForReview": "Waited until the next review was due",
    "ContinueInANewRun": "Started a new run for the support that goes on",
    "WaitForFirstSustainmentCheck": "Waited 13 weeks in work",
    "WaitForSecondSustainmentCheck": "Waited until 26 weeks in work",
    "WaitForThirdSustainmentCheck": "Waited until 52 weeks in work",
    "ChaseOverdueStep": "Chased an overdue step",
    "WhichStepIsDue": "Went back to the overdue step",
    "FlagStalled": "Flagged the referral as stalled for ops",
    "FlagTaskFailed": "Flagged a failed step for ops",
    "Stalled": "Stopped: a step was chased to its limit",
    "TaskFailed": "Stopped: a failed step was not retried",
    "Rejected": "Ended: not eligible",
    "Exited": "Ended: support finished",
    "Withdrawn": "Ended: withdrawn",
    "ContinuedInANewRun": "Handed over to the next run",
    # Runs recorded before the states were renamed keep their old names in their history.
    "Phase": "Picked the stage to start at",
    "TriageRoute": "Decided whether a coach must check it",
    "TriageDecision": "Read the coach's decision",
    "CoachFree": "Checked whether a coach was free",
    "AppointmentOutcome": "Read the appointment's outcome",
    "ReviewDecision": "Read the review's decision",
    "ContinueInWork": "Started the in-work support run",
    "FirstSustainmentCheck": "Read the 13-week in-work check",
    "BackToOverdueStep": "Went back to the overdue step",
    "RetryFailedStep": "Went back to the failed step",
    "ContinuedInWork": "Handed over to the in-work run",
}
FAILED_AT = "FailedAt"  # FailedAt<State>: the Catch of a task that failed after its retries
EVENTS: Mapping[str, str] = {
    "ExecutionStarted": "Run started",
    "ExecutionSucceeded": "Run ended",
    "ExecutionFailed": "Run stopped with an error",
    "ExecutionAborted": "Run stopped by the service",
    "ExecutionTimedOut": "Run timed out",
}
RUN_ENDS: Mapping[str | None, str] = {
    "Referral.Withdrawn": "withdrawn",
    "Referral.Stalled": "stalled: a step was chased to its limit",
    "Referral.TaskFailed": "a failed step was not retried",
}
# How a referral that has ended got there: the end state its last run reached.
END_STATES: Mapping[str, str] = {"WITHDRAWN": "Withdrawn", "EXITED": "Exited",
                                 "REJECTED": "Rejected"}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^A-Za-z\d\s]+")


def humanise(name: str) -> str:
    """A state's name in words: IsTheCoachFree? → Is the coach free?"""
    words = _WORD.findall(name.replace("_", " "))
    text = " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in words)
    text = text.replace(" ?", "?").replace(" ,", ",")
    return text[:1].upper() + text[1:]


def state_words(name: str) -> str:
    if name in STATES:
        return STATES[name]
    if name.startswith(FAILED_AT) and len(name) > len(FAILED_AT):
        step = name[len(FAILED_AT):]
        return f"A step failed: {STATES.get(step, humanise(step)).lower()}"
    return humanise(name)


def event_words(event: Mapping[str, Any]) -> str | None:
    """What one history event says, or None for one ops need not read."""
    kind = str(event["type"])
    if kind.endswith("StateEntered") and event.get("state"):
        return state_words(str(event["state"]))
    if kind in EVENTS:
        return EVENTS[kind]
    if kind.endswith("Failed"):
        return "A step failed"
    if kind.endswith("TimedOut"):
        return "A step timed out"
    return None


@dataclass(frozen=True)
class Step:
    at: datetime | str
    words: str
    by: str = ""


@dataclass(frozen=True)
class RunSection:
    name: str
    status: str
    started: datetime | None
    stopped: datetime | None
    ended: str  # how the run ended, in words ("" while it runs, or if it is not known)
    steps: list[Step]
    expired: bool = False  # Step Functions no longer holds it (90 days after it ended)


def _ending(run: Mapping[str, Any], steps: list[Step], exit_reason: str | None) -> str:
    if run["status"] == "RUNNING":
        return ""
    if run.get("error"):
        return RUN_ENDS.get(run["error"], humanise(str(run["error"]).rsplit(".", 1)[-1]))
    last = next((s.words for s in reversed(steps) if s.words.startswith("Ended")), "")
    reason = f" ({humanise(exit_reason).lower()})" if exit_reason else ""
    return (last.removeprefix("Ended: ") if last else "ended") + reason


def _expired(name: str, status: str | None, exit_reason: str | None) -> RunSection:
    """A run Step Functions has forgotten; how the last one ended is the referral's own
    record (its status), where it has ended."""
    end = END_STATES.get(status or "")
    ended = _ending({"status": "SUCCEEDED"}, [Step("", STATES[end])], exit_reason) if end \
        else ""
    return RunSection(name, "", None, None, ended, [], expired=True)


def sections(names: Sequence[str], runs: Mapping[str, Mapping[str, Any]],
             events: Sequence[Mapping[str, Any]], exit_reason: str | None,
             status: str | None = None) -> list[RunSection]:
    """One section per run the referral has had (`names`, in the order they ran), from what
    Step Functions still holds of each (`runs` by name, and their `events`); the referral's
    exit reason and status are the last run's."""
    found: list[RunSection] = []
    for index, name in enumerate(names):
        last = index == len(names) - 1
        run = runs.get(name)
        if run is None:
            found.append(_expired(name, status if last else None, exit_reason if last else None))
            continue
        steps = [Step(e["at"], words) for e in events if e.get("run") == name
                 for words in [event_words(e)] if words]
        found.append(RunSection(name, str(run["status"]), run.get("started"),
                                run.get("stopped"),
                                _ending(run, steps, exit_reason if last else None), steps))
    return found
