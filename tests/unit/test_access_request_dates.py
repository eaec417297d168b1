"""The month the law allows a copy of what is held (UK GDPR Art. 12(3)): one calendar month
from the day the request is received, to the same day of the next month, or to that month's
last day when it has no such day (as the ICO counts it)."""

from __future__ import annotations

from datetime import date

import pytest

from workingbetter.domain.access_requests import due_on


@pytest.mark.parametrize(("received", "due"), [
    (date(2027, 1, 15), date(2027, 2, 15)),  # the same day of the next month
    (date(2027, 1, 31), date(2027, 2, 28)),  # February has no 31st: its last day
    (date(2028, 1, 31), date(2028, 2, 29)),  # ...which in a leap year is the 29th
    (date(2027, 3, 31), date(2027, 4, 30)),  # April has 30 days
    (date(2027, 2, 28), date(2027, 3, 28)),  # not "the last day", the same day
    (date(2027, 12, 31), date(2028, 1, 31)),  # over the year's end
])
def test_a_request_is_due_one_calendar_month_after_it_was_received(received: date,
                                                                   due: date) -> None:
    assert due_on(received) == due
