"""Each message kind is declared once (domain/notification_kinds.KINDS), and the declaration
is whole: no kind can be chosen for a channel it has no template for, whatever the patient
chose, whatever their needs and whichever details are held; a task that falls to the coach has
the coach's words; an alert has its words; and the table readers trust is the declaration's."""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterator, Mapping
from dataclasses import replace

import pytest

from infra import message_kinds
from workingbetter.domain import notification_kinds
from workingbetter.domain.channels import WRITTEN, Channel
from workingbetter.domain.communication_needs import Need
from workingbetter.domain.notification_kinds import KINDS, Audience, Kind, MessageKind
from workingbetter.domain.patient_channel import patient_channel
from workingbetter.domain.referral import ContactPreference

PREFERENCES: tuple[str | None, ...] = (*ContactPreference, None)
HELD: tuple[tuple[Channel, ...] | None, ...] = (
    None, *(c for n in range(len(WRITTEN) + 1) for c in itertools.combinations(WRITTEN, n)))
NEEDS: tuple[tuple[Need, ...], ...] = ((), *((n,) for n in Need),
                                        (Need.BSL_INTERPRETER, Need.CONTACT_BY_EMAIL))


def unsendable(kinds: Mapping[Kind, MessageKind]) -> Iterator[str]:
    """Every way a patient's message could be chosen for a channel it cannot go by: a written
    channel with no Notify template, or the coach's task with no words for the coach."""
    for kind, declared in kinds.items():
        if declared.audience is not Audience.PATIENT:
            continue
        for preference, needs, held in itertools.product(PREFERENCES, NEEDS, HELD):
            channel = patient_channel(kind, preference, needs, held)
            goes = bool(declared.task) if channel is Channel.COACH_TASK \
                else channel in declared.notify
            if not goes:
                yield f"{kind} by {channel} ({preference}, {needs}, {held})"


def test_every_kind_is_declared_once() -> None:
    assert set(KINDS) == set(Kind)


def test_no_patients_message_is_chosen_for_a_channel_it_cannot_go_by() -> None:
    assert list(unsendable(KINDS)) == []


def test_a_kind_whose_letter_template_is_taken_away_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above bites: a letter-preferring patient's confirmation with no letter
    template and no coach's words would be chosen for a channel it cannot go by."""
    kind = Kind.APPOINTMENT_CONFIRMATION
    broken = replace(KINDS[kind], notify=(Channel.SMS, Channel.EMAIL), task="")
    monkeypatch.setitem(notification_kinds.KINDS, kind, broken)

    assert any(p.startswith(f"{kind} by coach_task") for p in unsendable(KINDS))


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_each_audience_has_what_it_is_reached_by(kind: Kind) -> None:
    declared = KINDS[kind]
    if declared.notify:  # a template per channel holds these words, made by this purpose
        assert declared.words
        assert declared.purpose
    if declared.audience is Audience.COACH:
        assert declared.task
        assert not declared.notify
    if declared.audience is Audience.OPS:
        assert declared.words
        assert not declared.notify
        assert not declared.task
    if declared.audience is Audience.PRACTICE:
        assert declared.notify == (Channel.PRACTICE_EMAIL,)


@pytest.mark.parametrize("kind", [k for k in Kind if KINDS[k].task], ids=str)
def test_the_coachs_task_words_name_only_what_the_task_list_fills_in(kind: Kind) -> None:
    named = {name for _, name, _, _ in string.Formatter().parse(KINDS[kind].task) if name}
    assert named <= {"what", "interpreter", "when"}


def test_the_message_kinds_page_is_the_declaration() -> None:
    assert message_kinds.DOC.read_text() == message_kinds.document(), \
        "run: python -m infra.message_kinds"
