"""A DynamoDB expression is parsed once per text, not at every layer of every request.

moto parses an UpdateItem's UpdateExpression twice (the handler, to check the placeholders
used, then the backend, to apply it) and each item of a transaction the same way; it lexes a
ConditionExpression twice too (the handler checks it, the backend applies it), and a
transaction's items once more. The service sends a handful of expression texts, with the
values apart, so both are kept here by their text:

- `UpdateExpressionParser.make` returns one tree per text. Every caller only reads the tree
  (`find_clauses`), or hands it to a `Validator`, which works on its own copy.
- `ConditionExpressionParser` lexes each text once; its tokens are immutable tuples, and the
  parse builds new nodes from them (names and values go in after lexing, so they still come
  from the request).
- The `Validator` copies its tree by pickling rather than `copy.deepcopy` (the tree is plain
  objects; the copy is the same, in a third of the time).

An expression that does not parse raises as before, every time (a failure is not kept).
Validation, conditions and updates are moto's own.
"""

from __future__ import annotations

import pickle
from collections import deque
from functools import lru_cache
from typing import Any

from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.expressions import (  # type: ignore[attr-defined]
    UpdateExpressionParser,
)
from moto.dynamodb.parsing.validators import Validator

MOTO_MAKE = UpdateExpressionParser.__dict__["make"]
MOTO_LEX = ConditionExpressionParser._lex_condition_expression
MOTO_VALIDATOR_INIT = Validator.__init__


@lru_cache(maxsize=1024)
def _tree(expression: str) -> Any:
    return MOTO_MAKE.__func__(UpdateExpressionParser, expression)


def make(cls: type, expression: str) -> Any:
    if cls is not UpdateExpressionParser:  # a subclass parses its own way
        return MOTO_MAKE.__func__(cls, expression)
    return _tree(expression)


@lru_cache(maxsize=1024)
def _tokens(expression: str) -> tuple[Any, ...]:
    return tuple(MOTO_LEX(ConditionExpressionParser(expression, None, None)))


def lex(self: ConditionExpressionParser) -> deque[Any]:
    return deque(_tokens(self.condition_expression or ""))


def validator_init(self: Validator, expression: Any, expression_attribute_names: Any,
                   expression_attribute_values: Any, item: Any, table: Any) -> None:
    """moto's Validator.__init__, copying the tree by pickle instead of deepcopy."""
    self.expression_attribute_names = expression_attribute_names
    self.expression_attribute_values = expression_attribute_values
    self.item = item
    self.table = table
    self.processors = self.get_ast_processors()
    # Our own objects, pickled a moment ago in this process: nothing untrusted is loaded.
    self.node_to_validate = pickle.loads(  # noqa: S301
        pickle.dumps(expression, pickle.HIGHEST_PROTOCOL))


def install() -> None:
    setattr(UpdateExpressionParser, "make", classmethod(make))  # noqa: B010 - patching moto
    setattr(ConditionExpressionParser, "_lex_condition_expression", lex)  # noqa: B010
    setattr(Validator, "__init__", validator_init)  # noqa: B010


def uninstall() -> None:
    setattr(UpdateExpressionParser, "make", MOTO_MAKE)  # noqa: B010
    setattr(ConditionExpressionParser, "_lex_condition_expression", MOTO_LEX)  # noqa: B010
    setattr(Validator, "__init__", MOTO_VALIDATOR_INIT)  # noqa: B010
