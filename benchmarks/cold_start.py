"""Cold starts: each function's init, and its first call, side by side with an empty
Powertools REST handler (benchmarks/empty_powertools.py).

    python -m benchmarks.cold_start [--runs 10] [--only api,triage] [--no-call]

Every sample is a fresh Python process, timed from outside (wall clock), that does what the
Lambda runtime does at init: import the handler's module and look the handler up. A second
series also makes the first call, with the environment of template.yaml's Globals and every
AWS endpoint a closed local port, so the call loads what a real first request loads and stops
at its first AWS request. Runs of a function and of the empty handler alternate (ABBA), so drift
on a shared machine falls on both alike; medians and the ratio of medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.notify_server import local_templates
from infra.template import LocalTemplate, load

ROOT = Path(__file__).resolve().parent.parent
EMPTY = "benchmarks.empty_powertools.handler"
FUNCTION = "working-better-bench"
CLOSED_PORT = "http://127.0.0.1:9"  # discard: nothing listens, so a request fails at once

# What the Lambda runtime does at init (and, with an event, at the first call).
CHILD = """
import importlib, json, os, sys, types
module, _, name = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), name)
if len(sys.argv) > 2:
    function = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    context = types.SimpleNamespace(
        function_name=function, function_version="$LATEST", memory_limit_in_mb=512,
        invoked_function_arn=f"arn:aws:lambda:eu-west-2:123456789012:function:{function}",
        aws_request_id="00000000-0000-4000-8000-000000000000", log_group_name="bench",
        log_stream_name="bench", get_remaining_time_in_millis=lambda: 30000)
    try:
        handler(json.loads(sys.argv[2]), context)
    except Exception:
        pass  # the first AWS request fails (closed port): everything before it has loaded
"""

REFERRAL = "bench-0000-0000"
API_EVENT: dict[str, Any] = {
    "resource": "/referrals", "path": "/referrals", "httpMethod": "GET",
    "headers": {"Accept": "application/json"}, "multiValueHeaders": {},
    "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {
        "resourcePath": "/referrals", "httpMethod": "GET", "path": "/live/referrals",
        "stage": "live", "requestId": "bench", "identity": {"sourceIp": "127.0.0.1"},
        "authorizer": {"claims": {"sub": "bench", "cognito:groups": "ops"}},
    },
}


@dataclass(frozen=True)
class Target:
    label: str
    handler: str
    event: dict[str, Any]


TARGETS = [
    Target("api", "workingbetter.handlers.api.app", API_EVENT),
    *(Target(name, f"workingbetter.handlers.tasks.{name}", {"referral_id": REFERRAL})
      for name in ("triage", "allocate", "book", "chase")),
    Target("await_step", "workingbetter.handlers.tasks.await_step",
           {"referral_id": REFERRAL, "awaiting": "appointment_outcome", "token": "bench"}),
    Target("continue_in_work", "workingbetter.handlers.tasks.continue_in_work",
           {"referral_id": REFERRAL, "plan": {}}),
    Target("needs_ops", "workingbetter.handlers.tasks.needs_ops",
           {"referral_id": REFERRAL, "attention": "bench"}),
    Target("send_notifications", "workingbetter.handlers.scheduled.send_notifications", {}),
    Target("reconcile_capacity", "workingbetter.handlers.scheduled.reconcile_capacity", {}),
]


def lambda_environment() -> dict[str, str]:
    """template.yaml's Globals as deployed (Cognito, the hash key from Secrets Manager), the
    variables the Lambda runtime sets, and no real credentials or endpoints."""
    arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:bench"
    # A council's own address: a deployed function refuses a placeholder (settings.py).
    given = {"UserPool": "eu-west-2_bench", "UserPoolClient": "bench-client",
            "PublicUrl": "https://workingbetter.bench.nhs.uk"}
    env = LocalTemplate(load(), overrides=given).function_environment({
        "WB_NHS_HASH_KEY_SECRET_ARN": arn, "WB_NOTIFY_TEMPLATES": json.dumps(local_templates())})
    env.update({
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "en_US.UTF-8", "TZ": ":UTC",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT)]),
        "LAMBDA_TASK_ROOT": str(ROOT / "functions"), "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "eu-west-2",
        "AWS_DEFAULT_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
        "AWS_ENDPOINT_URL": CLOSED_PORT, "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard",
    })
    return env


@dataclass(frozen=True)
class Sample:
    wall: float  # what a caller waits
    cpu: float  # user + system time of the process: steadier on a busy machine


def once(env: dict[str, str], handler: str, event: dict[str, Any] | None) -> Sample:
    args = [sys.executable, "-c", CHILD, handler]
    if event is not None:  # the scheduled functions' event is {}
        args.append(json.dumps(event))
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,  # noqa: S603
                             stderr=subprocess.PIPE)
    assert child.stderr is not None
    stderr = child.stderr.read()  # until the process exits and closes it
    _, status, usage = os.wait4(child.pid, 0)  # reaped here, with its CPU time
    elapsed = time.perf_counter() - started
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{handler} failed to start:\n{stderr.decode()}")
    return Sample(elapsed, usage.ru_utime + usage.ru_stime)


@dataclass
class Pair:
    """Samples of one function and of the empty handler, taken alternately."""

    own: list[Sample] = field(default_factory=list)
    empty: list[Sample] = field(default_factory=list)

    def take(self, env: dict[str, str], handler: str, event: dict[str, Any] | None,
             empty_event: dict[str, Any] | None, empty_first: bool) -> None:
        if empty_first:
            self.empty.append(once(env, EMPTY, empty_event))
        self.own.append(once(env, handler, event))
        if not empty_first:
            self.empty.append(once(env, EMPTY, empty_event))

    def cells(self) -> list[str]:
        """Wall-clock medians and their ratio, then the ratio of CPU-time medians."""
        own, empty = (statistics.median(s.wall for s in self.own),
                      statistics.median(s.wall for s in self.empty))
        cpu = (statistics.median(s.cpu for s in self.own) /
               statistics.median(s.cpu for s in self.empty))
        return [f"{own * 1000:.0f}", f"{empty * 1000:.0f}", f"**{own / empty:.2f}x**",
                f"{cpu:.2f}x"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per series (10)")
    parser.add_argument("--only", default="", help="comma-separated labels, e.g. api,triage")
    parser.add_argument("--no-call", action="store_true", help="init only, no first call")
    args = parser.parse_args()
    wanted = {label for label in args.only.split(",") if label}
    targets = [t for t in TARGETS if not wanted or t.label in wanted]
    env = lambda_environment()
    for target in targets:  # compile bytecode and warm the file cache; not counted
        once(env, target.handler, None)
    once(env, EMPTY, None)
    init = {t.label: Pair() for t in targets}
    call = {t.label: Pair() for t in targets}
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", file=sys.stderr, flush=True)
        for target in targets:
            first = run % 2 == 0  # ABBA: the empty handler goes first every other run
            init[target.label].take(env, target.handler, None, None, first)
            if not args.no_call:
                call[target.label].take(env, target.handler, target.event, API_EVENT, first)
    header = "| function | handler | init ms | empty ms | ratio | CPU ratio |"
    rule = "|---|---|--:|--:|--:|--:|"
    if not args.no_call:
        header += " init + first call ms | empty ms | ratio | CPU ratio |"
        rule += "--:|--:|--:|--:|"
    print(f"\nMedians of {args.runs} fresh processes each ({sys.implementation.cache_tag}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}). Ratio: wall-clock medians; "
          "CPU ratio: user + system time medians.\n")
    print(header)
    print(rule)
    for target in targets:
        cells = [target.label, f"`{target.handler}`", *init[target.label].cells()]
        if not args.no_call:
            cells += call[target.label].cells()
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
