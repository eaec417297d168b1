"""Stopping `make run` loses nothing without a word. On SIGTERM (or Ctrl-C) the stack stops
taking requests (503 problem+json with Retry-After, then connections refused), answers those
in flight, then stops its schedules and its engine, and says on the console, in counts only,
what stopping leaves behind. Once it went the other way round: the engine stopped while HTTP
still answered, and half the requests in flight got a 500.

Nothing here waits on the clock: the signal follows the moment every request has been sent,
and whatever the machine's speed each request must get an answer that says what happened."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import IO
from urllib.parse import urlsplit

import pytest

from tests import local_stack_process
from tests.conftest import referral_body
from tests.local_stack_process import Running
from workingbetter.domain.auth import Role
from workingbetter.domain.nhs_number import check_digit

pytestmark = pytest.mark.e2e

POSTS = 12
STOPPING = 300.0  # seconds a loaded machine may take to stop the stack (a pass takes a few)


def nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers, one for each patient."""
    found: list[str] = []
    first_nine = 943_476_100
    while len(found) < count:
        digit = check_digit(str(first_nine))
        if digit is not None:
            found.append(f"{first_nine}{digit}")
        first_nine += 1
    return found


@pytest.fixture
def stack() -> Iterator[Running]:
    running = local_stack_process.start()
    yield running
    local_stack_process.stop(running)


class Console:
    """Everything the stack prints, read as it comes (a full pipe would stall the stack)."""

    def __init__(self, running: Running) -> None:
        self.lines: list[str] = []
        assert running.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(running.process.stdout,),
                                        daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    def after(self, marker: str) -> str:
        self._reader.join(STOPPING)
        text = "".join(self.lines)
        assert marker in text, text[-3000:]
        return text[text.index(marker):]


def post_referral(stack: Running, token: str, nhs_number: str, sent: threading.Semaphore,
                  answers: list[object]) -> None:
    address = urlsplit(stack.api)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=300)
    body = json.dumps(referral_body(patient__nhs_number=nhs_number))
    try:
        try:
            connection.request("POST", "/referrals", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        finally:
            sent.release()  # sent, or refused on the way
        response = connection.getresponse()
        answer = response.read()
        if response.status == 503:
            assert response.getheader("Content-Type") == "application/problem+json"
            assert int(response.getheader("Retry-After") or "0") > 0
            assert json.loads(answer)["status"] == 503
        answers.append(response.status)
    except ConnectionRefusedError as refused:
        answers.append(type(refused).__name__)
    except Exception as error:  # whatever else it was, the test names it
        answers.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def stopped(stack: Running, console: Console) -> int:
    """The stack's exit code; if it has not stopped, where each of its threads is."""
    try:
        return stack.process.wait(STOPPING)
    except subprocess.TimeoutExpired:
        stack.process.send_signal(signal.SIGUSR1)  # the stack prints its threads' stacks
        time.sleep(2)  # not a race: only the failure's message waits for the dump
        raise AssertionError("the stack did not stop:\n"
                             + "".join(console.lines)[-20000:]) from None


def test_requests_in_flight_at_sigterm_are_answered_and_the_console_says_what_is_left(
        stack: Running) -> None:
    console = Console(stack)
    token = stack.token(Role.REFERRER, practice_ods="F83001")
    sent = threading.Semaphore(0)
    answers: list[object] = []
    posts = [threading.Thread(target=post_referral, args=(stack, token, number, sent, answers))
             for number in nhs_numbers(POSTS)]
    for post in posts:
        post.start()
    for _ in posts:  # every request is on its way...
        assert sent.acquire(timeout=STOPPING)
    stack.process.send_signal(signal.SIGTERM)  # ...when the stack is told to stop
    for post in posts:
        post.join(STOPPING)
    assert stopped(stack, console) == 0

    assert len(answers) == POSTS
    unclean = [a for a in answers if a not in (201, 202, 503, "ConnectionRefusedError")]
    assert unclean == [], answers
    said = console.after("Stopping")
    assert '" 500 ' not in said, said
    assert "Traceback" not in said, said
    assert "failed" not in said.lower(), said  # an interrupted run is not a failure
    assert "Stopped." in said
    made = answers.count(201) + answers.count(202)
    lost = re.search(r"(\d+) referrals?\b", said)
    assert lost, said
    assert int(lost.group(1)) == made, said
    assert re.search(r"\d+ runs?\b", said), said
    assert re.search(r"\d+ messages?\b", said), said
