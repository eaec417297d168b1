"""A line of a referral's timeline in plain words: for ops's view of its runs and for the
patient's copy of what is held about them alike (one wording)."""

from __future__ import annotations

from workingbetter.domain.human_steps import BY_VALUE

AWAITING = "awaiting_"  # the timeline's event as a run starts waiting on a human step


def timeline_words(event: str) -> str:
    """A line of the referral's timeline in words; a human step's wait is worded by its
    declaration, as the run's own wait is."""
    step = BY_VALUE.get(event.removeprefix(AWAITING)) if event.startswith(AWAITING) else None
    if step is None:
        text = event.replace("_", " ")
        return text[:1].upper() + text[1:]
    if len(step.waits) == 1:
        return "Started waiting" + step.waits[0].words.removeprefix("Waited")
    return f"Started waiting for {step.waiting_for[:1].lower()}{step.waiting_for[1:]}"
