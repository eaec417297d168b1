"""The whole service in this process for a benchmark: moto with the real ASL and handlers,
the template's tables seeded with the pilot practices, and the HTTP API through Chalice's
test client. No network, no AWS account."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from infra.cognito import LocalPool, Person
from workingbetter.adapters.store import Store


@dataclass
class Service:
    client: Any
    store: Store
    cap: int
    pool: LocalPool
    tokens: dict[Person, str] = field(default_factory=dict)

    def call(self, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
        reply = self.client.http.request(method, path, body=json.dumps(body).encode(), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        return reply.status_code, json.loads(reply.body) if reply.body else None

    def token(self, role: str, scope: str) -> str:
        """An ID token from the in-process Cognito pool (moto's), kept for the run."""
        person = Person(role, practice_ods=scope if role == "referrer" else None,
                        coach_id=scope if role == "coach" else None)
        if person not in self.tokens:
            self.tokens[person] = self.pool.id_token(person)
        return self.tokens[person]

    def places(self) -> dict[str, int]:
        """Each practice's places: its coaches times the caseload cap."""
        return {p.practice_ods: len(p.sessions) * self.cap
                for p in self.store.directory.practices()}

    @staticmethod
    def faults() -> dict[str, int]:
        from infra.lambda_dispatch import FAULTS

        return dict(FAULTS.injected)


@contextmanager
def in_process_service(*, caseload_cap: int = 20, fault_rate: float = 0.0,
                       fault_seed: str = "0", **settings: Any) -> Iterator[Service]:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-west-2", "TZ": "UTC",
                       "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "ERROR"),
                       "POWERTOOLS_METRICS_DISABLED": "true"})
    time.tzset()
    # moto logs every caught ASL error (and every absent optional path) at ERROR level.
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
    from chalice.test import Client

    from infra import engine
    from infra.cloud import build
    from infra.seed import seed
    from infra.template import LocalTemplate, load
    from workingbetter import wiring
    from workingbetter.handlers.api import app

    with engine.in_process():
        template = LocalTemplate(load())
        built = build(template)
        os.environ.update(engine.environment(
            template, nhs_hash_key="benchmark-hash-key-0000",
            caseload_cap=caseload_cap, **settings))
        os.environ.update({"WB_FAULT_RATE": str(fault_rate), "WB_FAULT_SEED": fault_seed})
        store = wiring.adapters().store
        seed(store)
        yield Service(Client(app), store, caseload_cap, built.pool)
