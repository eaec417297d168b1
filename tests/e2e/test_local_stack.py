"""`make run` for real: the local stack in its own process, driven over HTTP only.

A referral reaches APPOINTMENT_BOOKED and its run is visible through the Step Functions API
at the printed endpoint (what `aws stepfunctions list-executions` calls); a whole journey
walks to EXITED job_sustained_26_weeks by HTTP alone; Ctrl-C stops the stack cleanly.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests import local_stack_process
from tests.conftest import referral_body
from tests.local_stack_process import Running
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack() -> Iterator[Running]:
    running = local_stack_process.start()
    yield running
    local_stack_process.stop(running)


def http(stack: Running, method: str, path: str, token: str,
         body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        stack.api + path, data=data, method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(stack: Running, referral_id: str, token: str, awaiting: str | None,
               status: str | None = None, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        code, view = http(stack, "GET", f"/referrals/{referral_id}", token)
        assert code == 200, view
        if view["awaiting"] == awaiting and (status is None or view["status"] == status):
            return view
        time.sleep(0.1)
    raise AssertionError(f"never reached awaiting={awaiting} status={status}: {view}")


def test_the_banner_gives_urls_tokens_and_the_aws_cli_line(stack: Running) -> None:
    assert "aws stepfunctions list-executions --endpoint-url " + stack.aws in stack.banner
    tokens = re.findall(r"^  export (REFERRER|COACH|OPS)=(eyJ\S+)$", stack.banner, re.M)
    assert [name for name, _ in tokens] == ["REFERRER", "COACH", "OPS"]
    code, _ = http(stack, "GET", "/practices", tokens[-1][1])
    assert code == 200  # issued by the stack's own pool


def test_the_banners_shell_lines_pasted_into_a_shell_reach_the_api(stack: Running) -> None:
    pasted = stack.banner.partition("Paste these lines into a shell:\n")[2].partition("\n\n")[0]

    done = subprocess.run(["bash", "-e"], input=pasted, capture_output=True, text=True,  # noqa: S607
                          timeout=60, check=True)

    practices = json.loads(done.stdout)
    assert sorted(p["practice_ods"] for p in practices) == [f"F8300{n}" for n in range(1, 7)]


def test_the_banner_names_who_to_sign_in_as_for_every_role(stack: Running) -> None:
    from infra.cognito import DEMO_PASSWORD

    assert f"password {DEMO_PASSWORD}" in stack.banner
    for email in ("referrer.f83001@workingbetter.example", "coach-amara@workingbetter.example",
                  "ops@workingbetter.example", "commissioner@workingbetter.example",
                  "manager@workingbetter.example"):
        assert email in stack.banner


def test_the_tokens_command_prints_a_token_the_stack_accepts(stack: Running) -> None:
    import os
    import sys

    from tests.local_stack_process import ROOT

    printed = subprocess.run(
        [sys.executable, "-m", "infra.tokens", "--role", "coach", "--coach", "coach-dev"],
        cwd=ROOT, env={**os.environ, "WB_STACK_FILE": str(stack.stack_file)},
        capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    code, listed = http(stack, "GET", "/referrals", printed)
    assert code == 200, listed
    forged = printed.rsplit(".", 1)[0] + ".c2lnbmVk"
    assert http(stack, "GET", "/referrals", forged)[0] == 401


def test_the_banner_says_everything_is_in_memory_and_ctrl_c_loses_it(stack: Running) -> None:
    said = " ".join(stack.banner.split())
    assert "Everything is kept in memory: Ctrl-C stops the stack and loses every referral" in said


def test_a_referral_reaches_a_booked_appointment_and_its_run_is_visible(
        stack: Running) -> None:
    referrer = stack.token(Role.REFERRER, practice_ods="F83003")
    code, created = http(stack, "POST", "/referrals", referrer,
                         referral_body(practice_ods="F83003",
                                       patient__nhs_number="9434765870"))
    assert code == 201, created
    view = wait_until(stack, created["referral_id"], referrer, "appointment_outcome")
    assert view["status"] == "APPOINTMENT_BOOKED"
    assert view["appointment"]["practice_ods"] == "F83003"

    sfn = boto3.client("stepfunctions", endpoint_url=stack.aws, region_name="eu-west-2",
                       aws_access_key_id="local", aws_secret_access_key="local")
    runs = sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
    mine = [r for r in runs if r["name"] == created["referral_id"]]
    assert [r["status"] for r in mine] == ["RUNNING"]


def test_a_journey_walks_to_a_sustained_job_by_http_alone(stack: Running) -> None:
    referrer = stack.token(Role.REFERRER, practice_ods="F83004")
    coach = stack.token(Role.COACH, coach_id="coach-esi")
    code, created = http(stack, "POST", "/referrals", referrer,
                         referral_body(practice_ods="F83004",
                                       patient__nhs_number="9434765862"))
    assert code == 201, created
    rid = created["referral_id"]

    def record(path: str, body: dict[str, Any]) -> None:
        deadline = time.monotonic() + 60
        code, reply = http(stack, "POST", f"/referrals/{rid}/{path}", coach, body)
        while code == 409 and "not happened yet" in reply["detail"] and \
                time.monotonic() < deadline:  # the appointment comes round on the clock
            time.sleep(0.1)
            code, reply = http(stack, "POST", f"/referrals/{rid}/{path}", coach, body)
        assert code == 200, reply

    wait_until(stack, rid, referrer, "appointment_outcome")  # the coach sees it once allocated
    record("appointment-outcome", {"outcome": "attended"})
    wait_until(stack, rid, coach, "review")
    record("reviews", {"decision": "continue", "employer_contacts": 3})
    wait_until(stack, rid, coach, "review")
    record("reviews", {"decision": "job_start", "employer_contacts": 1,
                       "job": {"employer": "Upper Street Books", "hours_per_week": 20,
                               "start_date": "2027-01-04"}})
    wait_until(stack, rid, coach, "sustainment_check")
    record("sustainment", {"still_in_work": True})
    wait_until(stack, rid, coach, "sustainment_check")
    record("sustainment", {"still_in_work": True, "end_support": True})

    view = wait_until(stack, rid, referrer, None, "EXITED")
    assert view["exit_reason"] == "job_sustained_26_weeks"
    assert view["fhir"] == {"service_request": "completed", "task": "completed"}


def test_an_sms_patient_gets_one_reminder_and_nothing_after_withdrawing(
        stack: Running) -> None:
    referrer = stack.token(Role.REFERRER, practice_ods="F83006")
    ops = stack.token(Role.OPS)
    code, created = http(stack, "POST", "/referrals", referrer,
                         referral_body(practice_ods="F83006",
                                       patient__nhs_number="9434765854"))
    assert code == 201, created
    rid = created["referral_id"]
    wait_until(stack, rid, referrer, "appointment_outcome")

    def notifications() -> list[dict[str, Any]]:
        code, listed = http(stack, "GET", f"/ops/notifications?referral_id={rid}", ops)
        assert code == 200, listed
        return list(listed)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reminders = [n for n in notifications() if n["kind"] == "appointment_reminder"]
        if reminders and reminders[0]["status"] in {"sent", "delivered"}:
            break
        time.sleep(0.2)
    assert [n["channel"] for n in reminders] == ["sms"]
    assert reminders[0]["status"] in {"sent", "delivered"}  # Notify's receipt follows

    code, _ = http(stack, "POST", f"/referrals/{rid}/withdraw", referrer, {})
    assert code == 200
    withdrawn_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    time.sleep(1.5)  # several scheduler ticks
    for note in notifications():
        if note["kind"].startswith(("appointment", "coach")):
            assert note["status"] in {"sent", "delivered", "cancelled"}, note
            if note["status"] != "cancelled":
                assert note["sent_at"][:19] <= withdrawn_at, note


def test_ctrl_c_stops_the_stack_cleanly(stack: Running) -> None:
    stack.process.send_signal(signal.SIGINT)
    out, _ = stack.process.communicate(timeout=120)  # a loaded machine is slow to stop it
    assert stack.process.returncode == 0, out
    said = out[out.index("Stopping"):]
    assert "Everything was kept in memory, so these go with the stack:" in said
    assert "Stopped." in said
