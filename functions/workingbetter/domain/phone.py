"""UK phone numbers as the service tells them apart: a text message goes only to a mobile."""

from __future__ import annotations


def uk_mobile(number: str) -> bool:
    """A UK mobile number (07…, +44 7…, +44 (0)7…): a text message to a landline is lost."""
    digits = "".join(c for c in number if c.isdigit())
    international = number.lstrip().startswith("+") and digits.startswith("44")
    national = (digits[2:] if international else digits).removeprefix("0")
    return len(national) == 10 and national.startswith("7")


def last_digits(number: str, count: int = 3) -> str:
    """Enough of a number for its owner to know it, not enough to ring it."""
    return "".join(c for c in number if c.isdigit())[-count:]
