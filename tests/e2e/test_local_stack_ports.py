"""`make run` on a port something else holds stops at once, says which port and what to do,
and exits non-zero (it used to print a traceback, or wait for ever on the AWS port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.local_stack_process import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize("variable", ["WB_PORT", "WB_AWS_PORT"])
def test_a_port_in_use_stops_the_stack_with_a_clear_message(taken_port: int,
                                                            variable: str) -> None:
    env = {**os.environ, "WB_PORT": "0", "WB_AWS_PORT": "0", variable: str(taken_port)}
    finished = subprocess.run([sys.executable, "-m", "infra.local_stack"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert f"Port {taken_port} is already in use" in finished.stderr
    assert variable in finished.stderr
    assert "Traceback" not in finished.stderr
