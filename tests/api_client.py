"""The HTTP API as each role sees it, through Chalice's test client (in-process)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.test import Client

from tests.conftest import WAIT, Cloud, referral_body
from workingbetter.domain.auth import Role
from workingbetter.domain.records.referral import Appointment, Referral
from workingbetter.domain.slots import parse_iso
from workingbetter.handlers.api import app


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.client = Client(app)

    def call(self, method: str, path: str, token: str, body: Any = None,
             **headers: str) -> Reply:
        sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                **headers}
        raw = b"" if body is None else (body if isinstance(body, str) else json.dumps(body))
        data = raw.encode() if isinstance(raw, str) else raw
        response = self.client.http.request(method, path, headers=sent, body=data)
        text = response.body.decode() if response.body else ""
        return Reply(response.status_code, json.loads(text) if text else None,
                     dict(response.headers))

    # -- who is calling -------------------------------------------------------------------

    def referrer(self, practice: str = "F83001") -> str:
        return self.cloud.token(Role.REFERRER, practice_ods=practice)

    def coach(self, coach_id: str) -> str:
        return self.cloud.token(Role.COACH, coach_id=coach_id)

    def ops(self) -> str:
        return self.cloud.token(Role.OPS)

    # -- the journey ----------------------------------------------------------------------

    def refer(self, practice: str = "F83001", **changes: Any) -> str:
        """Submit a valid referral; returns its id."""
        reply = self.call("POST", "/referrals", self.referrer(practice),
                          referral_body(practice_ods=practice, **changes))
        assert reply.status == 201, reply.body
        return str(reply.body["referral_id"])

    def coach_of(self, referral_id: str) -> str:
        item = self.cloud.store.referrals.get(referral_id)
        assert item is not None
        assert item.coach_id, item
        return self.coach(str(item.coach_id))

    def step(self, referral_id: str, path: str, body: Any, token: str | None = None) -> Reply:
        return self.call("POST", f"/referrals/{referral_id}/{path}",
                         token or self.coach_of(referral_id), body)

    def awaiting(self, referral_id: str, step: str, timeout: float = WAIT) -> Referral:
        """Wait until the run waits for `step`; for an appointment's outcome, also until the
        appointment has come round on the service clock (no outcome can be recorded before)."""
        item = self.cloud.wait_for(referral_id, lambda i: i.awaiting == step
                                   and bool(i.task_token), timeout, f"awaiting {step}")
        if step == "appointment_outcome":
            until_appointment(item)
        return item

    def get(self, referral_id: str, token: str) -> Reply:
        return self.call("GET", f"/referrals/{referral_id}", token)


def appointment(item: Referral) -> Appointment:
    """The referral's (first) appointment, which the test expects to be booked."""
    assert item.appointment is not None, f"{item.referral_id} has no appointment"
    return item.appointment


def until_appointment(item: Referral) -> None:
    due = parse_iso(str(appointment(item).due_at))
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
