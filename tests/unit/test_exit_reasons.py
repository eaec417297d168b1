"""One list of exit reasons: why someone leaves is chosen from the same list by the practice
(withdrawing for the patient) and the coach (at a review), and every reason has the words the
practice's email uses."""

from __future__ import annotations

import pytest

from workingbetter.domain.errors import InvalidInput
from workingbetter.domain.referral import LEAVING_REASONS, ExitReason
from workingbetter.domain.step_answers import REVIEW_EXITS
from workingbetter.notifications.messages import OUTCOME_WORDS
from workingbetter.services import withdrawal


def test_every_exit_reason_has_the_words_the_practice_reads() -> None:
    assert set(OUTCOME_WORDS) == set(ExitReason)


def test_a_coach_records_every_reason_a_practice_may_give_for_leaving() -> None:
    assert set(LEAVING_REASONS) <= set(REVIEW_EXITS)
    assert ExitReason.MOVED_AWAY in LEAVING_REASONS


def test_a_withdrawal_keeps_the_reason_given_and_without_one_it_is_the_patients_wish() -> None:
    assert withdrawal.parse({"exit_reason": "moved_away"}).exit_reason is ExitReason.MOVED_AWAY
    assert withdrawal.parse({}).exit_reason is ExitReason.NO_LONGER_WISHES
    assert withdrawal.parse(None).exit_reason is ExitReason.NO_LONGER_WISHES


@pytest.mark.parametrize("reason", ["job_sustained_26_weeks", "ineligible", "gone"])
def test_a_withdrawal_cannot_claim_an_ending_only_the_pathway_records(reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        withdrawal.parse({"exit_reason": reason})
    (error,) = refused.value.errors
    assert error.field == "exit_reason"
    assert "moved_away" in error.message
