"""A patient's communication needs, in the Accessible Information Standard's terms (DCB1605).

The standard records what a person needs, never why ("needs a BSL interpreter", not "is
Deaf"), in four kinds: the format information must come in, the professional who must be
there to communicate, other support to communicate, and the way to contact them. Each need is
declared once here with its plain words and, where one exists, the SNOMED CT concept the NHS
England Reasonable Adjustment Flag value set uses (ValueSet RARecord-FlagCode-1). The needs
are personal data: they live with the patient's details, are erased with them, and only their
kinds (an enum) are kept on the referral for the outcome reports, erased with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class NeedKind(StrEnum):
    """The standard's four groups (the NHS Data Dictionary's ACCESSIBLE INFORMATION codes)."""

    INFORMATION_FORMAT = "information_format"
    COMMUNICATION_PROFESSIONAL = "communication_professional"
    COMMUNICATION_SUPPORT = "communication_support"
    CONTACT_METHOD = "contact_method"


class Need(StrEnum):
    LARGE_PRINT = "large_print"
    EASY_READ = "easy_read"
    BRAILLE = "braille"
    AUDIO = "audio"
    INFORMATION_BY_EMAIL = "information_by_email"
    INFORMATION_VERBALLY = "information_verbally"
    BSL_INTERPRETER = "bsl_interpreter"
    LANGUAGE_INTERPRETER = "language_interpreter"
    LIPSPEAKER = "lipspeaker"
    SPEECH_TO_TEXT_REPORTER = "speech_to_text_reporter"
    ADVOCATE = "advocate"
    LONGER_APPOINTMENT = "longer_appointment"
    SOMEONE_PRESENT = "someone_present"
    HEARING_LOOP = "hearing_loop"
    CONTACT_BY_EMAIL = "contact_by_email"
    CONTACT_BY_TEXT = "contact_by_text"
    CONTACT_BY_LETTER = "contact_by_letter"
    CONTACT_BY_PHONE = "contact_by_phone"
    CONTACT_BY_TEXT_RELAY = "contact_by_text_relay"
    CONTACT_VIA_CARER = "contact_via_carer"
    OTHER = "other"


class NeedInfo(NamedTuple):
    kind: NeedKind
    words: str  # plain words, as staff and the patient read them
    snomed: str | None  # SNOMED CT concept id, where the standard has one
    snomed_display: str | None = None


_F, _P, _S, _C = (NeedKind.INFORMATION_FORMAT, NeedKind.COMMUNICATION_PROFESSIONAL,
                  NeedKind.COMMUNICATION_SUPPORT, NeedKind.CONTACT_METHOD)

# One row per need. "Large print" is the standard's smallest size, 20 point sans serif. A
# spoken-language interpreter has one SNOMED concept per language: the language is kept as
# words, so no code is sent. A longer appointment and "anything else" have no concept.
NEEDS: dict[Need, NeedInfo] = {
    Need.LARGE_PRINT: NeedInfo(_F, "Large print (at least 20 point)", "957331000000109",
                               "Requires written information in at least 20 point sans serif "
                               "font"),
    Need.EASY_READ: NeedInfo(_F, "Easy read", "796161000000101",
                             "Requires information in Easyread"),
    Need.BRAILLE: NeedInfo(_F, "Braille", "936661000000109",
                           "Requires information in contracted (Grade 2) Braille"),
    Need.AUDIO: NeedInfo(_F, "Audio recording", "936601000000105",
                         "Requires information in electronic audio format"),
    Need.INFORMATION_BY_EMAIL: NeedInfo(_F, "Information by email, not letters",
                                        "936581000000101", "Requires information by email"),
    Need.INFORMATION_VERBALLY: NeedInfo(_F, "Information read out or told in person",
                                        "367741000000102", "Requires information verbally"),
    Need.BSL_INTERPRETER: NeedInfo(_P, "British Sign Language (BSL) interpreter",
                                   "204331000000107", "British Sign Language interpreter needed"),
    Need.LANGUAGE_INTERPRETER: NeedInfo(_P, "Spoken language interpreter", None),
    Need.LIPSPEAKER: NeedInfo(_P, "Lipspeaker", "945911000000109", "Requires lipspeaker"),
    Need.SPEECH_TO_TEXT_REPORTER: NeedInfo(_P, "Speech-to-text reporter", "966401000000100",
                                           "Requires speech to text reporter"),
    Need.ADVOCATE: NeedInfo(_P, "An advocate", "225835008", "Needs an advocate"),
    Need.LONGER_APPOINTMENT: NeedInfo(_S, "A longer appointment", None),
    Need.SOMEONE_PRESENT: NeedInfo(_S, "Someone they know with them", "1108151000000106",
                                   "Requires carer to be present at encounters"),
    Need.HEARING_LOOP: NeedInfo(_S, "A hearing loop", "198061000000105", "Uses hearing loop"),
    Need.CONTACT_BY_EMAIL: NeedInfo(_C, "Contact by email", "936741000000100",
                                    "Requires contact by email"),
    Need.CONTACT_BY_TEXT: NeedInfo(_C, "Contact by text message", "936701000000103",
                                   "Requires contact by short message service text message"),
    Need.CONTACT_BY_LETTER: NeedInfo(_C, "Contact by letter", "936721000000107",
                                     "Requires contact by letter"),
    Need.CONTACT_BY_PHONE: NeedInfo(_C, "Contact by phone call", "795661000000104",
                                    "Requires contact by telephone"),
    Need.CONTACT_BY_TEXT_RELAY: NeedInfo(_C, "Contact by text relay", "796081000000106",
                                         "Requires contact by text relay"),
    Need.CONTACT_VIA_CARER: NeedInfo(_C, "Contact through their carer", "719561001",
                                     "Requires contact via carer"),
    Need.OTHER: NeedInfo(_S, "Something else", None),
}

# Needs that say nothing without their detail: the language, or the words of "something else".
NEEDS_LANGUAGE = frozenset({Need.LANGUAGE_INTERPRETER})
NEEDS_DETAIL = frozenset({Need.OTHER})
# Meeting the needs (issue 24 item 3). Needs that rule out a phone call: the patient is
# reached in writing (a text or an email) instead, never "phone them".
NO_PHONE_CALLS = frozenset({Need.BSL_INTERPRETER, Need.LIPSPEAKER, Need.SPEECH_TO_TEXT_REPORTER,
                            Need.CONTACT_BY_TEXT_RELAY, Need.CONTACT_BY_TEXT,
                            Need.CONTACT_BY_EMAIL})
# Formats a letter can come in, each its own Notify letter template ("kind.letter_large_print"),
# first listed first when a patient has both.
LETTER_FORMATS: dict[Need, str] = {Need.LARGE_PRINT: "large_print",
                                   Need.EASY_READ: "easy_read"}


def letter_format(needs: Iterable[str]) -> str | None:
    """The letter format a patient's needs ask for ("large_print"), or None for the standard."""
    held = set(needs)
    return next((fmt for need, fmt in LETTER_FORMATS.items() if need in held), None)


# Needs met by a person the coach books for the appointment: the first appointment's
# confirmation is held until the coach records them arranged (notices.booked).
INTERPRETERS = frozenset({Need.BSL_INTERPRETER, Need.LANGUAGE_INTERPRETER, Need.LIPSPEAKER,
                          Need.SPEECH_TO_TEXT_REPORTER})
_WHO = {Need.BSL_INTERPRETER: "a BSL interpreter", Need.LIPSPEAKER: "a lipspeaker",
        Need.SPEECH_TO_TEXT_REPORTER: "a speech-to-text reporter"}


def needs_interpreter(needs: Iterable[str]) -> bool:
    return not INTERPRETERS.isdisjoint(needs)


def interpreters_wanted(needs: Iterable[CommunicationNeed]) -> str:
    """Who the coach arranges, in words: "a BSL interpreter", "a Polish interpreter" (the
    patient's language: personal data, shown only on the coach's own pages)."""
    wanted = [_WHO.get(n.need) or f"a {n.language or 'spoken language'} interpreter"
              for n in needs if n.need in INTERPRETERS]
    return " and ".join(wanted) or "an interpreter"


LANGUAGE_NEEDED = "Enter the language the interpreter must speak, like Polish"
DETAIL_NEEDED = "Describe what the patient needs"


@dataclass(frozen=True, slots=True)
class CommunicationNeed:
    """One recorded need. `language` (for an interpreter) and `detail` (for "something else")
    are the patient's own words: personal data, like the need itself."""

    need: Need
    language: str | None = None
    detail: str | None = None

    @property
    def info(self) -> NeedInfo:
        return NEEDS[self.need]

    @property
    def words(self) -> str:
        """The need at a glance: "Spoken language interpreter: Polish"."""
        extra = self.language or self.detail
        return f"{self.info.words}: {extra}" if extra else self.info.words


def kinds_of(needs: tuple[CommunicationNeed, ...]) -> tuple[str, ...]:
    """What the outcome reports may count of a patient's needs: which needs, as enum values
    (never the language or the words), sorted, each once."""
    return tuple(sorted({str(n.need) for n in needs}))
