"""Each line of the local log carries the name of the function that wrote it, though every
function runs in one process, two at once on two threads."""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from infra import powertools_keys
from infra.lambda_runtime import LocalContext
from tests.unit.moto_internals import digest

POWERTOOLS = "3.37.0"  # Powertools' version when the digests below were taken


@pytest.fixture
def logged() -> tuple[Logger, io.StringIO]:
    """A Powertools logger of its own (a logger is named by its service, and keeps its handler
    for the life of the process)."""
    out = io.StringIO()
    return Logger(service=f"keys-test-{uuid.uuid4().hex}", stream=out, level="INFO"), out


def handler(logger: Logger, started: threading.Event, go_on: threading.Event,
            message: str) -> Callable[[dict[str, Any], Any], None]:
    @logger.inject_lambda_context(clear_state=True)
    def handle(event: dict[str, Any], context: Any) -> None:
        started.set()
        assert go_on.wait(10)
        logger.info(message)

    return handle


def two_at_once(logger: Logger, out: io.StringIO) -> dict[str, str]:
    """Reconcile starts, the sender starts while it runs, then reconcile logs, then the
    sender: each message with the function_name its line carries."""
    first_in, second_in, first_on, second_on = (threading.Event() for _ in range(4))
    reconcile = handler(logger, first_in, first_on, "caseloads reconciled")
    send = handler(logger, second_in, second_on, "notifications processed")
    threads = [threading.Thread(target=reconcile, args=({}, LocalContext(
                   "working-better-ReconcileFunction", "arn:reconcile"))),
               threading.Thread(target=send, args=({}, LocalContext(
                   "working-better-NotificationsFunction", "arn:notifications")))]
    threads[0].start()
    assert first_in.wait(10)
    threads[1].start()
    assert second_in.wait(10)
    first_on.set()
    threads[0].join(10)
    second_on.set()
    threads[1].join(10)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return {line["message"]: line["function_name"] for line in lines}


def test_each_line_carries_the_function_that_wrote_it(
        logged: tuple[Logger, io.StringIO]) -> None:
    powertools_keys.install()
    try:
        labels = two_at_once(*logged)
    finally:
        powertools_keys.uninstall()

    assert labels == {"caseloads reconciled": "working-better-ReconcileFunction",
                      "notifications processed": "working-better-NotificationsFunction"}


def test_a_thread_that_ran_no_function_is_labelled_as_told(
        logged: tuple[Logger, io.StringIO]) -> None:
    logger, out = logged
    powertools_keys.install()
    powertools_keys.label_other_threads(function_name="working-better-ApiFunction")
    try:
        two_at_once(logger, out)
        thread = threading.Thread(target=logger.warning, args=("request refused",))
        thread.start()
        thread.join(10)
    finally:
        powertools_keys.uninstall()

    last = json.loads(out.getvalue().splitlines()[-1])
    assert (last["message"], last["function_name"]) == ("request refused",
                                                        "working-better-ApiFunction")
    assert last["service"] == logger.service


def test_without_the_patch_one_functions_keys_label_the_others_lines(
        logged: tuple[Logger, io.StringIO]) -> None:
    """If this fails, Powertools keeps keys per thread itself: the patch may be retired."""
    labels = two_at_once(*logged)

    assert labels["caseloads reconciled"] == "working-better-NotificationsFunction"


def test_uninstalled_the_formatter_reads_its_own_keys_again(
        logged: tuple[Logger, io.StringIO]) -> None:
    logger, out = logged
    powertools_keys.install()
    made_while_installed = Logger(service=f"{logger.service}-during", stream=out,
                                  level="INFO")
    powertools_keys.uninstall()

    made_while_installed.info("still works")

    assert json.loads(out.getvalue().splitlines()[-1])["service"] == f"{logger.service}-during"


def test_the_powertools_internals_relied_on_are_unchanged() -> None:
    f = LambdaPowertoolsFormatter
    found = {name: digest(code) for name, code in (
        ("__init__", f.__init__), ("append_keys", f.append_keys),
        ("clear_state", f.clear_state), ("_extract_log_keys", f._extract_log_keys))}
    assert (version("aws-lambda-powertools"), found) == (POWERTOOLS, {
        "__init__": "1ed3e2eb349e77f2", "append_keys": "b65a63b3a2de8606",
        "clear_state": "f4234c617baf1dcd", "_extract_log_keys": "000fb338c409e3e0"})
