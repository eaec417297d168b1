"""No message is ever scheduled for a channel it has no template for: whatever the notices
schedule for a patient by text, email or letter has a GOV.UK Notify template (a key of
settings.notify_templates), and whatever falls back to the coach's task has the coach's words.
A letter-preferring patient's follow-up reminder once chose `letter`, which has no template: the
sender's KeyError ended the whole run (issue 19, item 15)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import cast

import pytest

from workingbetter.adapters.dynamo import Tables
from workingbetter.adapters.outbox import Notice, Outbox
from workingbetter.domain import slots
from workingbetter.domain.channels import NOTIFY_TYPE, Channel, State
from workingbetter.domain.communication_needs import NO_PHONE_CALLS, CommunicationNeed, Need
from workingbetter.domain.human_steps import HUMAN_STEPS
from workingbetter.domain.notification_kinds import NOTIFY_TEMPLATE_KEYS, Kind
from workingbetter.domain.patient_channel import patient_channel
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.records.referral import Appointment, Referral
from workingbetter.domain.referral import ContactPreference, Status
from workingbetter.notifications.notices import Notices
from workingbetter.settings import Settings
from workingbetter.web.caseload import IN_WRITING, TASK_WORDS, task_words

START = "2026-11-30T09:30:00Z"
PREFERENCES: tuple[ContactPreference | None, ...] = (*ContactPreference, None)


class RecordingOutbox(Outbox):
    """Keeps what is scheduled; cancelling and clearing change nothing here."""

    def __init__(self) -> None:
        super().__init__(cast(Tables, None))
        self.recorded: list[Notice] = []

    def schedule(self, notice: Notice) -> bool:
        self.recorded.append(notice)
        return True

    def cancel(self, referral_id: str, kinds: Iterable[Kind] | None = None,
               keep: Iterable[Kind] = ()) -> int:
        return 0

    def cancel_one(self, referral_id: str, notification_id: str) -> bool:
        return False

    def clear_tasks(self, referral_id: str, kinds: Iterable[Kind], key: str = "") -> int:
        return 0


def referral(preference: ContactPreference | None) -> Referral:
    return Referral("r1", "2026-11-01T09:00:00Z", Status.IN_SUPPORT, "F83001",
                    coach_id="c1", contact_preference=preference, share_outcome_with_gp=True,
                    appointment=Appointment(START, "F83001"))


def each(method: Callable[..., None], *calls: tuple[object, ...]) -> None:
    for arguments in calls:
        method(*arguments)


OUTCOMES = ("attended", "did_not_attend", "cancelled")
# Every way the notices schedule something, each called for one referral.
CALLS: dict[str, Callable[[Notices, Referral], None]] = {
    "received": lambda n, r: n.received(r),
    "accepted": lambda n, r: n.accepted(r),
    "booked": lambda n, r: each(n.booked, (r, START),
                                (replace(r, need_kinds=("bsl_interpreter",)), START)),
    "interpreter_arranged": lambda n, r: n.interpreter_arranged(r, START),
    "moved": lambda n, r: each(n.moved, (r, START, True), (r, START, False),
                               (replace(r, need_kinds=("bsl_interpreter",)), START, True)),
    "new_coach": lambda n, r: n.new_coach(r, slots.parse_iso(START)),
    "waitlisted_again": lambda n, r: n.waitlisted_again(r),
    "interpreter_needed": lambda n, r: n.interpreter_needed(r, START),
    "practice_left": lambda n, r: n.practice_left(r),
    "appointment_over": lambda n, r: each(n.appointment_over, *[(r, o) for o in OUTCOMES]),
    "follow_up_booked": lambda n, r: n.follow_up_booked(r, START, START),
    "follow_up_over": lambda n, r: each(n.follow_up_over,
                                        *[(r, START, o) for o in OUTCOMES]),
    "patient_asks": lambda n, r: each(n.patient_asks,
                                      (r, Kind.COACH_PATIENT_ASKS_TO_CHANGE, START),
                                      (r, Kind.COACH_PATIENT_ASKS_TO_CANCEL, START)),
    "step_due": lambda n, r: each(n.step_due, *[(r, s.awaiting, START) for s in HUMAN_STEPS]),
    "step_answered": lambda n, r: each(n.step_answered, *[(r, s.awaiting)
                                                          for s in HUMAN_STEPS]),
    "undelivered": lambda n, r: n.undelivered(r.referral_id, "appointment_reminder:x"),
    "overdue": lambda n, r: each(n.overdue, *[(r, s.awaiting, 1) for s in HUMAN_STEPS]),
    "run_failed": lambda n, r: n.run_failed(r.referral_id, "task_failed"),
    "capacity_repaired": lambda n, r: n.capacity_repaired(r.referral_id, "c1"),
    "sending_failed": lambda n, r: n.sending_failed(r.referral_id, "appointment_reminder:x"),
    "ended": lambda n, r: n.ended(r),
}


def scheduled_for(preference: ContactPreference | None) -> list[Notice]:
    outbox = RecordingOutbox()
    notices = Notices(outbox, Settings.model_construct(seconds_per_day=86400.0))
    for call in CALLS.values():
        call(notices, referral(preference))
    return outbox.recorded


def test_every_way_of_scheduling_a_message_is_checked_here() -> None:
    public = {name for name, _ in inspect.getmembers(Notices, inspect.isfunction)
              if not name.startswith("_")}
    assert public == set(CALLS), "add the new method to CALLS so its channels are checked"


@pytest.mark.parametrize("preference", PREFERENCES, ids=str)
def test_whatever_goes_by_notify_has_a_template(preference: ContactPreference | None) -> None:
    by_notify = {f"{n.kind}.{NOTIFY_TYPE[n.channel]}" for n in scheduled_for(preference)
                 if n.channel in NOTIFY_TYPE}
    assert by_notify <= NOTIFY_TEMPLATE_KEYS, sorted(by_notify - NOTIFY_TEMPLATE_KEYS)


@pytest.mark.parametrize("preference", PREFERENCES, ids=str)
def test_whatever_falls_to_the_coach_has_the_coachs_words(
        preference: ContactPreference | None) -> None:
    tasks = {n.kind for n in scheduled_for(preference) if n.channel is Channel.COACH_TASK}
    assert tasks <= set(TASK_WORDS), sorted(tasks - set(TASK_WORDS))


@pytest.mark.parametrize("kind", [k for k in Kind if k.audience == "patient"], ids=str)
@pytest.mark.parametrize("preference", PREFERENCES, ids=str)
def test_a_patients_channel_always_has_a_template_or_is_the_coachs_task(
        kind: Kind, preference: ContactPreference | None) -> None:
    channel = patient_channel(kind, preference)
    assert channel is Channel.COACH_TASK or \
        f"{kind}.{NOTIFY_TYPE[channel]}" in NOTIFY_TEMPLATE_KEYS
    if channel is Channel.COACH_TASK:
        assert kind in TASK_WORDS


@pytest.mark.parametrize("kind", [k for k in Kind if k.audience == "patient"], ids=str)
@pytest.mark.parametrize("need", sorted(NO_PHONE_CALLS), ids=str)
def test_a_patient_who_cannot_use_a_phone_is_written_to_never_rung(kind: Kind, need: Need) -> None:
    for preference in PREFERENCES:
        channel = patient_channel(kind, preference, [need])
        assert channel is not Channel.COACH_TASK, (preference, channel)
    # With neither a mobile number nor an email held, only then does it fall to the coach.
    assert patient_channel(kind, ContactPreference.PHONE, [need], held=[]) is Channel.COACH_TASK
    assert patient_channel(kind, ContactPreference.PHONE, [need], held=[Channel.EMAIL]) is \
        Channel.EMAIL


def test_information_by_email_turns_letters_into_emails_only_when_an_email_is_held() -> None:
    kind, by_email = Kind.APPOINTMENT_CONFIRMATION, [Need.INFORMATION_BY_EMAIL]
    assert patient_channel(kind, ContactPreference.LETTER, by_email) is Channel.EMAIL
    assert patient_channel(kind, ContactPreference.LETTER, by_email,
                           held=[Channel.LETTER]) is Channel.LETTER
    assert patient_channel(kind, ContactPreference.SMS, by_email) is Channel.SMS


@pytest.mark.parametrize("kind", sorted(TASK_WORDS), ids=str)
def test_no_task_for_a_patient_who_cannot_take_a_call_says_to_ring_them(kind: Kind) -> None:
    note = OutboxRow("r1", f"{kind}:{START}", kind, Channel.COACH_TASK, State.SENT, START)
    bsl = (CommunicationNeed(Need.BSL_INTERPRETER),)

    words = task_words(note, bsl)

    assert words.endswith(IN_WRITING)
    assert words.lower().count("phone") == words.lower().count("call") == 1, words
