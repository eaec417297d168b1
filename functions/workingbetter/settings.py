"""Every setting and duration in one place, read from WB_* environment variables.

Durations are written in service days and converted to seconds with WB_SECONDS_PER_DAY, so a test
(or a demo) can run a twelve-month journey in seconds while production uses 86,400.
"""

from __future__ import annotations

import math
import os
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import Field, PositiveFloat, PositiveInt, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workingbetter.domain.human_steps import HUMAN_STEPS, HumanStep
from workingbetter.domain.notification_kinds import NOTIFY_TEMPLATE_KEYS

if TYPE_CHECKING:
    from workingbetter.adapters.token_check import CognitoPool

# Secrets: each given directly (locally) or as the ARN of a Secrets Manager secret (deployed),
# exactly one of the two.
SECRETS = ("nhs_hash_key", "notify_api_key", "notify_callback_token")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WB_", frozen=True)

    # Infrastructure: no defaults, a function that lacks one fails at start-up, not mid-journey.
    table_name: str
    personal_data_table_name: str
    idempotency_table_name: str
    state_machine_arn: str
    # Who signs people in: the Cognito user pool and its app client (template.yaml's UserPool,
    # UserPoolClient; locally the same, built on moto). Every token is checked against them.
    cognito_region: str = Field(min_length=1)
    cognito_user_pool_id: str = Field(min_length=1)
    cognito_client_id: str = Field(min_length=1)
    # The key of the NHS number's keyed hash: from Secrets Manager on AWS, given locally.
    nhs_hash_key: str | None = Field(default=None, min_length=16)
    nhs_hash_key_secret_arn: str | None = None

    seconds_per_day: PositiveFloat = 86400.0
    caseload_cap: PositiveInt = 20

    # The pathway's clock, in service days.
    triage_decision_days: PositiveFloat = 14
    appointment_outcome_days: PositiveFloat = 7
    review_interval_days: PositiveFloat = 28
    review_response_days: PositiveFloat = 14
    sustainment_first_days: PositiveFloat = 13 * 7
    sustainment_second_days: PositiveFloat = 26 * 7
    sustainment_third_days: PositiveFloat = 52 * 7
    sustainment_response_days: PositiveFloat = 28
    waitlist_days: PositiveFloat = 42
    # Support is time-unlimited: reaching this prompts the coach to review it with the patient.
    support_period_days: PositiveFloat = 365
    # Step Functions ends a Standard execution after a year (of real time, not service days):
    # support goes on in a new run before a run could outlive it.
    run_lifetime_seconds: PositiveInt = 365 * 86400
    max_chases: PositiveInt = 3
    max_missed_appointments: PositiveInt = 3
    # What a patient's link may do (ask about an appointment, change how they are contacted)
    # in an hour of real time; looking and leaving are never limited.
    patient_link_actions_per_hour: PositiveInt = 10
    # Where patients' one-time withdrawal links point (the public web address of the API).
    public_url: str = Field(pattern=r"^https?://")
    # Where ops alerts go (an SNS topic the team subscribes to: they name no patient).
    ops_alerts_topic_arn: str
    # GOV.UK Notify: its API, the key (name-serviceid-secret), a template id for each kind of
    # message and channel ("appointment_reminder.sms": id), and the bearer token Notify sends
    # with delivery receipts.
    notify_base_url: str = Field(pattern=r"^https?://")
    notify_templates: dict[str, UUID]
    notify_api_key: str | None = Field(default=None, min_length=74)
    notify_api_key_secret_arn: str | None = None
    notify_callback_token: str | None = Field(default=None, min_length=10)
    notify_callback_token_secret_arn: str | None = None
    # The local stack's /dev/messages page (what its stand-in Notify sent): never deployed.
    dev_messages: bool = False
    # Personal data is deleted (DynamoDB TTL) this long after a referral ends.
    personal_data_retention_days: PositiveFloat = 730

    @model_validator(mode="after")
    def _each_secret_once(self) -> Settings:
        for name in SECRETS:
            if (getattr(self, name) is None) == (getattr(self, f"{name}_secret_arn") is None):
                raise ValueError(f"set exactly one of WB_{name.upper()}, "
                                 f"WB_{name.upper()}_SECRET_ARN")
        return self

    @property
    def deployed(self) -> bool:
        """Served over HTTPS (AWS): cookies are Secure and responses carry HSTS. The local
        stack speaks plain HTTP on 127.0.0.1."""
        return self.public_url.startswith("https://")

    def cognito_pool(self) -> CognitoPool:
        from workingbetter.adapters.token_check import CognitoPool

        return CognitoPool(self.cognito_region, self.cognito_user_pool_id,
                           self.cognito_client_id)

    @model_validator(mode="after")
    def _every_notify_template(self) -> Settings:
        missing = sorted(NOTIFY_TEMPLATE_KEYS - set(self.notify_templates))
        unknown = sorted(set(self.notify_templates) - NOTIFY_TEMPLATE_KEYS)
        if missing or unknown:
            raise ValueError(f"WB_NOTIFY_TEMPLATES needs exactly a template id for each of "
                             f"{sorted(NOTIFY_TEMPLATE_KEYS)}: missing {missing}, "
                             f"unknown {unknown}")
        return self

    @model_validator(mode="after")
    def _local_things_stay_local(self) -> Settings:
        # Deployed, the messages page would show what real patients were sent.
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and self.dev_messages:
            raise ValueError("WB_DEV_MESSAGES is refused inside AWS Lambda")
        return self

    def secret(self, name: str) -> str:
        """One of SECRETS: as given, or from Secrets Manager (cached for an hour)."""
        given: str | None = getattr(self, name)
        if given is not None:
            return given
        arn: str | None = getattr(self, f"{name}_secret_arn")
        assert arn is not None
        from aws_lambda_powertools.utilities.parameters import get_secret

        return str(get_secret(arn, max_age=3600))

    def hash_key(self) -> str:
        return self.secret("nhs_hash_key")

    def template_ids(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.notify_templates.items()}

    def seconds(self, days: float) -> int:
        """Service days as whole seconds (Step Functions waits take integers), never below 1."""
        return max(1, math.ceil(days * self.seconds_per_day))

    def scaled(self, service_time: timedelta) -> timedelta:
        """A stretch of service time as real time: itself with the production day (86,400 s),
        shorter on a compressed clock."""
        return service_time * (self.seconds_per_day / 86400)

    def on_real_clock(self, service_instant: datetime, now: datetime) -> datetime:
        """When, on the real clock, a service-clock instant (counted from now) comes round."""
        return now + self.scaled(service_instant - now)

    def step_limit(self, step: HumanStep) -> int:
        """The seconds a person has to answer a human step (its declared settings field)."""
        assert step.limit_days is not None, f"{step.awaiting} has no limit in days"
        days: float = getattr(self, step.limit_days)
        return self.seconds(days)

    def timers(self) -> dict[str, int]:
        """The time limits a run carries in its state: numbers only, no personal data. Each
        human step's is named by its declaration; the others time the waits between steps."""
        return {
            **{s.timer: self.step_limit(s) for s in HUMAN_STEPS if s.timer},
            "review_interval": self.seconds(self.review_interval_days),
            "sustainment_first": self.seconds(self.sustainment_first_days),
            "sustainment_gap": self.seconds(
                self.sustainment_second_days - self.sustainment_first_days
            ),
            "sustainment_third_gap": self.seconds(
                self.sustainment_third_days - self.sustainment_second_days
            ),
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # values come from the environment
