"""What a person answers at each human step: the request models the API and the coach's
pages parse, and that the OpenAPI document describes. Pure: no I/O."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from workingbetter.domain.referral import LEAVING_REASONS, ExitReason
from workingbetter.domain.text import LIST_MAX, Line, Paragraph

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TriageDecision(BaseModel):
    model_config = _STRICT
    decision: Literal["accept", "reject"]
    reason: Paragraph


class AppointmentOutcome(BaseModel):
    model_config = _STRICT
    outcome: Literal["attended", "did_not_attend", "cancelled"]


PayBand = Literal["below_nlw", "nlw", "llw"]  # against the National and London Living Wage


class Job(BaseModel):
    model_config = _STRICT
    employer: Line
    role: Line | None = None
    hours_per_week: float = Field(gt=0, le=80)
    start_date: date
    # Optional for the API's older clients; the coach's page asks for both.
    pay_band: PayBand | None = None
    self_employed: StrictBool | None = None


# Exits a coach may record at a review: why someone leaves (the one list the practice's
# withdrawal offers too), then the endings only a coach records; the others belong to other
# steps.
REVIEW_EXITS = (*LEAVING_REASONS, ExitReason.SUPPORT_PERIOD_ENDED, ExitReason.JOB_ENDED,
                ExitReason.IN_WORK_SUPPORT_ENDED)


class Review(BaseModel):
    model_config = _STRICT
    decision: Literal["continue", "job_start", "exit"]
    exit_reason: ExitReason | None = None
    employer_contacts: int = Field(ge=0, le=200)
    goals: list[Line] | None = Field(default=None, max_length=LIST_MAX)
    confidence: int | None = Field(default=None, ge=1, le=10)
    job: Job | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Review:
        if self.decision == "job_start" and self.job is None:
            raise ValueError("job: Give the job's employer, hours per week and start date")
        if self.decision == "exit" and self.exit_reason not in REVIEW_EXITS:
            allowed = ", ".join(sorted(REVIEW_EXITS))
            raise ValueError(f"exit_reason: Choose one of {allowed}")
        if self.decision != "exit" and self.exit_reason is not None:
            raise ValueError("exit_reason: Only give an exit reason when the decision is exit")
        return self


class Sustainment(BaseModel):
    model_config = _STRICT
    still_in_work: StrictBool
    # Still in work, and the patient wants support to end (otherwise it goes on).
    end_support: StrictBool = False
