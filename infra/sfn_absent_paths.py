"""A Choice that asks whether a field is present logs nothing when it is absent.

moto evaluates a Choice rule's Variable through its generic component evaluation, which logs
every exception at ERROR before the Variable catches it and stands in its NoSuchVariable; so
each `IsPresent` on a field the run's input lacks (WhereDoesThisRunStart asks about three on
every fresh run, as AWS intends) printed `Exception=NoSuchJsonPathError` at ERROR: 316 lines in
20 minutes of the demo, with nothing wrong. Here an absent path becomes the same
NoSuchVariable without that line. Any other comparison of an absent field, which AWS fails with
States.Runtime and moto answers false, is logged as a warning naming the state's path, so a
real mistake in the ASL still shows.
"""

from __future__ import annotations

import logging
from typing import Any

from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
    StringJsonPath,
)
from moto.stepfunctions.parser.asl.component.state.choice.comparison.comparison_operator_type import (  # noqa: E501
    ComparisonOperatorType,
)
from moto.stepfunctions.parser.asl.component.state.choice.comparison.comparison_variable import (
    ComparisonVariable,
)
from moto.stepfunctions.parser.asl.component.state.choice.comparison.variable import (
    NoSuchVariable,
)
from moto.stepfunctions.parser.asl.utils import json_path

log = logging.getLogger("infra.sfn")
MOTO_EVAL = ComparisonVariable._eval_body


def _absent(sampler: object, data: Any) -> bool:
    """Whether a plain JSONPath (not the context object's, not a variable's) finds nothing."""
    if type(sampler) is not StringJsonPath or sampler.json_path == "$":
        return False
    try:
        json_path.extract_json(sampler.json_path, data)
    except json_path.NoSuchJsonPathError:
        return True
    return False


def _eval_body(self: ComparisonVariable, env: Any) -> None:
    sampler = self.variable.string_sampler
    if not _absent(sampler, env.stack[-1]):
        MOTO_EVAL(self, env)
        return
    path = sampler.literal_value
    if self.comparison_function.operator_type is not ComparisonOperatorType.IsPresent:
        log.warning("a Choice compares %s, which its input lacks (AWS fails the run with "
                    "States.Runtime here)", path)
    env.stack.append(NoSuchVariable(f"{path}, absent"))
    self.comparison_function.eval(env)


def install() -> None:
    setattr(ComparisonVariable, "_eval_body", _eval_body)  # noqa: B010 - patching moto on purpose


def uninstall() -> None:
    setattr(ComparisonVariable, "_eval_body", MOTO_EVAL)  # noqa: B010
