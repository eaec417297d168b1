"""The events Step Functions hands each workflow task: ids, enums and tokens only.

Apart from tasks.py so that pydantic is imported by a task's first call, not at its init.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workingbetter.domain.referral import Awaiting


class ReferralTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    referral_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$")


class HumanStepTask(ReferralTask):
    awaiting: Awaiting
    token: str = Field(min_length=1, max_length=2048)
    check: int | None = None


class ContinueTask(ReferralTask):
    plan: dict[str, Any]


class AttentionTask(ReferralTask):
    attention: str = Field(pattern=r"^[a-z_]{1,64}$")
    failed_at: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,64}$")
