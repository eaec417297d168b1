"""TransactWriteItems that sets aside only the items it writes, not whole tables.

moto's `DynamoDBBackend.transact_write_items` deep-copies every table a transaction names,
once per item in the transaction, to roll back if one item fails. The cost grows with the
table: with the global lock of dynamodb_atomicity held meanwhile, every other DynamoDB call
waits, and at a few hundred referrals tasks began to time out. This version does what moto
does item by item, but keeps a copy of just the items it is about to write and, if any item
fails, puts exactly those back. DynamoDB's own answers are unchanged: the same
TransactionCanceledException with one reason per item, the same validation errors.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_original = DynamoDBBackend.transact_write_items
_OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}
_MAX_ITEMS = 100

Reason = tuple[str | None, str | None, dict[str, Any] | None]
SetAside = tuple[Table, DynamoType, DynamoType | None, Item | None]


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _put_back(set_aside: list[SetAside]) -> None:
    """Undo the transaction's writes, newest first: each item as it was, or gone again."""
    for table, hash_value, range_value, before in reversed(set_aside):
        holder: dict[Any, Any] = table.items if range_value is None else table.items[hash_value]
        slot = hash_value if range_value is None else range_value
        if before is None:
            holder.pop(slot, None)
        else:
            holder[slot] = before


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > _MAX_ITEMS:
        raise TooManyTransactionsException()
    set_aside: list[SetAside] = []
    seen: set[tuple[str, str]] = set()
    reasons: list[Reason] = []
    try:
        for entry in transact_items:
            if len(entry) > 1:
                raise TransactWriteSingleOpException
            reasons.append(_apply(self, entry, seen, set_aside))
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)
    except BaseException:
        _put_back(set_aside)
        raise


def _write(self: DynamoDBBackend, op_type: str, op: dict[str, Any],
           key: dict[str, Any]) -> None:
    """The item's write, as moto's own single-item call makes it, but with no condition: the
    caller has just judged it against this item, and the lock of dynamodb_atomicity is held
    (moto would parse and judge it again)."""
    expressions: dict[str, Any] = {
        "expression_attribute_names": op.get("ExpressionAttributeNames"),
        "expression_attribute_values": op.get("ExpressionAttributeValues")}
    if op_type == "Put":
        self.put_item(op["TableName"], op["Item"], **expressions)
    elif op_type == "Delete":
        self.delete_item(op["TableName"], key, **expressions)
    else:
        self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                         **expressions)


def _apply(self: DynamoDBBackend, entry: dict[str, Any], seen: set[tuple[str, str]],
           set_aside: list[SetAside]) -> Reason:
    """One item of the transaction: applied, or the reason it was not (validation errors
    and a second operation on one item cancel the whole transaction, as on DynamoDB)."""
    old_image: dict[str, Any] | None = None
    try:
        op_type, op = next(iter(entry.items()))
        if op_type not in _OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        names = op.get("ExpressionAttributeNames")
        values = op.get("ExpressionAttributeValues")
        condition = op.get("ConditionExpression")
        table = self.get_table(table_name)
        key = _key_of(table, op_type, op)
        unique = (str(table_name), str(dict(sorted(key.items()))))
        if unique in seen:
            raise MultipleTransactionsException()
        seen.add(unique)

        hash_value, range_value = self.get_keys_value(table, key)
        current = table.get_item(hash_value, range_value)
        if condition is not None and not get_filter_expression(condition, names,
                                                               values).expr(current):
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old_image = current.to_json()["Attributes"]
            raise ConditionalCheckFailed(item=old_image)
        if op_type == "ConditionCheck":
            return None, None, None

        set_aside.append((table, hash_value, range_value, copy.deepcopy(current)))
        _write(self, op_type, op, key)
        return None, None, None
    except (MultipleTransactionsException, MockValidationException):
        raise
    except ConditionalCheckFailed as failed:
        return "ConditionalCheckFailed", str(failed.message), old_image
    except Exception as error:  # DynamoDB reports any other failure as the item's reason
        return type(error).__name__, str(error), old_image


def install() -> None:
    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010


def uninstall() -> None:
    setattr(DynamoDBBackend, "transact_write_items", _original)  # noqa: B010
