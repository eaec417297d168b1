"""A referral's short reference, like WB-7KQ4-M2XP: what people read out and type.

Seven random Crockford base-32 symbols and Crockford's mod-37 check symbol. Random, so it says
nothing about the patient, the practice or when they were referred. Crockford's alphabet has no
I, L, O or U; whoever types one of the first three means 1, 1 or 0. A draw whose check would
be one of the five extra check symbols (*~$=U) is drawn again, so every reference reads as
letters and digits only (32 of every 37 draws keep).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
PREFIX = "WB"
BODY = 7  # 35 random bits: collisions are rare, and the claim on each one catches them
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _value(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return value


def check_symbol(body: str) -> str:
    return CHECK_SYMBOLS[_value(body) % 37]


def new() -> str:
    """A fresh reference, for intake to claim (uniqueness is the store's conditional write)."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
        check = check_symbol(body)
        if check in ALPHABET:
            return display(body + check)


def display(code: str) -> str:
    """WB-XXXX-XXXX from the eight symbols."""
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def normalise(text: str) -> str | None:
    """The reference someone typed, as stored (WB-XXXX-XXXX), or None if it is not one.

    Case, spaces and hyphens do not matter, nor does the WB; I and L read as 1, O as 0. A
    wrong check symbol (one symbol mistyped, or two next to each other swapped) is not one.
    """
    if len(text) > 40:
        return None
    code = "".join(c for c in text.upper() if c not in " -")
    if len(code) == BODY + 1 + len(PREFIX) and code.startswith(PREFIX):
        code = code[len(PREFIX):]
    code = code.translate(_CONFUSABLE)
    if len(code) != BODY + 1 or any(c not in ALPHABET for c in code):
        return None
    if check_symbol(code[:BODY]) != code[BODY]:
        return None
    return display(code)
