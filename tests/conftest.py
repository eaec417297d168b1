"""Shared fixtures: a fresh moto cloud built from template.yaml, with the real ASL executed and
Lambda tasks dispatched to the real handlers in-process. No network, no AWS account."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from moto.stepfunctions.parser.utils import TMP_THREADS

from infra import engine
from infra.cloud import Built, build
from infra.cognito import Person
from infra.seed import seed
from infra.template import REGION, LocalTemplate, load
from tests import local_stack_process
from tests.local_stack_process import PATIENT_LIMITS, Running
from workingbetter import wiring
from workingbetter.adapters.store import Store
from workingbetter.adapters.workflow import referral_of
from workingbetter.domain.auth import Role
from workingbetter.domain.records.directory import Coach
from workingbetter.domain.records.referral import Referral
from workingbetter.notifications import sending
from workingbetter.services import referrals
from workingbetter.settings import Settings

# Never let a test reach a real account, whatever the developer's shell holds.
for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION, "TZ": "UTC", "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_NAMESPACE": "WorkingBetter",
})
time.tzset()
# moto logs every caught ASL error at ERROR level; the tests assert on outcomes instead.
logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)

R = TypeVar("R")
NHS_HASH_KEY = "test-nhs-hash-key-0123456789"
LOCAL_PUBLIC_URL = "http://127.0.0.1:8000"
# A fast service clock: one service day is a tenth of a second. People's time limits stay long
# (PATIENT_LIMITS): tests about time limits set their own with the service_days marker.
TEST_SECONDS_PER_DAY = "0.1"
# How long a test waits for the run to get somewhere: far longer than any step it drives
# takes, even on a loaded machine (a passing test never waits this long).
WAIT = 60.0
# How long teardown waits for the runs it ended to wind down before the mock goes.
WIND_DOWN = 10.0


@functools.cache
def _template_document() -> dict[str, Any]:
    """template.yaml, read once per worker (each test gets its own copy to resolve)."""
    return load()


class _Session(boto3.Session):
    """A plain client (a service's name, perhaps a region) is made once per worker: making one
    costs ~12 ms of CPU and a cloud's build, seed and wiring make ten. A client holds no state of
    a test's (moto answers whichever client asks, from the test's own backends); a client made
    any other way (an endpoint, a config: a resource's) is made afresh, as a test that hooks its
    events does with the store's."""

    def __init__(self) -> None:
        super().__init__()
        self._clients: dict[tuple[str, str | None], Any] = {}

    def client(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) != 1 or set(kwargs) - {"region_name"}:
            return super().client(*args, **kwargs)
        key = (args[0], kwargs.get("region_name"))
        with _CLIENTS_LOCK:
            if key not in self._clients:
                self._clients[key] = super().client(*args, **kwargs)
            return self._clients[key]


_CLIENTS_LOCK = threading.Lock()


@functools.cache
def _boto3_session() -> boto3.Session:
    """One boto3 session per worker: moto starts each test with none, and a new session
    loads and parses every service's model again (about 40 ms a client). Its clients still
    reach the test's own moto, which answers whichever session asks."""
    return _Session()


# What infra.seed writes into an empty cloud, table by table, as DynamoDB holds it: seeded
# through the service's store once per worker, then written back as it is (one batch instead
# of seed's 78 conditional writes, about 0.25 s of CPU a test). It holds no date or clock value,
# so every test starts from the same seeded service; tests/integration/test_seed.py checks the
# import itself.
_SEEDED: dict[str, list[dict[str, Any]]] = {}


def _seed(store: Store, tables: dict[str, str]) -> None:
    dynamodb: Any = boto3.client("dynamodb")  # items as DynamoDB holds them, untyped
    if not _SEEDED:
        seed(store)
        _SEEDED.update({name: [item for page in dynamodb.get_paginator("scan").paginate(
            TableName=name) for item in page["Items"]] for name in tables.values()})
        return
    for name, items in _SEEDED.items():
        for start in range(0, len(items), 25):  # BatchWriteItem's limit
            requests = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
            unwritten = dynamodb.batch_write_item(RequestItems={name: requests})
            assert not unwritten["UnprocessedItems"], "moto writes every item of a batch"


def reset_caches() -> None:
    """Adapters are built once per container in production; each test gets a fresh cloud."""
    wiring.reset()
    referrals._idempotent.cache_clear()


@dataclass
class Cloud:
    built: Built
    store: Store
    settings: Settings
    _environment: pytest.MonkeyPatch
    _tokens: dict[Person, str] = field(default_factory=dict)
    # Tests call `token` from several threads at once (races on purpose): one account each.
    _tokens_lock: threading.Lock = field(default_factory=threading.Lock)

    @functools.cached_property
    def sfn(self) -> Any:
        return boto3.client("stepfunctions")

    def execution_arn(self, run_name: str) -> str:
        return self.built.state_machine_arn.replace(":stateMachine:", ":execution:") + \
            f":{run_name}"

    def runs(self, referral_id: str) -> list[str]:
        """The referral's runs that exist: its own, then its in-work run after a job start."""
        runs = [e for e in self.sfn.list_executions(
            stateMachineArn=self.built.state_machine_arn)["executions"]
            if referral_of(e["name"]) == referral_id]
        return [e["name"] for e in sorted(runs, key=lambda e: e["startDate"])]

    def history(self, referral_id: str) -> list[dict[str, Any]]:
        """Every event of every run of the referral, in order."""
        events: list[dict[str, Any]] = []
        for name in self.runs(referral_id):
            kwargs: dict[str, Any] = {"executionArn": self.execution_arn(name)}
            while True:
                page = self.sfn.get_execution_history(**kwargs)
                events += page["events"]
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]
        return events

    def states_entered(self, referral_id: str) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.history(referral_id)
                if e["type"].endswith("StateEntered")]

    def execution_status(self, referral_id: str) -> str:
        """The status of the referral's latest run."""
        return str(self.sfn.describe_execution(
            executionArn=self.execution_arn(self.runs(referral_id)[-1]))["status"])

    def referral(self, referral_id: str) -> Referral:
        """The referral as stored (it must exist)."""
        item = self.store.referrals.get(referral_id)
        assert item is not None, f"no referral {referral_id}"
        return item

    def coach(self, coach_id: str) -> Coach:
        """The coach as stored (who must exist)."""
        coach = self.store.directory.coach(coach_id)
        assert coach is not None, f"no coach {coach_id}"
        return coach

    def wait_for(self, referral_id: str, check: Callable[[Referral], bool],
                 timeout: float = WAIT, what: str = "condition") -> Referral:
        """Poll the referral until `check` holds; fail with its last state if it never does."""
        deadline = time.monotonic() + timeout
        item: Referral | None = None
        while time.monotonic() < deadline:
            item = self.store.referrals.get(referral_id)
            if item is not None and check(item):
                return item
            time.sleep(0.05)
        last = (item.status, item.awaiting, item.attention) if item else None
        raise AssertionError(f"{what} not reached in {timeout}s; referral is {last}; "
                             f"states {self.states_entered(referral_id)}")

    def wait_for_row(self, find: Callable[[], R | None], timeout: float = WAIT) -> R:
        """What `find` finds, once it is there (a write that follows the one awaited)."""
        deadline = time.monotonic() + timeout
        while (found := find()) is None:
            assert time.monotonic() < deadline, "not written within the time allowed"
            time.sleep(0.05)
        return found

    def wait_for_execution(self, referral_id: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.execution_status(referral_id)
            if status != "RUNNING":
                return status
            time.sleep(0.05)
        raise AssertionError(f"run still RUNNING after {timeout}s: "
                             f"{self.states_entered(referral_id)}")

    def personal_data(self, referral_id: str) -> dict[str, Any] | None:
        """The personal-data item as stored (a test's own look, not an audited read)."""
        table = boto3.resource("dynamodb").Table(self.settings.personal_data_table_name)
        items = table.query(KeyConditionExpression=Key("referral_id").eq(referral_id))["Items"]
        patient = next((i for i in items if i["sk"] == "PATIENT"), None)
        if patient is None:
            assert not items, "notes left behind without the patient's details"
            return None
        return {**patient, "notes": [i for i in items if str(i["sk"]).startswith("NOTE#")]}

    def token(self, role: Role, practice_ods: str | None = None,
              coach_id: str | None = None) -> str:
        """A real ID token from the test's Cognito pool (moto), for an account with this role
        and scope (made on first use; tokens last an hour, longer than any test)."""
        person = Person(str(role), practice_ods=practice_ods, coach_id=coach_id)
        with self._tokens_lock:
            if person not in self._tokens:
                self._tokens[person] = self.built.pool.id_token(person)
            return self._tokens[person]

    def end_all_runs(self) -> None:
        """Leave no run behind to wake up after the mock has gone."""
        sm = self.built.state_machine_arn
        for execution in self.sfn.list_executions(stateMachineArn=sm)["executions"]:
            if execution["status"] != "RUNNING":
                continue
            item = self.store.referrals.get(referral_of(execution["name"]))
            if item and item.task_token:
                with contextlib.suppress(Exception):  # the token may just have been used
                    self.sfn.send_task_failure(taskToken=item.task_token,
                                               error="Referral.Withdrawn")
            with contextlib.suppress(Exception):  # it may have ended meanwhile
                self.sfn.stop_execution(executionArn=execution["executionArn"])

    def set_service_days(self, **settings: object) -> None:
        """Change WB_* settings from now on, as the service_days marker sets them at the start
        (runs started afterwards carry the new limits): e.g. give people long limits again
        once a test has watched a short one run out, so its next step never races the clock."""
        for name, value in settings.items():
            self._environment.setenv(f"WB_{name.upper()}", str(value))
        reset_caches()
        self.settings = wiring.settings()

    def wind_down(self, timeout: float = WIND_DOWN) -> None:
        """Wait for the threads of the runs just ended (moto's TMP_THREADS: an execution's
        own, and any it started) to finish, so none is left to run after the mock has gone."""
        deadline = time.monotonic() + timeout
        for thread in list(TMP_THREADS):
            if thread.is_alive():  # not a state run inline (infra/sfn_threads.py)
                thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def cloud(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    marker = request.node.get_closest_marker("service_days")
    overrides: dict[str, Any] = dict(marker.kwargs) if marker else {}
    overrides.setdefault("seconds_per_day", TEST_SECONDS_PER_DAY)
    overrides = {**PATIENT_LIMITS, **overrides}
    with engine.in_process():
        boto3.DEFAULT_SESSION = _boto3_session()  # moto puts back its own on leaving
        # Served over plain HTTP, like the local stack: no HSTS, no Secure cookies.
        template = LocalTemplate(copy.deepcopy(_template_document()),
                                 overrides={"PublicUrl": LOCAL_PUBLIC_URL})
        built = build(template)
        env = engine.environment(template, nhs_hash_key=NHS_HASH_KEY, **overrides)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        reset_caches()
        settings, store = wiring.settings(), wiring.adapters().store
        assert settings.state_machine_arn == built.state_machine_arn
        _seed(store, built.tables)
        cloud = Cloud(built=built, store=store, settings=settings, _environment=monkeypatch)
        try:
            yield cloud
        finally:
            cloud.end_all_runs()
            cloud.wind_down()
    reset_caches()


@pytest.fixture(autouse=True)
def texts_at_any_hour(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between 21:00 and 08:00 texts wait for the morning (notifications.sending), so a test
    that expects a text sent at once failed whenever the suite ran in the evening. In this
    process the tests' texts go at any hour; a test of the quiet hours themselves is marked
    `quiet_hours` and keeps the rule. (The local stack's compressed service clock passes
    through quiet hours every service day, and its tests wait for 08:00 as the service does.)"""
    if request.node.get_closest_marker("quiet_hours") is None:
        monkeypatch.setattr(sending, "in_quiet_hours", lambda instant: False)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[Running]:
    """`make run` once per worker, for the files that need nothing special of it (the browser
    files, the sign-in walk): each start is several interpreters and 15-25 s. So each file that
    uses it refers NHS numbers and books coaches no other such file does, and reads what it
    made, never a count of everything the stack holds."""
    running = local_stack_process.start()
    yield running
    local_stack_process.stop(running)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "service_days(**settings): override WB_* settings")


# The files that take longest (`pytest --durations=0`, summed by file), longest first:
# `--dist loadfile` hands files to the workers in collection order, so these start first and
# the run does not end with one worker still on a long file while the other waits.
SLOWEST_FIRST = (
    "tests/e2e/test_bench_quick.py", "tests/e2e/test_demo.py", "tests/browser/test_app_setup.py",
    "tests/integration/test_authorisation_matrix.py", "tests/browser/test_pages.py",
    "tests/e2e/test_local_stack.py", "tests/browser/test_case_record.py",
    "tests/integration/test_delivery_receipts.py", "tests/integration/test_concurrency.py",
    "tests/integration/test_nothing_stranded.py",
    "tests/e2e/test_local_stack_stopping.py",
    "tests/integration/test_pathway.py", "tests/integration/test_api_contract.py",
    "tests/integration/test_withdrawal.py", "tests/web/test_sign_in.py",
    "tests/integration/test_fhir.py", "tests/web/test_pages.py",
    "tests/integration/test_patient_requests.py", "tests/e2e/test_local_notify.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = {name: rank for rank, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: first.get(item.nodeid.partition("::")[0], len(first)))


def diary_down(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A booking task whose diary service is down: put in place of tasks.book to make the
    run fail at that step."""
    raise RuntimeError("the diary service is down")


# -- referral bodies -----------------------------------------------------------------------

VALID_NHS_NUMBERS = ["4857773457", "9434765919", "9434765870", "9434765862", "9434765854",
                     "9434765846", "9434765838", "9434765811", "9434765803", "9434765790"]


def referral_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "practice_ods": "F83001",
        "patient": {
            "nhs_number": "485 777 3457",
            "given_name": "Ada",
            "family_name": "Testperson",
            "date_of_birth": "1980-04-01",
            "phone": "07700 900982",
            "contact_preference": "sms",
        },
        "employment_status": "unemployed",
        "health_conditions": ["mental_health"],
        "consent": {"referral": True, "share_outcome_with_gp": True},
        "reason": "Wants help getting back to work after a long illness.",
    }
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        if value is _DELETE:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return body


_DELETE = object()
DELETE = _DELETE


def as_json(body: Any) -> str:
    return json.dumps(body)
