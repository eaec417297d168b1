"""The local stack's log, as `make run` sets it up: quiet by default (warnings, errors, a server
error's request line and a line a minute saying what happened), every line when verbose."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from chalice.app import Chalice

from infra import lambda_runtime, local_log, local_server
from workingbetter.domain.errors import ReferralWithdrawn
from workingbetter.observability import count, logger

ROOT = Path(__file__).resolve().parents[2]
tiny = Chalice(app_name="log-test", configure_logs=False)


@tiny.route("/fine")
def fine() -> dict[str, str]:
    return {"fine": "yes"}


@tiny.route("/broken")
def broken() -> dict[str, str]:
    raise RuntimeError("a bug")


@contextmanager
def serving() -> Iterator[str]:
    server = local_server.serve(tiny, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server.server_address[1]}"
    finally:
        server.shutdown()
        server.server.server_close()


def ask(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as answer:  # noqa: S310 - loopback
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def what_happens() -> None:
    """A line of each kind, as the local stack writes them, with its log set up as `make run`
    sets it (`verbose` as the first argument for --verbose); then a summary's worth of wait."""
    local_log.configure(verbose=sys.argv[1:] == ["verbose"])
    local_log.summaries(threading.Event(), every=0.3)
    logger.info("step done")
    logger.warning("referral needs ops attention")
    count("ReferralReceived")
    with serving() as base:
        assert ask(base, "/fine") == 200
        assert ask(base, "/broken") == 500
    lambda_runtime.told("working-better-ChaseFunction", ReferralWithdrawn("ended"))
    lambda_runtime.told("working-better-BookFunction", ValueError("diary down"))
    time.sleep(1)


def run_stack_log(*args: str) -> tuple[str, str]:
    """What goes out (stdout, stderr) in a process of its own, as in `make run`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_DISABLED")}
    done = subprocess.run(  # noqa: S603 - this interpreter, this module
        [sys.executable, "-c", "from tests.unit.test_local_log import what_happens as w; w()",
         *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout, done.stderr


def test_by_default_only_warnings_errors_and_a_summary_go_out() -> None:
    out, err = run_stack_log()

    assert "step done" not in out
    assert "ReferralReceived" not in out  # a metric's line, in CloudWatch's format
    assert "referral needs ops attention" in out
    assert "GET /fine" not in err
    assert '"GET /broken HTTP/1.1" 500' in err
    assert "ChaseFunction" not in err  # a withdrawal ends a run by design: not a fault
    assert "working-better-BookFunction raised ValueError\n" in err
    assert "ValueError: diary down" not in err  # one line: its traceback with --verbose
    assert "in the last 0.3 s: 2 requests (0 refused, 1 server errors)" in out


def test_verbose_shows_every_line() -> None:
    out, err = run_stack_log("verbose")

    assert "step done" in out
    assert '"ReferralReceived":[1.0]' in out
    assert "referral needs ops attention" in out
    assert '"GET /fine HTTP/1.1" 200' in err
    assert "ValueError: diary down" in err
    assert "in the last" not in out  # every line is there already


@pytest.mark.parametrize(("quiet", "said"), [
    (True, "a client left before its answer (BrokenPipeError)\n"),
    (False, "Traceback (most recent call last)")])
def test_a_client_that_leaves_early_is_one_line_in_the_quiet_log(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, quiet: bool,
        said: str) -> None:
    monkeypatch.setattr(local_log.MODE, "quiet", quiet)
    server = local_server.Server.__new__(local_server.Server)  # nothing bound: no socket

    try:
        raise BrokenPipeError(32, "Broken pipe")
    except BrokenPipeError:
        server.handle_error(None, ("127.0.0.1", 50000))

    assert said in capsys.readouterr().err


def test_the_summary_says_what_happened_and_what_failed() -> None:
    tally = local_log.Tally()
    for what in ("request", "request", "request refused", "task", "task", "task failed",
                 "scheduled"):
        tally.add(what)

    line = local_log.summary(tally.take(), 60)

    assert line.endswith("in the last 60 s: 2 requests (1 refused, 0 server errors), "
                         "2 workflow tasks (1 failed), 1 scheduled runs (0 failed)")
    assert tally.take() == {}
