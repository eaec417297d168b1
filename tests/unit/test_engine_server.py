"""The engine keeps an AWS SDK's connection open for its next call (infra/engine_server.py), as
AWS does: werkzeug's server, which moto uses, closed every connection after one request, so
each call the workers made was a new connection and a new thread in the engine."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest
from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import WSGIRequestHandler

from infra import engine_server
from tests.unit.moto_internals import changed

LIST_TABLES = {"X-Amz-Target": "DynamoDB_20120810.ListTables",
               "Content-Type": "application/x-amz-json-1.0",
               "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-2/"
                                "dynamodb/aws4_request, SignedHeaders=host, Signature=x"}


@pytest.fixture
def engine() -> Iterator[http.client.HTTPConnection]:
    server = engine_server.serve(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
    yield connection
    connection.close()
    server.shutdown()
    server.server_close()


def ask(connection: http.client.HTTPConnection, body: bytes | Iterator[bytes] = b"{}",
        **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
    connection.request("POST", "/", body=body, headers={**LIST_TABLES, **headers})
    answer = connection.getresponse()
    return answer, answer.read()


def test_one_connection_carries_one_call_after_another(
        engine: http.client.HTTPConnection) -> None:
    answers = []
    for _ in range(3):
        answer, body = ask(engine)
        answers.append((answer.status, json.loads(body), answer.getheader("Connection")))
        socket_used = engine.sock
        assert socket_used is not None
    assert answers == [(200, {"TableNames": []}, None)] * 3
    assert engine.sock is socket_used  # never closed and opened again


def test_a_body_the_engine_does_not_read_cannot_spill_into_the_next_call(
        engine: http.client.HTTPConnection) -> None:
    """ListTables reads nothing of a body this long: the next request line must still be
    read where it starts."""
    ask(engine, body=b'{"Limit": 1, "pad": "' + b"x" * 100_000 + b'"}')
    answer, body = ask(engine)
    assert (answer.status, json.loads(body)) == (200, {"TableNames": []})


def test_a_request_whose_length_is_not_given_closes_its_connection(
        engine: http.client.HTTPConnection) -> None:
    answer, _ = ask(engine, body=iter([b"{}"]))  # sent chunked: no Content-Length
    assert answer.getheader("Connection") == "close"


def test_the_werkzeug_and_moto_code_it_replaces_is_the_code_it_was_written_against() -> None:
    """werkzeug's run_wsgi sends `Connection: close` and drains the socket after every answer;
    moto's handler only adds to the environ. A new release of either: read, check, re-digest."""
    assert changed({
        "WSGIRequestHandler.run_wsgi": (WSGIRequestHandler.run_wsgi, "774df60c75afd439"),
        "MotoRequestHandler.make_environ": (MotoRequestHandler.make_environ,
                                            "42a8722acc21894a"),
    }) == {}
