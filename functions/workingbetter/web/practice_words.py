"""What a referral's status means to practice staff, in their words, and the few timeline
events they are shown (never a coach's notes, reasons or who did what). What they may see at
all is decided before these words are chosen (domain/disclosure.py, in services.referrals.view):
without the patient's consent the status is ACCEPTED until support ends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workingbetter.domain.channels import Channel
from workingbetter.domain.disclosure import ACCEPTED, SUPPORT_ENDED
from workingbetter.domain.referral import TERMINAL, Status
from workingbetter.domain.triage import WHO_IT_IS_FOR
from workingbetter.web.render import when

if TYPE_CHECKING:
    from workingbetter.notifications.waiting import Confirmation


@dataclass(frozen=True)
class Meaning:
    status: str  # the status in plain words
    next_step: str  # what happens next, in one line
    explained: str  # the detail page's paragraph


MEANINGS: dict[str, Meaning] = {
    Status.RECEIVED: Meaning(
        "Received", "We check the referral",
        "We have the referral and are checking it against the service's rules."),
    Status.TRIAGE: Meaning(
        "Being checked", "We check the referral",
        "We are checking the referral against the service's rules."),
    Status.AWAITING_TRIAGE_DECISION: Meaning(
        "A coach is checking it", "A coach decides whether the service can help",
        "The patient's condition is not one the rules cover, so a coach at your practice "
        "decides whether Working Better can help. They usually decide within 14 days."),
    Status.WAITLISTED: Meaning(
        "On the waiting list", "The patient gets the next free place",
        "Every coach at your practice is full. The patient gets the next place that frees "
        "up, in the order referrals arrived, and is then offered an appointment."),
    Status.ALLOCATED: Meaning(
        "Coach found", "We book the first appointment",
        "A coach at your practice will see the patient. We are booking the first appointment "
        "in the coach's next session."),
    Status.APPOINTMENT_BOOKED: Meaning(
        "First appointment booked", "The patient meets their coach",
        "The first appointment is booked at your practice."),
    ACCEPTED: Meaning(
        "Accepted", "The patient is with the service",
        "The patient was accepted and has a place with a coach at your practice. They did not "
        "agree to share how it goes with the practice, so you will see only when it ends."),
    Status.IN_SUPPORT: Meaning(
        "Being coached", "The patient meets their coach regularly",
        "The patient is meeting their coach. The coach reviews how it is going every 4 "
        "weeks, for as long as the patient wants support."),
    Status.IN_WORK: Meaning(
        "In work, still supported", "The coach checks in at 13, 26 and 52 weeks",
        "The patient has started work. Their coach keeps in touch and checks in at 13, 26 and "
        "52 weeks."),
    Status.EXITED: Meaning(
        "Support ended", "Nothing: the referral has ended",
        "The patient's support has ended. You can refer them again if they would like."),
    Status.REJECTED: Meaning(
        "Not accepted", "Nothing: the referral has ended",
        f"Working Better cannot help this patient: it is for people {WHO_IT_IS_FOR}. "
        "Nothing else is needed from you."),
    Status.WITHDRAWN: Meaning(
        "Withdrawn", "Nothing: the referral has ended",
        "The referral was withdrawn. You can refer the patient again if they would like."),
}
STALLED = Meaning(
    "Delayed", "Our service team is sorting out a problem",
    "Something held the referral up. Our service team has been told and will move it on; "
    "nothing is needed from you.")

# The timeline the practice sees: these events only, in these words.
EVENTS = {
    "referral_received": "Referral received",
    "triage_accepted": "Accepted by a coach",
    "triage_rejected": "Not accepted",
    "place_offered": "Offered a place that came free",
    "coach_allocated": "Coach found",
    "appointment_booked": "Appointment booked",
    "appointment_cancelled_rebooking": "Appointment cancelled: a new one is being booked",
    "did_not_attend_outreach": "Missed an appointment: the coach will get in touch",
    "first_appointment_attended": "Went to the first appointment",
    "job_started": "Started work",
    "in_work_13_weeks": "Still in work at 13 weeks",
    "in_work_26_weeks": "Still in work at 26 weeks",
    "in_work_52_weeks": "Still in work at 52 weeks",
    "review_exit": "Support ended",
    "did_not_attend_exit": "Support ended after missed appointments",
    "support_period_ended": "Support ended by agreement",
    "withdrawn": "Withdrawn",
    "personal_data_erased": "The patient's details were deleted",
    SUPPORT_ENDED: "Support ended",
}


def meaning(referral: Mapping[str, Any]) -> Meaning:
    """Of a referral as the API shows it (which says whether it has stalled)."""
    stage = str(referral["status"])
    if referral.get("stalled") and stage not in TERMINAL:
        return STALLED
    return MEANINGS[stage]


# How the patient hears of their appointment, in the words of what has happened so far.
SENT_BY = {Channel.SMS: "a text message", Channel.EMAIL: "an email", Channel.LETTER: "a letter"}


def told(confirmation: Confirmation | None) -> str:
    """Whether the patient has been told of the appointment, as it stands at this moment (a
    text booked at night waits for 08:00; the sender runs every few minutes)."""
    if confirmation is None:
        return ""
    from workingbetter.notifications.waiting import Told  # the store's code: on first use

    by = SENT_BY.get(confirmation.channel, "a message")
    return {
        Told.WAITING: f"The patient has not been told yet: {by} with the appointment goes to "
                      f"them at {when(confirmation.goes_at)}.",
        Told.SENT: f"The patient has been sent {by} with the appointment.",
        Told.BY_COACH: "The patient asked to be phoned: their coach will ring them with the "
                       "appointment.",
        Told.NOT_SENT: "We could not send the patient the appointment: their coach will "
                       "contact them another way.",
    }[confirmation.told]


def explained(view: Mapping[str, Any], confirmation: Confirmation | None = None) -> str:
    """The detail page's paragraph: what the status means, and for a booked appointment
    whether the patient has been told of it yet."""
    found = meaning(view)
    if found is MEANINGS[Status.APPOINTMENT_BOOKED]:
        return " ".join(filter(None, (found.explained, told(confirmation))))
    return found.explained


def next_step(view: Mapping[str, Any]) -> str:
    """The list's 'next step' column: the appointment's time once one is booked."""
    found = meaning(view)
    appointment = view.get("appointment")
    if view["status"] == Status.APPOINTMENT_BOOKED and appointment:
        return f"First appointment {when(appointment['start'])}"
    return found.next_step


def timeline(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(when, what) for the events the practice is shown, oldest first."""
    return [(str(e["at"]), EVENTS[e["event"]]) for e in view.get("timeline", [])
            if e["event"] in EVENTS]
