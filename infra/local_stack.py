"""`make run`: the whole service on this machine, no AWS account, no Docker.

A supervisor and its processes (infra/child_process.py), sharing nothing but the local AWS
endpoint, so that the API answers while thousands of runs move:
- the engine (infra/engine_process.py): moto's server (DynamoDB, Lambda, Step Functions
  executing the real ASL, Cognito) on 127.0.0.1:$WB_AWS_PORT;
- task workers (infra/task_worker.py), to which the engine's Lambda sends every invocation of a
  handler, as the Lambda service runs them in containers;
- API workers (infra/api_worker.py): the Chalice app on 127.0.0.1:$WB_PORT;
- this process: the local GOV.UK Notify, the template's schedules, the console.

It builds what the template declares, seeds the pilot's practices and makes a person to sign in
as for every role. Ctrl-C (or SIGTERM) stops it cleanly: no new request is taken, those under
way are answered, then the schedules and the engine stop, and the console says what is left.
Everything lives in memory: stopping it loses every referral. Should this process be killed,
its processes end too.

Where it runs (its URLs and user pool) is written to $WB_STACK_FILE, for `python -m
infra.tokens`; the file goes when the stack stops.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra import engine, local_log, stop_signal
from infra.child_process import Child
from infra.cloud import Built, build
from infra.cognito import Person, pilot_people
from infra.local_banner import banner
from infra.notify_server import LocalNotify
from infra.scheduler import LocalScheduler
from infra.seed import pilot, seed
from infra.template import REGION, ROOT, LocalTemplate, load

T = TypeVar("T")
FINISH_WITHIN = 60.0  # seconds: how long stopping waits for what is under way to finish
START_WITHIN = 240.0  # seconds a part may take to start (a busy machine imports slowly)
ASK_WITHIN = 30.0  # seconds a part may take to answer a command, beyond what it waits for
LISTEN_BACKLOG = 128  # not socketserver's 5: a burst of connections is not reset
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
    api_workers: PositiveInt = 2  # processes serving the API (one per core)
    task_workers: PositiveInt = 2  # processes running the workflow's Lambda handlers
    verbose: bool = False  # every log line (WB_VERBOSE=1 or --verbose), not just what matters
    # Not a secret: locally the NHS number hash only needs to be stable.
    nhs_hash_key: str = "local-nhs-hash-key-not-for-production"


@dataclass
class Parts:
    """The stack's processes."""

    engine: Child
    api_workers: list[Child]
    task_workers: list[Child]

    def all(self) -> list[Child]:
        return [*self.api_workers, *self.task_workers, self.engine]

    def tally(self) -> Counter[str]:
        """What the engine and the API workers did since last asked (for the log's summary)."""
        counts: Counter[str] = Counter()
        for part in (self.engine, *self.api_workers):
            counts.update(part.ask("tally", ASK_WITHIN))
        return counts

    def end(self) -> None:
        for part in self.all():
            part.end()


@dataclass
class Stack:
    api_url: str
    aws_url: str
    built: Built
    stop: threading.Event
    scheduler: LocalScheduler
    people: list[Person]
    notify: LocalNotify
    parts: Parts

    @property
    def processes(self) -> str:
        """For the banner: which process is which."""
        def pids(parts: list[Child]) -> str:
            return ", ".join(str(p.process.pid) for p in parts)

        return (f"engine {self.parts.engine.process.pid}, "
                f"API workers {pids(self.parts.api_workers)}, "
                f"task workers {pids(self.parts.task_workers)}, this one {os.getpid()}")


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


def _listen(port: int, variable: str) -> socket.socket:
    """The socket a kind of worker shares, bound here so that its address is known first."""
    try:
        return socket.create_server(("127.0.0.1", port), backlog=LISTEN_BACKLOG)
    except OSError as error:  # taken since the check
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(port, variable) from None
        raise


def _all(call: Callable[[Child], T], parts: list[Child]) -> list[T]:
    """The same call on each part at once (they start, or drain, side by side)."""
    with ThreadPoolExecutor(max_workers=max(1, len(parts))) as pool:
        return list(pool.map(call, parts))


def _workers(name: str, module: str, count: int, listening: socket.socket,
             env: dict[str, str], *extra: str) -> list[Child]:
    fd = listening.fileno()
    return [Child(f"{name} {n}", module, ["--fd", str(fd), *extra, *_verbose()], env=env,
                  pass_fds=[fd]) for n in range(1, count + 1)]


def _verbose() -> list[str]:
    return [] if local_log.MODE.quiet else ["--verbose"]


def _engine(settings: LocalSettings, tasks: socket.socket, notify: LocalNotify) -> Child:
    def mail(event: dict[str, Any]) -> None:  # Cognito's, shown on /dev/messages too
        notify.record_email(**event["mail"])

    return Child("engine", "infra.engine_process",
                 ["--port", str(settings.aws_port), "--workers",
                  str(tasks.getsockname()[1]), *_verbose()],
                 env={**os.environ, "TZ": "UTC"}, on_event=mail)


def start(settings: LocalSettings) -> Stack:
    """Start every part, build the template and seed it; returns once everything serves."""
    _check_free(settings.aws_port, "WB_AWS_PORT")  # the engine binds it, in its own process
    # Bind the API first (a port in use stops the stack here): its address is where patients'
    # withdrawal links point.
    api_socket = _listen(settings.port, "WB_PORT")
    api_url = f"http://127.0.0.1:{api_socket.getsockname()[1]}"
    task_socket = _listen(0, "the task workers' port")
    # Notify's receipts come back to the API, half a second after each text or email.
    notify = LocalNotify(f"{api_url}/notify/callbacks", port=settings.notify_port,
                         receipt_after=0.5).start()
    engine_part = _engine(settings, task_socket, notify)
    aws_url = engine_part.ready(START_WITHIN)["aws_url"]
    os.environ.update({
        "AWS_ENDPOINT_URL": aws_url, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "TZ": "UTC",
    })
    time.tzset()
    template = LocalTemplate(load(), overrides={
        "SecondsPerDay": str(settings.seconds_per_day),
        "CaseloadCap": str(settings.caseload_cap),
        "PublicUrl": api_url,
    })
    built = build(template)
    os.environ.update(engine.environment(template, nhs_hash_key=settings.nhs_hash_key,
                                         notify_url=notify.url, dev_messages="true"))
    env = dict(os.environ)
    parts = Parts(engine_part,
                  _workers("API worker", "infra.api_worker", settings.api_workers, api_socket,
                           env, "--function-name", template.function_name("ApiFunction")),
                  _workers("task worker", "infra.task_worker", settings.task_workers,
                           task_socket, env))
    # The workers load the service's code while this process seeds the tables.
    from workingbetter import wiring

    seed(wiring.adapters().store)
    people = pilot_people(pilot())
    for person in people:
        built.pool.add(person)
    _all(lambda part: part.ready(START_WITHIN), [*parts.api_workers, *parts.task_workers])
    api_socket.close()  # the workers hold it now: the last to close it closes the port
    task_socket.close()
    StackFile(api_url, aws_url, REGION, built.pool.pool_id, built.pool.client_id,
              settings.seconds_per_day).write(settings.stack_file)
    scheduler = LocalScheduler(template, settings.seconds_per_day)
    scheduler.start()
    return Stack(api_url=api_url, aws_url=aws_url, built=built, stop=threading.Event(),
                 scheduler=scheduler, people=people, notify=notify, parts=parts)


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


def _drained(parts: list[Child]) -> dict[str, int]:
    """Each API worker stops taking requests and finishes those it is answering, side by
    side; what they did, summed."""
    said = _all(lambda part: part.ask("stop", FINISH_WITHIN + ASK_WITHIN, wait=FINISH_WITHIN),
                parts)
    return {key: sum(one[key] for one in said) for key in ("finished", "refused", "cut_off")}


def shut_down(stack: Stack) -> list[str]:
    """Stop in the order that loses nothing without a word, and say what is left. The API
    takes no more requests and finishes those it is answering (the engine still runs for
    them); then the schedules stop; then the engine: no step starts, the steps running finish.
    Everything the stack held is in memory and goes with the processes: the lines count it."""
    parts = stack.parts
    stack.notify.hold_receipts()  # the API takes none now
    drained = _drained(parts.api_workers)
    schedules_cut = stack.scheduler.close(FINISH_WITHIN)
    steps = parts.engine.ask("stop", FINISH_WITHIN + ASK_WITHIN, wait=FINISH_WITHIN)
    receipts = stack.notify.stop()
    referrals, runs, unsent = _left_behind(stack)
    held = parts.engine.ask("held", ASK_WITHIN)
    _all(lambda part: part.ask("close_idle", IDLE_WAIT + ASK_WITHIN, wait=IDLE_WAIT),
         parts.api_workers)
    requests = _under_way(drained["finished"] + drained["cut_off"], drained["cut_off"],
                          "request", "answered")
    refused = f"; {_counted(drained['refused'], 'request')} refused with a 503 as the stack " \
        "stopped" if drained["refused"] else ""
    schedules = f"; {_counted(schedules_cut, 'firing')} cut off after {FINISH_WITHIN:g} s" \
        if schedules_cut else ""
    return [
        f"  Requests: {requests}{refused}.",
        f"  Schedules: stopped{schedules}.",
        "  Workflow engine: stopped, no step starts now; "
        f"{_under_way(steps['running'], steps['cut_off'], 'step', 'finished')}.",
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
    # Until it is ready, a stop signal ends the stack at once (its parts go with it).
    try:
        stack = start(settings)
    except PortInUse as error:
        print(error, file=sys.stderr, flush=True)
        return 2
    try:
        print(banner(stack, settings), flush=True)
        local_log.summaries(stack.stop, take=stack.parts.tally)
        stop_signal.listen(stack.stop)
        stop_signal.wait_for(stack.stop)
        print("\nStopping: new requests are refused; what is under way finishes first. "
              "(Ctrl-C again stops at once.)", flush=True)
        for line in shut_down(stack):
            print(line, flush=True)
    finally:
        # The engine goes last and at once: waiting for it would wait for the tasks it holds,
        # which never start.
        stack.parts.end()
        settings.stack_file.unlink(missing_ok=True)
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
