"""What `make run` prints when it starts: lines a shell can paste (each token as a variable and
a request that works with one), and which coach works where, on which day."""

from __future__ import annotations

import subprocess
import threading
from types import SimpleNamespace
from typing import cast

import pytest

from infra.child_process import Child
from infra.cloud import Built
from infra.cognito import LocalPool, Person, pilot_people
from infra.local_banner import banner
from infra.local_stack import LocalSettings, Parts, Stack
from infra.notify_server import LocalNotify
from infra.scheduler import LocalScheduler
from infra.seed import pilot

API = "http://127.0.0.1:8123"


class Pool(LocalPool):
    """Tokens shaped like Cognito's (three base64url parts), one per person."""

    def id_token(self, person: Person) -> str:
        return f"eyJ{person.role}.eyJ{person.practice_ods or person.coach_id or 'x'}.c2ln-_"


def _part(pid: int) -> Child:
    return cast(Child, SimpleNamespace(process=SimpleNamespace(pid=pid)))


@pytest.fixture
def printed() -> str:
    stack = Stack(api_url=API, aws_url="http://127.0.0.1:8124",
                  built=Built("arn:aws:states:eu-west-2:1:stateMachine:m", {}, {},
                              Pool("eu-west-2", "eu-west-2_pool", "client")),
                  stop=threading.Event(),
                  scheduler=cast(LocalScheduler, SimpleNamespace(schedules=[])),
                  people=pilot_people(pilot()),
                  notify=cast(LocalNotify, SimpleNamespace(url="http://127.0.0.1:8125")),
                  parts=Parts(_part(101), [_part(102), _part(103)], [_part(104)]))
    return banner(stack, LocalSettings())


def pasted(printed: str) -> str:
    block = printed.partition("Paste these lines into a shell:\n")[2].partition("\n\n")[0]
    assert block, "no lines to paste"
    return block


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_the_token_lines_pasted_into_a_shell_set_variables_and_ask_with_one(
        printed: str, shell: str) -> None:
    # A stand-in curl says what it was asked, so the request itself can be read.
    fake_curl = 'curl() { for arg in "$@"; do echo "arg: $arg"; done; }\n'
    show = '\necho "OPS=$OPS"; echo "COACH=$COACH"; echo "REFERRER=$REFERRER"\n'

    done = subprocess.run([shell, "-e"], input=fake_curl + pasted(printed) + show,  # noqa: S603
                          capture_output=True, text=True, timeout=30, check=True)

    said = done.stdout.splitlines()
    assert "arg: Authorization: Bearer eyJops.eyJx.c2ln-_" in said
    assert f"arg: {API}/practices" in said
    assert "OPS=eyJops.eyJx.c2ln-_" in said
    assert "COACH=eyJcoach.eyJcoach-amara.c2ln-_" in said
    assert "REFERRER=eyJreferrer.eyJF83001.c2ln-_" in said
    assert done.stderr == ""


def test_every_line_to_paste_is_a_command(printed: str) -> None:
    for line in pasted(printed).splitlines():
        assert line.strip().startswith(("export ", "curl ")), line


def test_it_says_which_coach_works_where_and_on_which_day(printed: str) -> None:
    said = " ".join(printed.split())

    assert ("City Road Medical Centre (F83001): Amara Okafor (coach-amara) on Mondays, "
            "Bilal Hussain (coach-bilal) on Thursdays") in said
    assert "Killick Street Health Centre (F83006): Gwen Roberts (coach-gwen) on Tuesdays" in said
    assert "coach at City Road Medical Centre (F83001), Mondays coach-amara@" in said


def test_it_suggests_no_request_without_its_token(printed: str) -> None:
    assert "try GET" not in printed
    assert f"{API}/practices" not in printed.replace(
        f'curl -s -H "Authorization: Bearer $OPS" {API}/practices', "")
