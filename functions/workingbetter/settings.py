"""Every setting and duration in one place, read from WB_* environment variables.

Durations are written in service days and converted to seconds with WB_SECONDS_PER_DAY, so a test
(or a demo) can run a twelve-month journey in seconds while production uses 86,400.

Settings that are refused say which variable and why, never its value (some are secrets): a
function whose settings are refused fails at start-up with SettingsRefused, before any request.
"""

from __future__ import annotations

import math
import os
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import Field, PositiveFloat, PositiveInt, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workingbetter.domain.human_steps import HUMAN_STEPS, HumanStep
from workingbetter.domain.notification_kinds import template_keys_problem

if TYPE_CHECKING:
    from workingbetter.adapters.token_check import CognitoPool

# Secrets: each given directly (locally) or as the ARN of a Secrets Manager secret (deployed),
# exactly one of the two.
SECRETS = ("nhs_hash_key", "notify_api_key", "notify_callback_token")
PRODUCTION_DAY = 86400.0  # seconds in a service day, on the real clock
# Host names that are somebody's placeholder, never a council's address (RFC 2606, RFC 6761).
PLACEHOLDER_LABELS = frozenset({"example", "test", "invalid", "localhost", "local"})


class Environment(StrEnum):
    """Which deployment this is (WB_ENVIRONMENT). Production serves real people, so it runs on
    the real clock; staging may compress it; local is `make run` and the tests, never Lambda."""

    PRODUCTION = "production"
    STAGING = "staging"
    LOCAL = "local"


class SettingsRefused(Exception):
    """The environment does not give the service what it needs."""


def in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def _default_environment() -> Environment:
    # Inside Lambda a deployment that does not name itself is taken as production, so the
    # strictest rules apply unless it says otherwise.
    return Environment.PRODUCTION if in_lambda() else Environment.LOCAL


def deployed_url_problem(url: str) -> str | None:
    """Why an address cannot be a deployment's public one, or None. Pages link root-absolute
    (/login), so the address is the root of a host of the council's own, over HTTPS."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return "must be the service's public https:// address"
    if PLACEHOLDER_LABELS & set(host.split(".")) or host.replace(".", "").isdigit():
        return f"is a placeholder ({host}): give the address people reach the service at"
    if parts.path or parts.query or parts.fragment:
        return "must be the address alone, with no path or trailing slash (https://host)"
    return None


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

    environment: Environment = Field(default_factory=_default_environment)
    seconds_per_day: PositiveFloat = PRODUCTION_DAY
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
    # A patient who needs an interpreter: their coach is chased this many working days before
    # the appointment when the interpreter is still not arranged.
    interpreter_chase_working_days: PositiveInt = 2
    # What a patient's link may do (ask about an appointment, change how they are contacted)
    # in an hour of real time; looking and leaving are never limited.
    patient_link_actions_per_hour: PositiveInt = 10
    # Where patients' one-time withdrawal links point (the public web address of the API).
    public_url: str = Field(pattern=r"^https?://", description=(
        "the address people reach the service at, like https://workingbetter.<council>.gov.uk "
        "(template parameter PublicUrl)"))
    # The service's phone number, as patients read it (the leaflet, the patient's pages, the
    # page after leaving): a deployment's own, so no default (template parameter ServicePhone).
    service_phone: str = Field(pattern=r"^\+?[0-9][0-9 ]{9,19}$")
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
        problem = template_keys_problem(self.notify_templates)
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _production_runs_on_the_real_clock(self) -> Settings:
        # A compressed day would chase real people and end their steps within minutes.
        if self.environment is Environment.PRODUCTION and self.seconds_per_day != PRODUCTION_DAY:
            raise ValueError(f"WB_SECONDS_PER_DAY must be {PRODUCTION_DAY:g} in production "
                             f"(WB_ENVIRONMENT={self.environment}); a compressed clock is for "
                             f"staging or local only")
        return self

    @model_validator(mode="after")
    def _local_things_stay_local(self) -> Settings:
        if not in_lambda():
            return self
        # Deployed, the messages page would show what real patients were sent.
        if self.dev_messages:
            raise ValueError("WB_DEV_MESSAGES is refused inside AWS Lambda")
        if self.environment is Environment.LOCAL:
            raise ValueError("WB_ENVIRONMENT=local is refused inside AWS Lambda: say "
                             "production or staging")
        problem = deployed_url_problem(self.public_url)
        if problem:
            raise ValueError(f"WB_PUBLIC_URL {problem} (template parameter PublicUrl)")
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
    try:
        return Settings()  # values come from the environment
    except ValidationError as error:
        # Not chained: pydantic's own text quotes the values given, and some are secrets.
        raise SettingsRefused(refusal(error)) from None


def refusal(error: ValidationError) -> str:
    """Each problem named by its WB_* variable, with what it should be; never a value."""
    problems = []
    for found in error.errors(include_input=False, include_url=False):
        name, *inner = [str(part) for part in found["loc"]] or [""]
        variable = f"WB_{name.upper()}" + "".join(f"[{part}]" for part in inner)
        if found["type"] == "missing":
            described = Settings.model_fields[name].description
            problems.append(f"{variable} is not set" + (f": {described}" if described else ""))
        elif name:
            problems.append(f"{variable}: {found['msg']}")
        else:  # a rule across settings names its variables itself
            problems.append(str(found["msg"]).removeprefix("Value error, "))
    return "The service's settings are refused: " + "; ".join(problems)
