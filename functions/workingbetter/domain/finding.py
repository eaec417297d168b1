"""Finding a practice's referral by the patient's name and date of birth, as reception staff
ask for it, without either becoming a key: the date of birth is stored only as a keyed hash
(with the practice, so one practice's hash finds nothing at another), and the name is
compared with the patient's details once they are read (an audited read)."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

# Left out when names are compared: people type these in one place and not another.
_IGNORED = frozenset(" \t-'\u2019.,")  # \u2019: a typographic apostrophe
NAME_NEEDED = "Enter the patient's name, like Ada Example or Example"
DATE_NEEDED = "Enter the patient's date of birth, like 31 3 1980"
NOT_A_DATE = "Date of birth must be a real date, like 31 3 1980"


def name_key(text: str) -> str:
    """A name as compared: case, spacing, hyphens and apostrophes do not count."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if c not in _IGNORED and not c.isspace())


def name_matches(typed: str, given_name: str, family_name: str) -> bool:
    """The typed name is the patient's last name, first name, or both in either order."""
    wanted = name_key(typed)
    given, family = name_key(given_name), name_key(family_name)
    return bool(wanted) and wanted in {family, given, given + family, family + given}


def typed_date(day: str, month: str, year: str) -> date:
    """The date the three inputs of a GOV.UK date input name; a ValueError carrying the words
    to show when they name none."""
    if not (day or month or year):
        raise ValueError(DATE_NEEDED)
    try:
        born = date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(NOT_A_DATE) from None
    if born.year < 1900:
        raise ValueError(NOT_A_DATE)
    return born


def birth_key(practice_ods: str, born: date, key: str) -> str:
    """The keyed hash a referral is found by: the practice and the date of birth together, so
    the index holds one practice's patients born that day and nothing readable."""
    message = f"{practice_ods}#{born.isoformat()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
