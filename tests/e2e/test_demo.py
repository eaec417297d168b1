"""`make demo` and `make report` against a running `make run`: they talk to the stack its stack
file names (another stack answering on WB_PORT is not it), and the demo walks every referral it
starts to where its plan ends, leaving none live or stalled."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import local_stack_process
from tests.local_stack_process import ROOT, Running

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack() -> Iterator[Running]:
    # A fast clock; people's limits stay far longer than the demo takes (PATIENT_LIMITS).
    running = local_stack_process.start("0.1")
    yield running
    local_stack_process.stop(running)


class Refusing(BaseHTTPRequestHandler):
    """Another stack on this machine: it knows none of our tokens."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"title": "Unauthorized"}')

    do_POST = do_GET

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def tool(stack: Running, elsewhere: int, *args: str,
         timeout: float) -> subprocess.CompletedProcess[str]:
    """A `make` tool as a developer runs it: their shell's WB_PORT names another stack."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("WB_")},
           "WB_STACK_FILE": str(stack.stack_file), "WB_PORT": str(elsewhere),
           "WB_AWS_PORT": str(elsewhere)}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_the_report_is_read_from_the_stack_the_stack_file_names(
        stack: Running, elsewhere: int) -> None:
    done = tool(stack, elsewhere, "infra.report", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "How far referrals have come" in done.stdout


def test_the_demo_walks_every_referral_to_where_its_plan_ends(
        stack: Running, elsewhere: int) -> None:
    done = tool(stack, elsewhere, "infra.demo", "--referrals", "4", "--seed", "e2e",
                "--minutes", "20", timeout=1500)
    assert done.returncode == 0, (done.stdout, done.stderr[-2000:])
    assert "4 referrals in" in done.stdout
    assert "Ended where its plan ends: 4 of 4. Left live: 0. Stalled: 0 now" in done.stdout
    assert "ended" in done.stderr  # the progress line
