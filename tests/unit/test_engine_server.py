"""The engine keeps an AWS SDK's connection open for its next call (infra/engine_server.py), as
AWS does: werkzeug's server, which moto uses, closed every connection after one request, so
each call the workers made was a new connection and a new thread in the engine."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.core.utils import convert_to_flask_response
from moto.dynamodb import urls as dynamodb_urls
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import WSGIRequestHandler
from werkzeug.test import EnvironBuilder

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


def dynamodb_call(target: str, body: dict[str, Any]) -> dict[str, Any]:
    """The WSGI environ of an SDK's DynamoDB call, its body read whole as the engine reads it."""
    data = json.dumps(body).encode()
    headers: dict[str, str] = {**LIST_TABLES, "X-Amz-Target": f"DynamoDB_20120810.{target}",
                               "Content-Length": str(len(data))}
    return EnvironBuilder(method="POST", path="/", data=data,
                          headers=list(headers.items())).get_environ()


KEY: dict[str, Any] = {"pk": {"S": "REFERRAL#1"}}
# Each call answers the same whichever way it goes and however often it is made, so both
# ways can be given it in turn: reads, idempotent writes, and refusals.
TABLE: dict[str, Any] = {"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("CreateTable", TABLE),  # it is there already: refused
    ("PutItem", {"TableName": "t", "Item": {**KEY, "timeline": {"L": [{"M": {
        "event": {"S": "referral_received"}, "n": {"N": "1.50"}}}]}, "ok": {"BOOL": True}}}),
    ("GetItem", {"TableName": "t", "Key": KEY, "ConsistentRead": True}),
    ("UpdateItem", {"TableName": "t", "Key": KEY, "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "TRIAGED"}},
                    "ReturnValues": "ALL_NEW"}),
    ("UpdateItem", {"TableName": "t", "Key": KEY, "UpdateExpression": "SET #s = :s",
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "EXITED"}}}),
    ("Query", {"TableName": "t", "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": KEY["pk"]}}),
    ("GetItem", {"TableName": "t", "Key": {"pk": {"N": "1"}}}),  # the key's type is wrong
    ("GetItem", {"TableName": "absent", "Key": KEY}),
    ("BatchGetItem", {"RequestItems": {"t": {"Keys": [KEY]}}}),
]


def test_a_dynamodb_call_gets_the_answer_motos_app_gives_it_byte_for_byte() -> None:
    app = DomainDispatcherApplication(create_backend_app)
    with mock_aws():  # moto's backends as they were, after
        made = engine_server.through_app(app, dynamodb_call("CreateTable", TABLE))
        assert made[0] == "200 OK"
        for target, body in CALLS:
            assert engine_server.is_dynamodb(dynamodb_call(target, body))
            by_app = engine_server.through_app(app, dynamodb_call(target, body))
            direct = engine_server.dynamodb(dynamodb_call(target, body))
            assert direct[0] == by_app[0], target  # the status line
            assert direct[2] == by_app[2], target  # the body
            assert shown(direct[1]) == shown(by_app[1]), target


def shown(headers: list[tuple[str, str]]) -> dict[str, str]:
    """The headers an SDK reads, without those that differ by call (the request's id) or are
    the server's framing (added when the answer is sent) or CORS (browsers only)."""
    return {k.lower(): v for k, v in headers
            if k.lower() not in {"x-amzn-requestid", "content-length"}
            and not k.lower().startswith("access-control-")}


def test_the_moto_code_the_dynamodb_path_stands_in_for_is_the_code_it_was_written_against() -> None:
    """moto's server routes a DynamoDB call to DynamoHandler.dispatch, through a Flask view
    that catches a ClientError and fills in a missing status: a new release may route or
    answer otherwise. Read, check, re-digest."""
    assert dynamodb_urls.url_paths == {"{0}/": DynamoHandler.dispatch}
    assert changed({
        "convert_to_flask_response.__call__": (convert_to_flask_response.__call__,
                                               "2c82766d05909ebb"),
    }) == {}
