"""The events Step Functions hands each workflow task: ids, enums and tokens only.

Apart from tasks.py so that pydantic is imported by a task's first call, not at its init.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workingbetter.domain.human_steps import Awaiting

STATE_NAME = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")


class ReferralTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    referral_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$")


class HumanStepTask(ReferralTask):
    awaiting: Awaiting
    token: str = Field(min_length=1, max_length=2048)
    check: int | None = None


class ContinueTask(ReferralTask):
    plan: dict[str, Any]
    run: str = Field(pattern=r"^[A-Za-z0-9-]{8,80}$")  # the run handing over


class AttentionTask(ReferralTask):
    attention: str = Field(pattern=r"^[a-z_]{1,64}$")
    # The run keeps a failure under the name of the state that failed ($.failure.<state>);
    # an earlier failure's ops retry has replaced the map, so one state name is left.
    failure: dict[str, Any] | None = None

    @property
    def failed_at(self) -> str | None:
        names = [name for name in self.failure or {} if STATE_NAME.fullmatch(name)]
        return names[0] if len(names) == 1 else None
