"""Every kind of message the service sends, declared once (docs/architecture.md, "Adding a
message kind"): who it is for, when it falls due, the channels GOV.UK Notify carries it by
(one template each), its words, the coach's task words when it falls to them, and whether it
still goes after the referral has ended.

What is derived from `KINDS` and nowhere else written down: the Notify template keys a
deployment needs (`NOTIFY_TEMPLATE_KEYS`, `python -m infra.template_keys`), the words of each
template and ops alert (`notifications/messages.py`), the coach's task list (`web/caseload.py`),
what the sender still sends after the end, the channel a patient's message takes
(`patient_channel.py`), and the message-kinds table in docs/messages.md. Which event schedules
a kind stays with the event (`notifications/notices.py`).

Words are in Notify's template form: ((fields)) are filled at sending time, and the result is
never stored or logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from workingbetter.domain.channels import NOTIFY_TYPE, WRITTEN, Channel
from workingbetter.domain.communication_needs import LETTER_FORMATS


class Audience(StrEnum):
    PATIENT = "patient"  # by their channel (text, email, letter) or their coach's task
    COACH = "coach"  # a task on the coach's list
    OPS = "ops"  # an alert to the service managers' topic
    PRACTICE = "practice"  # an email to the referring surgery, only if the patient agreed


class Due(StrEnum):
    """When a message of a kind falls due, from the moment the event gives (`notices.py`)."""

    AT_ONCE = "at once"
    DAY_BEFORE = "the day before the appointment"
    END_OF_SESSION_DAY = "at the end of the appointment's day (17:30)"
    AFTER_CHASE_DAYS = "3 days after the step fell due, on a working day"
    INTERPRETER_CHASE = "a few working days before the appointment (a setting)"
    ACKNOWLEDGE_BY = "2 working days after the referral came in"


@dataclass(frozen=True)
class Words:
    subject: str
    body: str


@dataclass(frozen=True)
class MessageKind:
    audience: Audience
    due: Due
    words: Words | None = None  # the Notify template's or the alert's words
    notify: tuple[Channel, ...] = ()  # the channels Notify carries it by: a template for each
    purpose: str = ""  # what a Notify template is for, as the person making it reads it
    task: str = ""  # the coach's task, when it falls to them ({what} {interpreter} {when})
    called: str = ""  # how the coach's "could not be delivered" task names it
    after_the_end: bool = False  # still sent once the referral has ended
    follow_up: bool = False  # about a follow-up appointment: keyed by the follow-up's id


def _patient(words: Words, purpose: str, task: str, due: Due = Due.AT_ONCE,
             notify: tuple[Channel, ...] = WRITTEN, *, called: str = "",
             after_the_end: bool = False, follow_up: bool = False) -> MessageKind:
    return MessageKind(Audience.PATIENT, due, words, notify, purpose, task, called,
                       after_the_end, follow_up)


def _coach(task: str, words: Words | None = None, due: Due = Due.AT_ONCE,
           follow_up: bool = False) -> MessageKind:
    return MessageKind(Audience.COACH, due, words, task=task, follow_up=follow_up)


def _ops(subject: str, body: str, due: Due = Due.AT_ONCE,
         after_the_end: bool = False) -> MessageKind:
    return MessageKind(Audience.OPS, due, Words(subject, body), after_the_end=after_the_end)


def _practice(subject: str, body: str, purpose: str, after_the_end: bool = False) -> MessageKind:
    return MessageKind(Audience.PRACTICE, Due.AT_ONCE, Words(subject, body),
                       (Channel.PRACTICE_EMAIL,), purpose, after_the_end=after_the_end)


_BY_TEXT_OR_EMAIL = (Channel.SMS, Channel.EMAIL)  # a letter posted the day before is too late
_STILL_YOUR_CHOICE = "It is still your choice to take part."


class Kind(StrEnum):
    APPOINTMENT_CONFIRMATION = "appointment_confirmation"
    APPOINTMENT_REMINDER = "appointment_reminder"
    APPOINTMENT_FOLLOW_UP_REMINDER = "appointment_follow_up_reminder"
    APPOINTMENT_FOLLOW_UP_MISSED = "appointment_follow_up_missed"
    APPOINTMENT_MOVED = "appointment_moved"
    APPOINTMENT_NEW_COACH = "appointment_new_coach"
    APPOINTMENT_COACH_LEFT = "appointment_coach_left"
    APPOINTMENT_PRACTICE_LEFT = "appointment_practice_left"
    COACH_OUTCOME_NOT_RECORDED = "coach_outcome_not_recorded"
    COACH_REVIEW_OVERDUE = "coach_review_overdue"
    COACH_SUSTAINMENT_OVERDUE = "coach_sustainment_overdue"
    COACH_PATIENT_ASKS_TO_CHANGE = "coach_patient_asks_to_change"
    COACH_PATIENT_ASKS_TO_CANCEL = "coach_patient_asks_to_cancel"
    COACH_MESSAGE_UNDELIVERED = "coach_message_undelivered"
    COACH_FOLLOW_UP_OUTREACH = "coach_follow_up_outreach"
    COACH_ARRANGE_INTERPRETER = "coach_arrange_interpreter"
    COACH_INTERPRETER_NOT_ARRANGED = "coach_interpreter_not_arranged"
    OPS_NOT_ACKNOWLEDGED = "ops_not_acknowledged"
    OPS_TRIAGE_OVERDUE = "ops_triage_overdue"
    OPS_WAITLIST_OVER_LIMIT = "ops_waitlist_over_limit"
    OPS_RUN_FAILED = "ops_run_failed"
    OPS_NOTIFICATION_FAILED = "ops_notification_failed"
    OPS_CAPACITY_REPAIRED = "ops_capacity_repaired"
    OPS_LETTER_FORMAT_MISSING = "ops_letter_format_missing"
    PRACTICE_ACCEPTED = "practice_accepted"
    PRACTICE_FIRST_ATTENDED = "practice_first_attended"
    PRACTICE_ENDED = "practice_ended"

    @property
    def declared(self) -> MessageKind:
        return KINDS[self]

    @property
    def audience(self) -> Audience:
        return KINDS[self].audience


KINDS: dict[Kind, MessageKind] = {
    # -- to the patient --------------------------------------------------------------------
    Kind.APPOINTMENT_CONFIRMATION: _patient(
        Words("Your Working Better appointment",
              "Hello ((given_name)), your Working Better appointment is on ((when)) at "
              "((practice)). It is your choice to come, and it does not affect any benefits. "
              "If you no longer want this support, you can leave at any time. To see or change "
              "your appointment, or to leave: ((withdraw_link))"),
        "When an appointment is booked: when and where, and a one-time link to see, change "
        "or leave",
        "Tell the patient about their appointment (they chose a phone call)",
        called="their appointment confirmation"),
    Kind.APPOINTMENT_REMINDER: _patient(
        Words("Reminder: Working Better tomorrow",
              "Hello ((given_name)), a reminder that your Working Better appointment is "
              "tomorrow, ((when)), at ((practice)). If you cannot come, please call the "
              "surgery."),
        "The day before the first appointment",
        "Remind the patient of tomorrow's appointment (they chose a phone call or letters)",
        Due.DAY_BEFORE, _BY_TEXT_OR_EMAIL, called="their appointment reminder"),
    Kind.APPOINTMENT_FOLLOW_UP_REMINDER: _patient(
        Words("Reminder: Working Better tomorrow",
              "Hello ((given_name)), a reminder that you have a Working Better appointment "
              "with your coach tomorrow, ((when)), ((where)). If you cannot make it, please "
              "tell your coach."),
        "The day before a follow-up appointment with the coach",
        "Remind the patient of tomorrow's follow-up appointment (letter or phone)",
        Due.DAY_BEFORE, _BY_TEXT_OR_EMAIL, follow_up=True),
    Kind.APPOINTMENT_FOLLOW_UP_MISSED: _patient(
        Words("We missed you today",
              "Hello ((given_name)), we missed you at your Working Better appointment on "
              "((when)). Your coach will be in touch to find another time. It is still your "
              "choice to take part, and it does not affect any benefits."),
        "After a missed follow-up appointment: the coach will be in touch",
        "Tell the patient we missed them at their follow-up (letter or phone)",
        notify=_BY_TEXT_OR_EMAIL, follow_up=True),
    Kind.APPOINTMENT_MOVED: _patient(  # its coach is away: a new time, and where
        Words("Your Working Better appointment has moved",
              "Hello ((given_name)), your coach is away, so your Working Better appointment "
              "has moved. It is now on ((when)), ((where)). If the new time does not suit "
              f"you, please call the surgery. {_STILL_YOUR_CHOICE}"),
        "When a coach's absence moves an appointment: its new time and where",
        "Tell the patient their appointment has moved, and when to (they chose a phone call)"),
    Kind.APPOINTMENT_NEW_COACH: _patient(  # a manager moved them to another coach
        Words("Your Working Better coach has changed",
              "Hello ((given_name)), your Working Better coach is now ((coach_name)). What you "
              "have agreed so far carries on with them. If the time of an appointment "
              f"changes, we will tell you. {_STILL_YOUR_CHOICE}"),
        "When the service manager moves a patient to another coach: the new coach's name",
        "Introduce yourself: you are the patient's new coach (they chose a phone call)"),
    Kind.APPOINTMENT_COACH_LEFT: _patient(  # waiting for a new coach's place
        Words("Your Working Better coach has left",
              "Hello ((given_name)), your Working Better coach has left the service. You are "
              "on the waiting list for a new coach, ahead of people referred after you, and we "
              f"will tell you when you have one. {_STILL_YOUR_CHOICE}"),
        "When a patient's coach leaves and no other coach has a place: they wait for one",
        "Tell the patient their coach has left and they wait for a new one (they chose a "
        "phone call)"),
    Kind.APPOINTMENT_PRACTICE_LEFT: _patient(  # support ended: the surgery left
        Words("Your Working Better support has ended",
              "Hello ((given_name)), your GP surgery has left Working Better, so your support "
              "from us has ended and any appointments with us are cancelled. Nothing about "
              "this goes to the Jobcentre or touches your benefits. Your GP surgery can tell "
              "you what other support there is."),
        "When their GP surgery leaves the pilot and the service manager ends its referrals: "
        "support has ended",
        "Tell the patient their surgery has left the service and their support has ended "
        "(they chose a phone call)",
        after_the_end=True),  # told once it has ended, which cancels everything else
    # -- to the coach (tasks on their list) ------------------------------------------------
    Kind.COACH_OUTCOME_NOT_RECORDED: _coach(
        "Record the first appointment's outcome",
        Words("Record the appointment outcome",
              "The outcome of the first appointment for referral ((referral_id)) on ((when)) "
              "has not been recorded yet. Please record it in your workspace."),
        Due.END_OF_SESSION_DAY),
    Kind.COACH_REVIEW_OVERDUE: _coach(
        "The review is 3 days overdue",
        Words("Review overdue",
              "The review for referral ((referral_id)) is 3 days overdue. Please record it."),
        Due.AFTER_CHASE_DAYS),
    Kind.COACH_SUSTAINMENT_OVERDUE: _coach(
        "The in-work check is 3 days overdue",
        Words("In-work check overdue", "The in-work check for referral ((referral_id)) is 3 "
              "days overdue. Please record it."),
        Due.AFTER_CHASE_DAYS),
    Kind.COACH_PATIENT_ASKS_TO_CHANGE: _coach(  # from the patient's page
        "The patient asks to change their appointment",
        Words("A patient asks to change their appointment",
              "The patient for referral ((reference)) asks to change their appointment on "
              "((when)). Please contact them to agree a new time.")),
    Kind.COACH_PATIENT_ASKS_TO_CANCEL: _coach(
        "The patient asks to cancel their appointment",
        Words("A patient asks to cancel their appointment",
              "The patient for referral ((reference)) asks to cancel their appointment on "
              "((when)). Please record it as cancelled and contact them.")),
    Kind.COACH_MESSAGE_UNDELIVERED: _coach(
        "A message could not be delivered to the patient ({what}): contact them another way "
        "and check their details"),
    Kind.COACH_FOLLOW_UP_OUTREACH: _coach(
        "They missed a follow-up: call or write to them",
        Words("Follow-up appointment missed",
              "The patient for referral ((referral_id)) missed their follow-up on ((when)). "
              "Please call or write to them."),
        follow_up=True),
    # An interpreter need: arrange one for the appointment (its confirmation waits), and a
    # chase when it is still not arranged close to the day.
    Kind.COACH_ARRANGE_INTERPRETER: _coach(
        "Arrange {interpreter} for {when}, then record it on the case record: the patient is "
        "told of the appointment then",
        Words("Arrange an interpreter",
              "The patient for referral ((referral_id)) needs an interpreter at their "
              "appointment on ((when)). Please arrange one and record it: the patient is told "
              "of the appointment once it is arranged.")),
    Kind.COACH_INTERPRETER_NOT_ARRANGED: _coach(
        "{interpreter} for {when} is still not arranged, and the patient has not been told of "
        "the appointment",
        Words("Interpreter still not arranged",
              "The interpreter for referral ((referral_id)) on ((when)) is still not arranged, "
              "and the patient has not been told of the appointment. Please arrange one now."),
        Due.INTERPRETER_CHASE),
    # -- to ops (alerts on the topic) ------------------------------------------------------
    Kind.OPS_NOT_ACKNOWLEDGED: _ops(
        "Referral not acknowledged",
        "Referral ((referral_id)) has not been acknowledged within 2 working days.",
        Due.ACKNOWLEDGE_BY),
    Kind.OPS_TRIAGE_OVERDUE: _ops(
        "Triage decision overdue",
        "The triage decision for referral ((referral_id)) is overdue: it has been chased."),
    Kind.OPS_WAITLIST_OVER_LIMIT: _ops(
        "Waitlist over its limit",
        "Referral ((referral_id)) has waited for a coach longer than the waitlist limit."),
    Kind.OPS_RUN_FAILED: _ops(
        "A referral's run needs attention",
        "The run for referral ((referral_id)) stopped (((detail))). See the ops console.",
        after_the_end=True),
    Kind.OPS_NOTIFICATION_FAILED: _ops(
        "A message could not be sent",
        "A message for referral ((referral_id)) (((detail))) failed after every retry.",
        after_the_end=True),
    Kind.OPS_CAPACITY_REPAIRED: _ops(
        "A coach's caseload count was repaired",
        "The daily check found a caseload count that did not match the referrals holding a "
        "place (((detail))); it was corrected and free places offered to the waitlist. "
        "Referral ((referral_id)) was affected. Please look for the cause.",
        after_the_end=True),
    # A standard letter went instead of a format's: sent straight to the topic, naming the
    # template, never through a referral's outbox (which patient needs it is not ops' to know).
    Kind.OPS_LETTER_FORMAT_MISSING: _ops(
        "A letter went in the standard format",
        "A patient needs letters in a format this deployment has no GOV.UK Notify template "
        "for (((detail))): the standard letter was sent. Add the template to NotifyTemplates."),
    # -- to the referring practice (only if the patient agreed) ----------------------------
    Kind.PRACTICE_ACCEPTED: _practice(
        "Working Better: referral accepted",
        "Referral ((reference)) has been accepted by Working Better.",
        "Once the referral is accepted (only if the patient agreed)"),
    Kind.PRACTICE_FIRST_ATTENDED: _practice(
        "Working Better: first appointment attended",
        "The patient for referral ((reference)) attended their first Working Better "
        "appointment.",
        "Once the first appointment is attended (only if the patient agreed)"),
    Kind.PRACTICE_ENDED: _practice(
        "Working Better: support ended",
        "Working Better support for referral ((reference)) has ended: ((outcome)).",
        "When support ends, with why in plain words (only if the patient agreed)",
        after_the_end=True),
}

# -- derived -------------------------------------------------------------------------------

# Still worth sending after the referral has ended: the ending itself, and ops' own alerts.
AFTER_THE_END = frozenset(k for k, m in KINDS.items() if m.after_the_end)
# Messages about a follow-up appointment: keyed by the follow-up's id (its start).
FOLLOW_UP_KINDS = frozenset(k for k, m in KINDS.items() if m.follow_up)
# The coach's tasks about an interpreter to arrange: done only by recording it arranged (which
# sends the confirmation they hold), stale once it is.
ARRANGING_INTERPRETER = frozenset({Kind.COACH_ARRANGE_INTERPRETER,
                                   Kind.COACH_INTERPRETER_NOT_ARRANGED})
# The kinds GOV.UK Notify sends, each by its Notify message types: one template for each pair
# (settings.notify_templates, keyed "kind.type").
BY_NOTIFY: dict[Kind, tuple[str, ...]] = {
    k: tuple(dict.fromkeys(NOTIFY_TYPE[c] for c in m.notify)) for k, m in KINDS.items()
    if m.notify}
NOTIFY_TEMPLATE_KEYS = frozenset(f"{kind}.{channel}" for kind, channels in BY_NOTIFY.items()
                                 for channel in channels)
# Each letter in a format a need asks for (large print, easy read) is its own Notify letter
# template. A council may not have made them yet: each is optional, and a letter without its
# format's template goes as the standard letter with ops told (OPS_LETTER_FORMAT_MISSING).
FORMAT_TEMPLATE_KEYS = frozenset(f"{key}_{fmt}" for key in NOTIFY_TEMPLATE_KEYS
                                 if key.endswith(".letter") for fmt in LETTER_FORMATS.values())


def template_keys_problem(keys: Iterable[str]) -> str | None:
    """What is wrong with the keys of the Notify template ids a deployment gives
    (WB_NOTIFY_TEMPLATES), or None: exactly one for each kind and channel Notify sends."""
    given = set(keys)
    missing = sorted(NOTIFY_TEMPLATE_KEYS - given)
    unknown = sorted(given - NOTIFY_TEMPLATE_KEYS - FORMAT_TEMPLATE_KEYS)
    if not (missing or unknown):
        return None
    return (f"WB_NOTIFY_TEMPLATES needs exactly a template id for each of the "
            f"{len(NOTIFY_TEMPLATE_KEYS)} keys `python -m infra.template_keys` lists (and "
            f"optionally its large-print and easy-read letters): "
            f"missing {missing}, unknown {unknown}")
