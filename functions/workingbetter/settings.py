"""Every setting and duration in one place, read from WB_* environment variables.

Durations are written in service days and converted to seconds with WB_SECONDS_PER_DAY, so a test
(or a demo) can run a twelve-month journey in seconds while production uses 86,400.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WB_", frozen=True)

    # Infrastructure: no defaults, a function that lacks one fails at start-up, not mid-journey.
    table_name: str
    personal_data_table_name: str
    idempotency_table_name: str
    state_machine_arn: str
    auth_mode: Literal["local", "cognito"]
    nhs_hash_key: str = Field(min_length=16)

    local_jwt_secret: str = "local-dev-secret"  # noqa: S105 - local tokens only
    seconds_per_day: PositiveFloat = 86400.0
    caseload_cap: PositiveInt = 20

    # The pathway's clock, in service days.
    triage_decision_days: PositiveFloat = 14
    appointment_outcome_days: PositiveFloat = 7
    review_interval_days: PositiveFloat = 28
    review_response_days: PositiveFloat = 14
    sustainment_first_days: PositiveFloat = 13 * 7
    sustainment_second_days: PositiveFloat = 26 * 7
    sustainment_response_days: PositiveFloat = 28
    waitlist_days: PositiveFloat = 42
    support_period_days: PositiveFloat = 365
    max_chases: PositiveInt = 3
    max_missed_appointments: PositiveInt = 3

    def seconds(self, days: float) -> int:
        """Service days as whole seconds (Step Functions waits take integers), never below 1."""
        return max(1, math.ceil(days * self.seconds_per_day))

    def timers(self) -> dict[str, int]:
        """The time limits a run carries in its state: numbers only, no personal data."""
        return {
            "triage_decision": self.seconds(self.triage_decision_days),
            "appointment_outcome": self.seconds(self.appointment_outcome_days),
            "review_interval": self.seconds(self.review_interval_days),
            "review_response": self.seconds(self.review_response_days),
            "sustainment_first": self.seconds(self.sustainment_first_days),
            "sustainment_gap": self.seconds(
                self.sustainment_second_days - self.sustainment_first_days
            ),
            "sustainment_response": self.seconds(self.sustainment_response_days),
            "waitlist": self.seconds(self.waitlist_days),
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # values come from the environment
