"""Every message's words, in plain English, in one place, in GOV.UK Notify's template form:
((fields)) are filled at sending time and the result is never stored or logged.

The words themselves are declared with each kind (domain/notification_kinds.py). Messages to
patients and practices are sent by Notify: each of its templates holds these very words, and
the service sends only the template's id and the fields it names. Ops alerts are rendered here
and published to the ops topic.
"""

from __future__ import annotations

import re

from workingbetter.domain.notification_kinds import KINDS, Kind, Words
from workingbetter.domain.referral import ExitReason

# Derived from the one declaration of each kind (domain/notification_kinds.py).
TEMPLATES: dict[Kind, Words] = {k: m.words for k, m in KINDS.items() if m.words}
# What each message GOV.UK Notify sends is for, as the person creating its template in Notify
# reads it (`python -m infra.template_keys` lists them beside the keys the deploy needs).
PURPOSES: dict[Kind, str] = {k: m.purpose for k, m in KINDS.items() if m.notify}

# Exit reasons as a GP reads them, one for each reason (status words only, never a coach's
# notes): the reason as it was chosen, whoever chose it.
OUTCOME_WORDS: dict[str, str] = {
    ExitReason.JOB_SUSTAINED_26_WEEKS: "in work for 26 weeks",
    ExitReason.JOB_SUSTAINED_52_WEEKS: "in work for 52 weeks",
    ExitReason.IN_WORK_SUPPORT_ENDED: "in work, and in-work support ended",
    ExitReason.JOB_ENDED: "the job ended",
    ExitReason.EDUCATION_OR_TRAINING: "went into education or training",
    ExitReason.VOLUNTEERING: "went into volunteering",
    ExitReason.NO_LONGER_WISHES: "the patient chose to leave",
    ExitReason.DISENGAGED: "the patient stopped attending",
    ExitReason.MOVED_AWAY: "the patient moved away",
    ExitReason.INELIGIBLE: "not eligible for this service",
    ExitReason.SUPPORT_PERIOD_ENDED: "support ended by agreement",
    ExitReason.PRACTICE_LEFT: "the practice left the service",
}


_FIELD = re.compile(r"\(\((\w+)\)\)")


def fields_of(kind: Kind) -> frozenset[str]:
    """The fields a kind's template names: all that is sent to Notify with it."""
    template = TEMPLATES[kind]
    return frozenset(_FIELD.findall(template.subject + template.body))


def fill(text: str, fields: dict[str, str]) -> str:
    """((name)) replaced by its field, as Notify does; KeyError if one is missing."""
    return _FIELD.sub(lambda match: fields[match.group(1)], text)


def render(kind: Kind, fields: dict[str, str]) -> tuple[str, str]:
    template = TEMPLATES[kind]
    return fill(template.subject, fields), fill(template.body, fields)
