"""`make run` in its own process, for the tests that drive it from outside (HTTP, a browser):
started on free ports, its URLs read from the banner it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from workingbetter.domain.auth import Role

ROOT = Path(__file__).resolve().parents[1]
# A person always has far longer than a test takes to answer: on a fast clock the real limits
# (7 to 42 days) are a few seconds, and on a busy machine a chase would race the test.
PATIENT_LIMITS = {name: 10_000 for name in (
    "triage_decision_days", "appointment_outcome_days", "review_response_days",
    "sustainment_response_days", "waitlist_days")}


@dataclass
class Running:
    process: subprocess.Popen[str]
    api: str
    aws: str
    state_machine_arn: str
    banner: str
    stack_file: Path

    def token(self, role: Role, practice_ods: str | None = None,
              coach_id: str | None = None) -> str:
        """An ID token from the stack's own user pool, as `python -m infra.tokens` prints."""
        from infra import tokens

        return tokens.token(self.stack_file, role, practice_ods=practice_ods,
                            coach_id=coach_id)


def _read_banner(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Press Ctrl-C to stop." in line:
            return "".join(lines)
    process.kill()
    raise AssertionError("the local stack did not start:\n" + "".join(lines))


def start(seconds_per_day: str = "0.05", *, settings: dict[str, str] | None = None) -> Running:
    """Start `make run`'s stack; `settings` add to its environment.
    People have far longer to answer than a test takes (PATIENT_LIMITS). The stack says where
    it runs in a file of its own, not the developer's .local-stack.json."""
    limits = {f"WB_{name.upper()}": str(days) for name, days in PATIENT_LIMITS.items()}
    stack_file = Path(tempfile.mkdtemp(prefix="wb-stack-")) / "stack.json"
    # The stack's settings are its own: a WB_* value the test process holds (a test's service
    # settings, set for in-process clouds) never reaches it (a caseload cap of 2 once did).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("WB_")}
    env = {**inherited, "WB_PORT": "0", "WB_AWS_PORT": "0", **limits,
           "WB_SECONDS_PER_DAY": seconds_per_day, "WB_STACK_FILE": str(stack_file),
           "PYTHONUNBUFFERED": "1", "POWERTOOLS_LOG_LEVEL": "WARNING", **(settings or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local_stack"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Generous: it returns as soon as the banner is out (seconds on a quiet machine), and a busy
    # machine must not fail a test that is not about start-up time.
    banner = _read_banner(process, time.monotonic() + 240)
    api = re.search(r"API\s+(http://127\.0\.0\.1:\d+)", banner)
    aws = re.search(r"AWS \(moto\)\s+(http://127\.0\.0\.1:\d+)", banner)
    machine = re.search(r"State machine\s+(\S+)", banner)
    assert api, banner
    assert aws, banner
    assert machine, banner
    return Running(process, api.group(1), aws.group(1), machine.group(1), banner, stack_file)


def stop(running: Running) -> None:
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait(10)
    running.stack_file.unlink(missing_ok=True)
    running.stack_file.parent.rmdir()
