"""An expression is parsed once per text, and DynamoDB's answers are moto's own: updates
land the same, a losing condition and a bad expression fail the same, every time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb import responses
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.expressions import (  # type: ignore[attr-defined]
    UpdateExpressionParser,
)
from moto.dynamodb.parsing.validators import Validator

from infra import dynamodb_expressions, dynamodb_index_queries
from tests.unit.moto_internals import changed

UPDATE = "SET #st = :st, updated_at = :at, #tl = list_append(if_not_exists(#tl, :none), :tl)"
CONDITION = "attribute_exists(pk) AND NOT #st IN (:done, :gone)"


def table() -> Any:
    dynamodb = boto3.resource("dynamodb", region_name="eu-west-2")
    made = dynamodb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    made.put_item(Item={"pk": "r-1", "status": "RECEIVED", "timeline": []})
    return made


def walk(table: Any) -> list[Any]:
    """Updates, transactions and failures as the service makes them: what each answered."""
    answers: list[Any] = []
    for status in ("TRIAGED", "ALLOCATED", "DONE", "BOOKED"):
        try:
            answers.append(table.update_item(
                Key={"pk": "r-1"}, UpdateExpression=UPDATE, ConditionExpression=CONDITION,
                ExpressionAttributeNames={"#st": "status", "#tl": "timeline"},
                ExpressionAttributeValues={":st": status, ":at": status.lower(), ":none": [],
                                           ":tl": [status], ":done": "DONE", ":gone": "GONE"},
                ReturnValues="ALL_NEW")["Attributes"])
        except ClientError as error:
            answers.append(error.response["Error"]["Code"])
    client = table.meta.client
    for step in (1, -1):
        client.transact_write_items(TransactItems=[{"Update": {
            "TableName": "t", "Key": {"pk": f"COUNT#{step}"}, "UpdateExpression": "ADD n :s",
            "ConditionExpression": "attribute_not_exists(pk) OR n <> :s",
            "ExpressionAttributeValues": {":s": step}}}])
    answers.append(client.get_item(TableName="t", Key={"pk": "r-1"})["Item"])
    for bad in ({"UpdateExpression": "SET = :x", "ExpressionAttributeValues": {":x": 1}},
                {"UpdateExpression": "SET a = :x", "ConditionExpression": "((a = :x))",
                 "ExpressionAttributeValues": {":x": 1}},
                {"UpdateExpression": "SET a = :x", "ExpressionAttributeValues": {":y": 1}}):
        for _ in range(2):  # a failure is not kept: the second answer is the first's
            with pytest.raises(ClientError) as refused:
                table.update_item(Key={"pk": "r-1"}, **bad)
            answers.append(refused.value.response["Error"])
    return answers


@pytest.fixture
def cloud() -> Iterator[None]:
    with mock_aws():
        yield


def test_the_answers_are_motos_own_and_each_text_is_parsed_once(
    cloud: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = walk(table())
    boto3.client("dynamodb", region_name="eu-west-2").delete_table(TableName="t")
    parsed: list[str] = []
    lexed: list[str | None] = []
    moto_make, moto_lex = dynamodb_expressions.MOTO_MAKE, dynamodb_expressions.MOTO_LEX

    def parsing(cls: type, expression: str) -> Any:
        parsed.append(expression)
        return moto_make.__func__(cls, expression)

    def lexing(self: ConditionExpressionParser) -> Any:
        lexed.append(self.condition_expression)
        return moto_lex(self)

    monkeypatch.setattr(dynamodb_expressions, "MOTO_MAKE", classmethod(parsing))
    monkeypatch.setattr(dynamodb_expressions, "MOTO_LEX", lexing)
    dynamodb_expressions._tree.cache_clear()
    dynamodb_expressions._tokens.cache_clear()
    dynamodb_expressions.install()
    try:
        assert walk(table()) == expected
    finally:
        dynamodb_expressions.uninstall()
        dynamodb_expressions._tree.cache_clear()
        dynamodb_expressions._tokens.cache_clear()
    # moto parsed UPDATE twice per update (8 times) and lexed CONDITION twice per update.
    assert parsed.count(UPDATE) == 1
    assert parsed.count("ADD n :s") == 1
    assert lexed.count(CONDITION) == 1
    assert lexed.count("attribute_not_exists(pk) OR n <> :s") == 1
    assert parsed.count("SET = :x") == 2  # refused twice, parsed twice: failures are not kept
    assert lexed.count("((a = :x))") == 1  # lexed once; refused by the parse after it, each time


def test_a_kept_tree_is_never_changed_by_the_updates_it_serves(cloud: None) -> None:
    dynamodb_expressions.install()
    try:
        tree = UpdateExpressionParser.make(UPDATE)
        before = repr(vars(tree)), [repr(vars(node)) for node in tree.children]
        walk(table())
        assert UpdateExpressionParser.make(UPDATE) is tree
        assert (repr(vars(tree)), [repr(vars(node)) for node in tree.children]) == before
    finally:
        dynamodb_expressions.uninstall()
        dynamodb_expressions._tree.cache_clear()


def test_install_and_uninstall() -> None:
    dynamodb_expressions.install()
    dynamodb_expressions.uninstall()
    assert UpdateExpressionParser.__dict__["make"] is dynamodb_expressions.MOTO_MAKE
    assert ConditionExpressionParser._lex_condition_expression is dynamodb_expressions.MOTO_LEX
    assert Validator.__init__ is dynamodb_expressions.MOTO_VALIDATOR_INIT


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    # The parsers and the Validator replaced; the callers that must only read a kept tree.
    assert changed({
        "UpdateExpressionParser.make": (UpdateExpressionParser.make, "2c00ed96d6e191f2"),
        "ConditionExpressionParser._lex_condition_expression": (
            dynamodb_expressions.MOTO_LEX, "a815288359216b2e"),
        "Validator.__init__": (dynamodb_expressions.MOTO_VALIDATOR_INIT, "9489b532dd0fb359"),
        "DynamoHandler.update_item": (responses.DynamoHandler.update_item, "638893af1afd43d2"),
        "DynamoHandler.transact_write_items": (
            responses.DynamoHandler.transact_write_items, "61c163fff213f33a"),
        "DynamoDBBackend.update_item": (dynamodb_index_queries.MOTO_UPDATE_ITEM,
                                        "218984588dd689a5"),
    }) == {}
