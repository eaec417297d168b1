"""A patient's right of access (UK GDPR Art. 15): asking for a copy of what the service holds
about them, how it came, how they want it, and by when it is due.

The law allows one calendar month from the day the request is received (Art. 12(3)), counted
as the ICO counts it: to the same day of the next month, or, where the next month is too short
to have that day, to its last day (31 January is due 28 February, or 29 in a leap year).
Pure: no I/O. A request holds ids, dates and enums, never the patient's details.
"""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum


class Via(StrEnum):
    """How the request reached the service."""

    PATIENT_PAGE = "patient_page"  # the patient's own page, behind their link
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    EMAIL = "email"


class SendBy(StrEnum):
    """How the patient wants the copy."""

    POST = "post"  # printed, to the postal address the service holds
    EMAIL = "email"  # to the email address the service holds


VIA_WORDS = {Via.PATIENT_PAGE: "From your own Working Better page", Via.PHONE: "By phone",
             Via.LETTER: "By letter", Via.IN_PERSON: "In person", Via.EMAIL: "By email"}
SEND_WORDS = {SendBy.POST: "A printed copy by post", SendBy.EMAIL: "By email"}


def due_on(received: date) -> date:
    """One calendar month after `received`: the same day of the next month, or that month's
    last day when it has no such day."""
    year, month = (received.year + 1, 1) if received.month == 12 else \
        (received.year, received.month + 1)
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))
