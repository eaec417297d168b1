"""Each thread logs with its own invocation's keys, as each Lambda container does.

On AWS a container runs one invocation at a time, so Powertools keeps the keys that
`inject_lambda_context` sets (function_name, function_request_id, cold_start) and that
`append_keys` adds on the one formatter of the process. Locally every function runs in one
process, an invocation to a thread (lambda_dispatch), so one invocation's keys overwrote
another's: 553 of 699 "caseloads reconciled" lines carried the notification sender's name.
Here the formatter's keys are kept per thread: a thread starts from the keys the formatter was
made with (the service's name), and what an invocation sets is its own. A thread that never
ran a function (the API's request threads: the API sets no Lambda context) is labelled with
`label_other_threads`, as its log group would name it on AWS.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

_mine = threading.local()
_others: dict[str, str] = {}


def _keys(self: LambdaPowertoolsFormatter) -> dict[str, Any]:
    formats: weakref.WeakKeyDictionary[LambdaPowertoolsFormatter, dict[str, Any]] = \
        _mine.__dict__.setdefault("formats", weakref.WeakKeyDictionary())
    found = formats.get(self)
    if found is None:  # what clear_state makes, and the label of a thread that ran nothing
        found = formats[self] = {**dict.fromkeys(self.log_record_order), **self.keys_combined,
                                 **_others}
    return found


def _set_keys(self: LambdaPowertoolsFormatter, value: dict[str, Any]) -> None:
    _mine.__dict__.setdefault("formats", weakref.WeakKeyDictionary())[self] = value
    vars(self)["log_format"] = value  # what the formatter reads again once uninstalled


def label_other_threads(**keys: str) -> None:
    """Keys for the lines of threads that run no function, e.g. function_name=the API's."""
    _others.clear()
    _others.update(keys)


def install() -> None:
    # A data descriptor on the class is read before the instance's own attribute.
    setattr(LambdaPowertoolsFormatter, "log_format", property(_keys, _set_keys))  # noqa: B010


def uninstall() -> None:
    if isinstance(inspect.getattr_static(LambdaPowertoolsFormatter, "log_format", None),
                  property):
        delattr(LambdaPowertoolsFormatter, "log_format")
    _others.clear()
