"""Text people type into the service: bounded, printable, and a name has a letter in it.

Every request model takes its free text from these types, so each limit and rule lives here
once (README: "Limits"). Text is shown back on coaches' pages and stored with the referral:
a control character, a lone surrogate or an invisible name must never get that far.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

NAME_MAX = 100
LINE_MAX = 200  # one line: a goal, an employer
POSTAL_LINE_MAX = 80  # a line of a postal address
PARAGRAPH_MAX = 1000  # a reason or a note, over several lines if need be
LIST_MAX = 20
EMAIL_MAX = 254  # RFC 5321's longest path, as email-validator counts it

INVISIBLE = "Remove invisible characters (like line breaks or zero-width spaces)"
NO_LETTER = "Enter a name with at least one letter"
CONTROL = "Remove control characters (invisible characters that cannot be shown)"
NOT_AN_EMAIL = "Enter an email address, like name@example.com"

_LINE_BREAKS = frozenset("\t\n\r")
# Zero-width (non-)joiners spell ordinary words in Persian and Indic scripts.
_JOINERS = frozenset("\u200c\u200d")


def unprintable(text: str, multiline: bool = False) -> bool:
    """Control characters (Cc) or lone surrogates (Cs); tabs and line breaks only in text that
    may run over several lines."""
    return any(unicodedata.category(c) in ("Cc", "Cs") and not (multiline and c in _LINE_BREAKS)
               for c in text)


def _name(value: str) -> str:
    # Format characters (Cf, like U+200B) too: a name made of them looks empty on a page.
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") and c not in _JOINERS for c in value):
        raise ValueError(INVISIBLE)
    if not any(unicodedata.category(c).startswith("L") for c in value):
        raise ValueError(NO_LETTER)
    return value


def _line(value: str) -> str:
    if unprintable(value):
        raise ValueError(CONTROL)
    return value


def _paragraph(value: str) -> str:
    if unprintable(value, multiline=True):
        raise ValueError(CONTROL)
    return value


def _email(value: str) -> str:
    """An address as pydantic's EmailStr checks it (email-validator, no DNS look-up), kept in
    its normalised form; every address the service takes (the API, the referral form, FHIR's
    telecom, the patient's own page) is checked here."""
    if unprintable(value):
        raise ValueError(NOT_AN_EMAIL)
    # About 0.4 s to import: loaded with the first address checked, not at the API's init.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(NOT_AN_EMAIL) from None


def _bounded(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Name = Annotated[str, _bounded(NAME_MAX), AfterValidator(_name)]
Line = Annotated[str, _bounded(LINE_MAX), AfterValidator(_line)]
PostalLine = Annotated[str, _bounded(POSTAL_LINE_MAX), AfterValidator(_line)]
Paragraph = Annotated[str, _bounded(PARAGRAPH_MAX), AfterValidator(_paragraph)]
EmailAddress = Annotated[str, _bounded(EMAIL_MAX), AfterValidator(_email)]
