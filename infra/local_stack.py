"""`make run`: the whole service on this machine, no AWS account, no Docker.

One foreground process: moto's server (DynamoDB, Lambda, Step Functions executing the real
ASL, Cognito) on 127.0.0.1:$WB_AWS_PORT, Lambda tasks dispatched in-process to the real
handlers, the Chalice app on 127.0.0.1:$WB_PORT, the pilot's practices seeded and a person to
sign in as for every role. Ctrl-C (or SIGTERM) stops it cleanly: no new request is taken, those
under way are answered, then the schedules and the engine stop, and the console says what is
left. Everything lives in memory: stopping it loses every referral.

Where it runs (its URLs and user pool) is written to $WB_STACK_FILE, for `python -m
infra.tokens`; the file goes when the stack stops.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import shlex
import socket
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chalice.local import LocalDevServer
from pydantic import Field, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra import (
    cognito_mail,
    engine,
    lambda_dispatch,
    local_log,
    local_server,
    powertools_keys,
    stop_signal,
)
from infra.cloud import Built, build
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person, pilot_people
from infra.notify_server import LocalNotify
from infra.scheduler import LocalScheduler
from infra.seed import pilot, pilot_practices, seed
from infra.template import REGION, ROOT, LocalTemplate, load
from workingbetter.domain.slots import WEEKDAYS

FINISH_WITHIN = 60.0  # seconds: how long stopping waits for what is under way to finish
IDLE_WAIT = 5.0  # seconds a connection that has sent nothing is kept open once stopped


class LocalSettings(BaseSettings):
    """The local stack's own knobs; the service's settings come from template.yaml."""

    model_config = SettingsConfigDict(env_prefix="WB_")

    port: int = Field(default=8000, ge=0, le=65535)
    aws_port: int = Field(default=5000, ge=0, le=65535)
    notify_port: int = Field(default=0, ge=0, le=65535)  # the local GOV.UK Notify; 0: any free
    seconds_per_day: PositiveFloat = 86400.0
    caseload_cap: PositiveInt = 20
    stack_file: Path = ROOT / ".local-stack.json"
    verbose: bool = False  # every log line (WB_VERBOSE=1 or --verbose), not just what matters
    # Not a secret: locally the NHS number hash only needs to be stable.
    nhs_hash_key: str = "local-nhs-hash-key-not-for-production"


@dataclass
class Stack:
    api_url: str
    aws_url: str
    built: Built
    stop: threading.Event
    scheduler: LocalScheduler
    people: list[Person]
    notify: LocalNotify


@dataclass(frozen=True)
class StackFile:
    """Where a running local stack is, and its service clock: what `python -m infra.tokens`,
    `make demo` and `make report` need to reach it and sign in (infra.tokens.running_stack)."""

    api_url: str
    aws_url: str
    region: str
    pool_id: str
    client_id: str
    seconds_per_day: float = 86400.0  # absent from a file an older stack wrote

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> StackFile:
        return cls(**json.loads(path.read_text()))

    def template_overrides(self) -> dict[str, str]:
        """What template.yaml's Refs resolve to in this stack (to build its environment)."""
        return {"PublicUrl": self.api_url, "UserPool": self.pool_id,
                "UserPoolClient": self.client_id}


class PortInUse(Exception):
    def __init__(self, port: int, variable: str) -> None:
        super().__init__(f"Port {port} is already in use ({variable}). Stop what is using it, "
                         f"or choose another port: {variable}={port + 1} make run")


def _check_free(port: int, variable: str) -> None:
    """Fail before starting anything: moto's server would wait for ever on a taken port."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(port, variable) from None
            raise


def _quiet_logs() -> None:
    for name in ("werkzeug", "moto", "moto.stepfunctions.parser", "botocore", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _configure_moto(aws_url: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{aws_url}/moto-api/config", data=json.dumps(lambda_dispatch.MOTO_CONFIG).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback only
        pass


def start(settings: LocalSettings) -> tuple[Stack, object, LocalDevServer]:
    """Start moto and the API; returns the stack and the two servers (for shutdown)."""
    from moto.server import ThreadedMotoServer

    _check_free(settings.port, "WB_PORT")
    _check_free(settings.aws_port, "WB_AWS_PORT")
    _quiet_logs()
    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=settings.aws_port,
                                     verbose=False)
    moto_server.start()
    assert moto_server._server is not None
    aws_port = moto_server._server.server_port  # the real port when 0 was asked for
    aws_url = f"http://127.0.0.1:{aws_port}"
    os.environ.update({
        "AWS_ENDPOINT_URL": aws_url, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "MOTO_PORT": str(aws_port), "TZ": "UTC",
    })
    time.tzset()
    _configure_moto(aws_url)
    engine.install()

    from workingbetter.handlers.api import app

    # Bind the API first: its address is where patients' withdrawal links point.
    try:
        api_server = local_server.serve(app, "127.0.0.1", settings.port)
    except OSError as error:  # taken since the check
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(settings.port, "WB_PORT") from None
        raise
    api_url = f"http://127.0.0.1:{api_server.server.server_address[1]}"
    # Notify's receipts come back to the API, half a second after each text or email.
    notify = LocalNotify(f"{api_url}/notify/callbacks", port=settings.notify_port,
                         receipt_after=0.5).start()
    # Cognito's emails (invitations, password codes) are listed on /dev/messages too.
    cognito_mail.forward = lambda mail: notify.record_email(mail.to, mail.subject, mail.body)
    template = LocalTemplate(load(), overrides={
        "SecondsPerDay": str(settings.seconds_per_day),
        "CaseloadCap": str(settings.caseload_cap),
        "PublicUrl": api_url,
    })
    built = build(template)
    os.environ.update(engine.environment(template, nhs_hash_key=settings.nhs_hash_key,
                                         notify_url=notify.url, dev_messages="true"))

    from workingbetter import wiring

    seed(wiring.adapters().store)
    people = pilot_people(pilot())
    for person in people:
        built.pool.add(person)
    StackFile(api_url, aws_url, REGION, built.pool.pool_id, built.pool.client_id,
              settings.seconds_per_day).write(settings.stack_file)
    scheduler = LocalScheduler(template, settings.seconds_per_day)
    scheduler.start()
    threading.Thread(target=api_server.serve_forever, daemon=True, name="api").start()
    stack = Stack(api_url=api_url, aws_url=aws_url, built=built, stop=threading.Event(),
                  scheduler=scheduler, people=people, notify=notify)
    return stack, moto_server, api_server


def _practices() -> dict[str, dict[str, Any]]:
    return {p["practice_ods"]: p for p in pilot_practices()}


def _days(weekday: int) -> str:
    return f"{WEEKDAYS[weekday].capitalize()}s"


def _role(person: Person, practices: dict[str, dict[str, Any]]) -> str:
    """What a person does and where: "coach at City Road Medical Centre (F83001), Mondays"."""
    if person.role == "referrer" and person.practice_ods in practices:
        return (f"practice staff at {practices[person.practice_ods]['name']} "
                f"({person.practice_ods})")
    for ods, practice in practices.items():
        for coach in practice["coaches"]:
            if person.role == "coach" and coach["coach_id"] == person.coach_id:
                return f"coach at {practice['name']} ({ods}), {_days(coach['weekday'])}"
    return {"ops": "service manager (ops)", "manager": "people manager (invites, disables)"
            }.get(person.role, person.role)


def _coaches(practices: dict[str, dict[str, Any]]) -> list[str]:
    """Which coach works where, and on which day."""
    return [f"  {p['name']} ({ods}): " + ", ".join(
                f"{c['name']} ({c['coach_id']}) on {_days(c['weekday'])}" for c in p["coaches"])
            for ods, p in practices.items()]


def shell_lines(api_url: str, tokens: dict[str, str], curl_as: str = "OPS") -> list[str]:
    """Lines a shell runs as pasted: each token as a variable, then a request that uses one."""
    return [*(f"export {name}={shlex.quote(token)}" for name, token in tokens.items()),
            f'curl -s -H "Authorization: Bearer ${curl_as}" {api_url}/practices']


def banner(stack: Stack, settings: LocalSettings) -> str:
    practices = _practices()
    people = {p.role: p for p in reversed(stack.people)}  # the first of each role
    width = max(len(p.name) for p in stack.people)
    roles = {p: _role(p, practices) for p in stack.people}
    role_width = max(map(len, roles.values()))
    tokens = {"REFERRER": people["referrer"], "COACH": people["coach"], "OPS": people["ops"],
              "MANAGER": people["manager"]}
    lines = [
        "",
        "Working Better is running locally.",
        f"  Web pages      {stack.api_url}/login",
        f"  API            {stack.api_url}   (with a token: see the lines below)",
        f"  Outcomes       {stack.api_url}/reports   (ops or the commissioner; `make report`)",
        f"  Messages       {stack.api_url}/dev/messages   (what was sent: texts, emails, "
        "letters)",
        f"  Notify (local) {stack.notify.url}",
        f"  AWS (moto)     {stack.aws_url}",
        f"  State machine  {stack.built.state_machine_arn}",
        f"  User pool      {stack.built.pool.pool_id} (moto's Cognito)",
        f"  Service day    {settings.seconds_per_day:g} s (WB_SECONDS_PER_DAY)",
        *[f"  Schedule       {s.name}: every {s.every:g} s" for s in stack.scheduler.schedules],
        "",
        "The practices and their coaches (each holds one surgery session a week there):",
        *_coaches(practices),
        "",
        f"Sign in at /login as any of these, password {DEMO_PASSWORD}:",
        *[f"  {p.name:<{width}}  {roles[p]:<{role_width}}  {p.email}" for p in stack.people],
        f"  then an authenticator code: locally any 6 digits, e.g. {LOCAL_CODE}",
        "",
        "ID tokens for the API, for an hour (`python -m infra.tokens --help` prints fresh "
        "ones): " + ", ".join(f"{name} is {p.name}'s" for name, p in tokens.items()) + ".",
        "Paste these lines into a shell:",
        *[f"  {line}" for line in shell_lines(stack.api_url, {
            name: stack.built.pool.id_token(person) for name, person in tokens.items()})],
        "",
        "Watch the runs with the AWS CLI:",
        f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws stepfunctions list-executions"
        f" --endpoint-url {stack.aws_url} --region {REGION}"
        f" --state-machine-arn {stack.built.state_machine_arn}",
        "",
        "Everything is kept in memory: Ctrl-C stops the stack and loses every referral,",
        "run and message. The log below shows warnings, errors and a line a minute;",
        "`make run VERBOSE=1` (or WB_VERBOSE=1) shows every line.",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def _counted(count: int, thing: str, things: str | None = None) -> str:
    return f"{count} {thing if count == 1 else things or thing + 's'}"


def _left_behind(stack: Stack) -> tuple[int, int, int]:
    """Referrals, runs still going and messages not yet sent: counts, nothing personal."""
    import boto3

    from workingbetter import wiring
    from workingbetter.domain.referral import Status

    store = wiring.adapters().store
    counted = store.lists.status_counts()
    referrals = sum(counted[str(status)] for status in Status)
    pages = boto3.client("stepfunctions").get_paginator("list_executions").paginate(
        stateMachineArn=stack.built.state_machine_arn, statusFilter="RUNNING")
    runs = sum(len(page["executions"]) for page in pages)
    return referrals, runs, store.outbox.scheduled_count()


def shut_down(stack: Stack, api: local_server.Server) -> list[str]:
    """Stop in the order that loses nothing without a word, and say what is left. The API
    takes no more requests and finishes those it is answering (the engine still runs for
    them); then the schedules stop; then the engine: no step starts, the steps running finish.
    Everything the stack held is in memory and goes with the process: the lines count it."""
    stack.notify.hold_receipts()  # the API takes none now
    drained = api.stop_taking_requests(FINISH_WITHIN)
    schedules_cut = stack.scheduler.close(FINISH_WITHIN)
    steps, steps_cut = lambda_dispatch.ENGINE.turn_off(FINISH_WITHIN)
    receipts = stack.notify.stop()
    referrals, runs, unsent = _left_behind(stack)
    held = lambda_dispatch.ENGINE.held
    api.close_idle(IDLE_WAIT)
    requests = _under_way(drained.finished + drained.cut_off, drained.cut_off, "request",
                          "answered")
    refused = f"; {_counted(drained.refused, 'request')} refused with a 503 as the stack " \
        "stopped" if drained.refused else ""
    schedules = f"; {_counted(schedules_cut, 'firing')} cut off after {FINISH_WITHIN:g} s" \
        if schedules_cut else ""
    return [
        f"  Requests: {requests}{refused}.",
        f"  Schedules: stopped{schedules}.",
        "  Workflow engine: stopped, no step starts now; "
        f"{_under_way(steps, steps_cut, 'step', 'finished')}.",
        "Everything was kept in memory, so these go with the stack:",
        f"  {_counted(referrals, 'referral')}",
        f"  {_counted(runs, 'run')} still going ({held} held before their next step, "
        f"{max(0, runs - held)} waiting for a person, an answer or a timer)",
        f"  {_counted(unsent, 'message')} not yet sent, "
        f"{_counted(receipts, 'delivery receipt')} not yet recorded",
    ]


def _under_way(count: int, cut_off: int, thing: str, done: str) -> str:
    """"3 requests under way, all answered", or how many were cut off by the wait."""
    if not count:
        return f"no {thing} under way"
    if not cut_off:
        return f"{_counted(count, thing)} under way, {'all ' if count > 1 else ''}{done}"
    return (f"{_counted(count, thing)} under way, {count - cut_off} {done}, {cut_off} cut off "
            f"after {FINISH_WITHIN:g} s")



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The whole service on this machine.")
    parser.add_argument("--verbose", action="store_true",
                        help="print every log line and request (as WB_VERBOSE=1 does)")
    settings = LocalSettings()
    local_log.configure(verbose=parser.parse_args(argv).verbose or settings.verbose)
    try:
        stack, _, api_server = start(settings)
    except PortInUse as error:
        print(error, file=sys.stderr, flush=True)
        return 2
    # The API's request threads run no Lambda handler: their lines are the API function's.
    powertools_keys.label_other_threads(function_name=LocalTemplate(load()).function_name(
        "ApiFunction"))
    print(banner(stack, settings), flush=True)
    local_log.summaries(stack.stop)

    stop_signal.listen(stack.stop)
    stop_signal.wait_for(stack.stop)
    print("\nStopping: new requests are refused; what is under way finishes first. "
          "(Ctrl-C again stops at once.)", flush=True)
    for line in shut_down(stack, local_server.server_of(api_server)):
        print(line, flush=True)
    # moto's server goes with the process: stopping it would wait for the tasks the engine
    # holds, which never start.
    settings.stack_file.unlink(missing_ok=True)
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
