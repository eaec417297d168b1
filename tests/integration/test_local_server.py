"""The local stack's HTTP server answers as API Gateway is set up to answer when deployed:
problem+json for a URL no route has (404, never echoing a token), a body refused by its
Content-Length before it is read, patients' links masked in the access log, and a listen
backlog that takes a burst of connections."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from infra import local_server
from infra.child_process import Child
from tests.api_client import Api
from tests.conftest import Cloud
from workingbetter.domain.auth import Role

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def ask(server: tuple[str, int], method: str, path: str, body: bytes | None = None,
        **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*server, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        connection.close()


def test_a_url_no_route_has_is_a_404_problem_that_never_echoes_the_token(
        served: tuple[str, int]) -> None:
    token = "eyJ-a-bearer-token-that-must-not-come-back"
    status, headers, body = ask(served, "GET", "/nowhere/at/all", Authorization=f"Bearer {token}")
    assert status == 404
    assert headers["content-type"] == PROBLEM
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert token.encode() not in body
    assert json.loads(body)["status"] == 404


def test_a_wrong_method_is_a_405_problem_with_allow(served: tuple[str, int]) -> None:
    status, headers, _ = ask(served, "DELETE", "/referrals")
    assert (status, headers["content-type"]) == (405, PROBLEM)
    assert sorted(headers["allow"].split(", ")) == ["GET", "POST"]


def test_a_body_declared_over_64_kb_is_refused_before_it_is_read(
        served: tuple[str, int]) -> None:
    with socket.create_connection(served, timeout=10) as raw:
        raw.sendall(b"POST /referrals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 20000000\r\n\r\n{")
        answer = raw.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413")
    assert PROBLEM in answer


def test_the_access_log_masks_the_patients_link(served: tuple[str, int],
                                                capfd: pytest.CaptureFixture[str]) -> None:
    ask(served, "GET", "/patient/withdraw/some-referral.the-secret-part")
    logged = capfd.readouterr().err
    assert "/patient/withdraw/" in logged
    assert "the-secret-part" not in logged
    assert "some-referral" not in logged
    ask(served, "GET", "/patient/another-referral.its-secret/contact")
    logged = capfd.readouterr().err
    assert "/patient/…/contact" in logged
    assert "its-secret" not in logged


def test_a_search_by_nhs_number_never_reaches_the_access_log(
        cloud: Cloud, served: tuple[str, int], capfd: pytest.CaptureFixture[str]) -> None:
    number = "9403790776"
    referral_id = Api(cloud).refer(patient__nhs_number=number)
    cookie = f"wb_token={cloud.token(Role.REFERRER, practice_ods='F83001')}"
    _, _, listed = ask(served, "GET", "/practice", Cookie=cookie)
    keys = dict(re.findall(r'name="(nonce|csrf)" value="([^"]*)"', listed.decode()))

    status, headers, body = ask(served, "POST", "/practice",
                                urlencode({"q": "940 379 0776", **keys}).encode(), Cookie=cookie,
                                **{"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, "location" in headers) == (200, False)
    assert f'data-referral-id="{referral_id}"' in body.decode()
    # Typed into the address, or %-encoded there, the number is masked all the same.
    for path in (f"/practice?q={number}", "/practice?status=EXITED&q=940%20379%200776",
                 f"/practice/referrals/{number}"):
        ask(served, "GET", path, Cookie=cookie)
    logged = capfd.readouterr().err
    assert "/practice?status=EXITED&q=…" in logged
    for written in (number, "940%20379%200776", "940 379 0776"):
        assert written not in logged


def test_fifty_connections_at_once_are_all_answered(served: tuple[str, int]) -> None:
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: ask(served, "GET", "/nowhere")[0], range(50)))
    assert statuses == [404] * 50
    assert local_server.Server.request_queue_size >= 128


# Methods API Gateway knows (its ANY method sends them to the app when deployed) and methods it
# does not: each gets the app's own 405 here, never http.server's 501 page.
OTHER_METHODS = ["TRACE", "PROPFIND", "MKCOL", "OPTIONS", "HEAD", "PATCH", "PUT", "DELETE"]


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_any_method_a_route_does_not_take_is_a_405_problem_with_allow(
        served: tuple[str, int], method: str) -> None:
    for path, allowed in [("/referrals", ["GET", "POST"]), ("/login", ["GET", "POST"]),
                          ("/referrals/some-id/notes", ["GET", "POST"])]:
        status, headers, body = ask(served, method, path)
        assert (status, headers["content-type"]) == (405, PROBLEM), (method, path, body)
        assert sorted(headers["allow"].split(", ")) == allowed
        assert headers["x-content-type-options"] == "nosniff"
        if method == "HEAD":
            assert body == b""
        else:
            assert json.loads(body)["status"] == 405


def test_a_fhir_route_answers_another_method_with_an_operation_outcome(
        served: tuple[str, int]) -> None:
    status, headers, body = ask(served, "PROPFIND", "/fhir/Task/some-id")
    assert (status, headers["content-type"]) == (405, "application/fhir+json")
    assert sorted(headers["allow"].split(", ")) == ["GET", "PATCH", "PUT"]
    assert json.loads(body)["resourceType"] == "OperationOutcome"


def test_a_get_naming_a_content_type_without_a_body_is_answered(
        served: tuple[str, int], api: Api) -> None:
    referral_id = api.refer()
    bearer = f"Bearer {api.referrer()}"
    for path in (f"/fhir/Task/{referral_id}", f"/referrals/{referral_id}"):
        named: dict[str, str] = {"Authorization": bearer,
                                 "Content-Type": "application/fhir+json"}
        status, _, body = ask(served, "GET", path, None, **named)
        assert status == 200, (path, body)


def test_once_stopping_a_request_gets_503_with_retry_after_and_then_connections_are_refused(
        serving: local_server.Server, served: tuple[str, int]) -> None:
    connected = http.client.HTTPConnection(*served, timeout=10)
    connected.connect()  # before the stop: its request comes after
    drained = serving.stop_taking_requests(wait=30)
    connected.request("GET", "/practices")
    response = connected.getresponse()
    assert (response.status, response.getheader("Content-Type")) == (503, PROBLEM)
    assert int(response.getheader("Retry-After") or "0") > 0
    assert json.loads(response.read())["status"] == 503
    connected.close()
    assert (drained.finished, drained.cut_off) == (0, 0)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(served, timeout=10)


def test_api_workers_sharing_one_socket_each_stop_when_asked_once_requests_have_come_and_gone(
        cloud: Cloud) -> None:
    """The local stack's API workers are processes sharing the listening socket the supervisor
    bound. A new connection wakes every worker waiting on it and one accepts it; the others
    must go back to waiting, not sit in accept until a connection that may never come: that
    held up the worker's stop, and Ctrl-C failed after 90 s."""
    listening = socket.create_server(("127.0.0.1", 0))
    fd = listening.fileno()
    workers = [Child(f"API worker {n}", "infra.api_worker",
                     ["--fd", str(fd), "--function-name", "api"], env=os.environ, pass_fds=[fd])
               for n in range(1, 5)]
    try:
        for worker in workers:
            worker.ready(120)
        for _ in range(20):  # each connection wakes every waiting worker; one takes it
            assert ask(listening.getsockname()[:2], "GET", "/practices")[0] == 401
            time.sleep(0.05)  # every worker back to waiting
        for worker in workers:  # each answers at most 5 s after the ask, or has hung
            assert worker.ask("stop", 30, wait=5) == {"finished": 0, "refused": 0, "cut_off": 0}
    finally:
        for worker in workers:
            worker.end()
        listening.close()
