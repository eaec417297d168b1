"""`make run`: the whole service on this machine, no AWS account, no Docker.

One foreground process: moto's server (DynamoDB, Lambda, Step Functions executing the real
ASL, Cognito) on 127.0.0.1:$WB_AWS_PORT, Lambda tasks dispatched in-process to the real
handlers, the Chalice app on 127.0.0.1:$WB_PORT, the pilot's practices seeded and a person to
sign in as for every role. Ctrl-C stops it cleanly. Everything lives in memory: stopping it
loses every referral.

Where it runs (its URLs and user pool) is written to $WB_STACK_FILE, for `python -m
infra.tokens`; the file goes when the stack stops.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

from pydantic import Field, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra import engine, lambda_dispatch, local_server
from infra.cloud import Built, build
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person, pilot_people
from infra.notify_server import LocalNotify
from infra.scheduler import LocalScheduler
from infra.seed import pilot_practices, seed
from infra.template import REGION, ROOT, LocalTemplate, load


class LocalSettings(BaseSettings):
    """The local stack's own knobs; the service's settings come from template.yaml."""

    model_config = SettingsConfigDict(env_prefix="WB_")

    port: int = Field(default=8000, ge=0, le=65535)
    aws_port: int = Field(default=5000, ge=0, le=65535)
    notify_port: int = Field(default=0, ge=0, le=65535)  # the local GOV.UK Notify; 0: any free
    seconds_per_day: PositiveFloat = 86400.0
    caseload_cap: PositiveInt = 20
    stack_file: Path = ROOT / ".local-stack.json"
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


def start(settings: LocalSettings) -> tuple[Stack, object, object]:
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
    people = pilot_people(pilot_practices())
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


def _who(person: Person) -> str:
    scope = person.practice_ods or person.coach_id
    return f"{person.role} {scope}" if scope else person.role


def banner(stack: Stack, settings: LocalSettings) -> str:
    first = pilot_practices()[0]
    referrer = Person("referrer", practice_ods=first["practice_ods"])
    coach = Person("coach", coach_id=first["coaches"][0]["coach_id"])
    width = max(len(_who(p)) for p in stack.people)
    lines = [
        "",
        "Working Better is running locally.",
        f"  API            {stack.api_url}   (try GET {stack.api_url}/practices)",
        f"  Web pages      {stack.api_url}/login",
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
        f"Sign in at /login as any of these, password {DEMO_PASSWORD}:",
        *[f"  {_who(p):<{width}}  {p.email}" for p in stack.people],
        f"  (ops also enters an authenticator code: locally any 6 digits, e.g. {LOCAL_CODE})",
        "",
        "ID tokens for the API (1 h; `python -m infra.tokens --help` prints fresh ones):",
        f"  referrer at {first['name']} ({first['practice_ods']}):",
        f"    {stack.built.pool.id_token(referrer)}",
        f"  coach {coach.coach_id}:",
        f"    {stack.built.pool.id_token(coach)}",
        "  ops:",
        f"    {stack.built.pool.id_token(Person('ops', app=True))}",
        "",
        "Watch the runs with the AWS CLI:",
        f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws stepfunctions list-executions"
        f" --endpoint-url {stack.aws_url} --region {REGION}"
        f" --state-machine-arn {stack.built.state_machine_arn}",
        "",
        "Everything is kept in memory: Ctrl-C stops the stack and loses every referral,",
        "run and message.",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def main() -> int:
    settings = LocalSettings()
    try:
        stack, moto_server, api_server = start(settings)
    except PortInUse as error:
        print(error, file=sys.stderr, flush=True)
        return 2
    print(banner(stack, settings), flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        stack.stop.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    stack.stop.wait()
    print("\nStopping…", flush=True)
    stack.scheduler.stop.set()
    stack.notify.stop()
    api_server.shutdown()  # type: ignore[attr-defined]
    moto_server.stop()  # type: ignore[attr-defined]
    settings.stack_file.unlink(missing_ok=True)
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
