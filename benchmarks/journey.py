"""What one referral costs: the full journey on the real ASL, counted and priced.

Runs auto triage, allocation, booking, attended, two reviews (continue, then job start) and
both sustainment checks on a compressed clock, then counts from the execution history and the
DynamoDB calls made, and prices them at London (eu-west-2) list prices beside a design that
polls every referral once a day for a year.

    python -m benchmarks.journey            (prints a Markdown table for the README)
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from workingbetter.domain.records.referral import Referral

# London list prices (USD), November 2026; check the AWS price list before quoting them.
STEP_FUNCTIONS_PER_TRANSITION = 0.025 / 1_000
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND_ARM = 0.0000133334
DYNAMODB_PER_WRITE_UNIT = 0.7425 / 1_000_000
DYNAMODB_PER_READ_UNIT = 0.1485 / 1_000_000
# Assumptions, not measurements: Lambda billed time per call (512 MB, arm64), and item sizes
# (the referral item carries its timeline: about 2 KB by the end of a journey).
BILLED_SECONDS_PER_CALL = 0.1
MEMORY_GB = 0.5
WRITE_UNITS_PER_WRITE = 2
READ_UNITS_PER_READ = 1

WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
READS = {"GetItem", "Query"}


@dataclass
class Usage:
    transitions: int
    task_invocations: int
    api_invocations: int
    writes: int
    transact_items: int
    reads: int

    @property
    def lambda_calls(self) -> int:
        return self.task_invocations + self.api_invocations

    def cost(self) -> dict[str, float]:
        write_units = (self.writes + 2 * self.transact_items) * WRITE_UNITS_PER_WRITE
        return {
            "Step Functions transitions": self.transitions * STEP_FUNCTIONS_PER_TRANSITION,
            "Lambda requests": self.lambda_calls * LAMBDA_PER_REQUEST,
            "Lambda GB-seconds": self.lambda_calls * BILLED_SECONDS_PER_CALL * MEMORY_GB
            * LAMBDA_PER_GB_SECOND_ARM,
            "DynamoDB writes": write_units * DYNAMODB_PER_WRITE_UNIT,
            "DynamoDB reads": self.reads * READ_UNITS_PER_READ * DYNAMODB_PER_READ_UNIT,
        }


class DynamoCalls:
    """Counts DynamoDB operations made by every client in this process."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.transact_items = 0
        self.own_reads = 0  # the benchmark's polling for the next step, not the service's

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name == "TransactWriteItems":
            self.transact_items += len(params.get("TransactItems", []))


def until_it_has_started(referral: Referral) -> None:
    """Whether someone came is refused until the appointment has started (its start on the
    compressed clock, a fraction of a second after booking): wait for that, rather than race
    it (the next free slot lies days ahead or a week ahead, as the day of the run falls)."""
    from workingbetter.services.steps import outcome_opens  # once the environment is set

    assert referral.appointment is not None
    time.sleep(max(0.0, (outcome_opens(referral.appointment) - datetime.now(UTC))
                   .total_seconds()))


def run_journey() -> tuple[Usage, list[str], float]:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-west-2", "TZ": "UTC",
                       "POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"})
    time.tzset()
    from chalice.test import Client

    from infra import engine
    from infra.cloud import build
    from infra.cognito import Person
    from infra.seed import seed
    from infra.template import LocalTemplate, load
    from workingbetter import wiring
    from workingbetter.adapters.workflow import run_names
    from workingbetter.handlers.api import app

    counter = DynamoCalls()
    with engine.in_process():
        # moto resets boto3's default session on start: count on the one it left.
        boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("provide-client-params.dynamodb", counter)
        template = LocalTemplate(load())
        built = build(template)
        os.environ.update(engine.environment(
            template, nhs_hash_key="benchmark-hash-key-0000",
            seconds_per_day=0.05, review_interval_days=20, sustainment_first_days=20,
            sustainment_second_days=40))
        store = wiring.adapters().store
        seed(store)
        counter.calls.clear()
        counter.transact_items = 0
        referrer = built.pool.id_token(Person("referrer", practice_ods="F83005"))
        coach = built.pool.id_token(Person("coach", coach_id="coach-femi"))
        client = Client(app)
        api_calls = 0

        def post(path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
            nonlocal api_calls
            api_calls += 1
            reply = client.http.post(path, body=json.dumps(body), headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            assert reply.status_code in (200, 201), reply.body
            result: dict[str, Any] = json.loads(reply.body)
            return result

        def awaiting(step: str) -> Referral:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                counter.own_reads += 1
                item = store.referrals.get(rid)
                if item and item.awaiting == step and item.task_token:
                    return item
                time.sleep(0.02)
            raise RuntimeError(f"the run never waited for {step}")

        started = time.monotonic()
        body = {"practice_ods": "F83005", "employment_status": "unemployed",
                "patient": {"nhs_number": "9434765919", "given_name": "Bench",
                            "family_name": "Mark", "date_of_birth": "1980-01-01",
                            "email": "bench@example.com", "contact_preference": "email"},
                "health_conditions": ["musculoskeletal"], "reason": "Benchmark",
                "consent": {"referral": True, "share_outcome_with_gp": True}}
        rid = post("/referrals", referrer, body)["referral_id"]
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("appointment_outcome", "appointment-outcome", {"outcome": "attended"}),
            ("review", "reviews", {"decision": "continue", "employer_contacts": 2}),
            ("review", "reviews", {"decision": "job_start", "employer_contacts": 1,
                                   "job": {"employer": "Bench Ltd", "hours_per_week": 20,
                                           "start_date": "2027-01-04"}}),
            ("sustainment_check", "sustainment", {"still_in_work": True}),
            ("sustainment_check", "sustainment", {"still_in_work": True, "end_support": True}),
        ]
        for step, path, payload in steps:
            print(f"  … waiting for {step}", file=sys.stderr, flush=True)
            waiting = awaiting(step)
            if step == "appointment_outcome":
                until_it_has_started(waiting)
            post(f"/referrals/{rid}/{path}", coach, payload)
        sfn = boto3.client("stepfunctions")
        arns = [built.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
                for name in run_names(rid)]  # the referral's run, then its in-work run
        while sfn.describe_execution(executionArn=arns[-1])["status"] == "RUNNING":
            time.sleep(0.02)
        elapsed = time.monotonic() - started
        history = [event for arn in arns
                   for event in sfn.get_execution_history(executionArn=arn,
                                                          maxResults=1000)["events"]]
        item = store.referrals.get(rid)
        counter.own_reads += 1
        assert item is not None
        assert item.exit_reason == "job_sustained_26_weeks", item.status

    states = [e["stateEnteredEventDetails"]["name"] for e in history
              if e["type"].endswith("StateEntered")]
    tasks = sum(1 for e in history if e["type"] == "TaskScheduled")
    usage = Usage(
        transitions=len(states), task_invocations=tasks, api_invocations=api_calls,
        writes=sum(counter.calls[op] for op in WRITES),
        transact_items=counter.transact_items,
        reads=sum(counter.calls[op] for op in READS) - counter.own_reads,
    )
    return usage, states, elapsed


def polling_design(event_driven: Usage) -> Usage:
    """The same journey if a run woke every day for a year to check on its referral:
    Wait + check Task + Choice each day, a Lambda call and a read per check."""
    days = 365
    return Usage(
        transitions=event_driven.transitions + 3 * days,
        task_invocations=event_driven.task_invocations + days,
        api_invocations=event_driven.api_invocations,
        writes=event_driven.writes, transact_items=event_driven.transact_items,
        reads=event_driven.reads + days,
    )


def table(ours: Usage, polling: Usage) -> str:
    def money(value: float) -> str:
        return f"${value:.6f}"

    rows = [
        ("State transitions", str(ours.transitions), str(polling.transitions)),
        ("Lambda invocations (tasks + API)", str(ours.lambda_calls), str(polling.lambda_calls)),
        ("DynamoDB writes (+ items in transactions)",
         f"{ours.writes} + {ours.transact_items}", f"{polling.writes} + {polling.transact_items}"),
        ("DynamoDB reads", str(ours.reads), str(polling.reads)),
    ]
    ours_cost, polling_cost = ours.cost(), polling.cost()
    rows += [(name, money(ours_cost[name]), money(polling_cost[name])) for name in ours_cost]
    total_ours, total_polling = sum(ours_cost.values()), sum(polling_cost.values())
    rows.append(("**Total per referral**", f"**{money(total_ours)}**",
                 f"**{money(total_polling)}**"))
    rows.append(("Per 1,000 referrals", f"${1000 * total_ours:.2f}",
                 f"${1000 * total_polling:.2f}"))
    lines = ["| per referral, full journey | event-driven (this design) | daily polling |",
             "|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main() -> int:
    print("Running the full journey on the local engine…", file=sys.stderr, flush=True)
    usage, states, elapsed = run_journey()
    print(f"\nStates entered over the referral's two runs ({len(states)}, goal ≤ 25):\n  "
          + " → ".join(states))
    print(f"Wall time on a compressed clock: {elapsed:.1f} s\n")
    print(table(usage, polling_design(usage)))
    ratio = math.floor(polling_design(usage).cost()["Step Functions transitions"]
                       / usage.cost()["Step Functions transitions"])
    print(f"\nDaily polling would cost about {ratio} times the state transitions.")
    return 0 if len(states) <= 25 else 1


if __name__ == "__main__":
    sys.exit(main())
