"""NHS number checks: ten digits, modulus 11 check digit, shown 3-3-4."""

from __future__ import annotations

import hashlib
import hmac

_WEIGHTS = range(10, 1, -1)


def normalise(raw: str) -> str:
    """Digits only: people type spaces and hyphens (485 777 3457, 485-777-3457)."""
    return "".join(ch for ch in raw if not ch.isspace() and ch != "-")


def check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit for nine digits, or None when no valid number can end them."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def problem(raw: str) -> str | None:
    """Why this is not a valid NHS number, in words a receptionist understands; None when valid."""
    number = normalise(raw)
    if len(number) != 10 or not (number.isascii() and number.isdigit()):
        return "Enter the NHS number as 10 digits, like 485 777 3457"
    if check_digit(number[:9]) != int(number[9]):
        return "Enter a valid NHS number"
    return None


def display(number: str) -> str:
    n = normalise(number)
    return f"{n[:3]} {n[3:6]} {n[6:]}"


def keyed_hash(number: str, key: str) -> str:
    """A keyed hash for the one-active-referral rule: the number itself never becomes a key."""
    return hmac.new(key.encode(), normalise(number).encode(), hashlib.sha256).hexdigest()
