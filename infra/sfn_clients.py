"""Step Functions calls a Lambda task through one boto3 client, not a new one each time.

moto's interpreter builds a fresh boto3 client (`boto_client_for`) for every Lambda task it
runs: loading botocore's service model and generating the client class took about a quarter
of the local stack's CPU during intake. Clients are thread-safe and moto gives them fixed
credentials and settings, so one per region, service and endpoint does the same work.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.utils import boto_client

MOTO_CLIENT_FOR = boto_client.boto_client_for
_clients: dict[tuple[str, str, bool, str], Any] = {}
_lock = threading.Lock()


def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    # What moto's own function reads besides its arguments (it ignores the credentials).
    key = (region, service, bool(botocore_stubber.enabled), str(moto_server_port()))
    with _lock:
        if key not in _clients:
            _clients[key] = MOTO_CLIENT_FOR(region, service, state_credentials)
        return _clients[key]


def install() -> None:
    setattr(lambda_eval_utils, "boto_client_for", boto_client_for)  # noqa: B010 - patching moto


def uninstall() -> None:
    setattr(lambda_eval_utils, "boto_client_for", MOTO_CLIENT_FOR)  # noqa: B010
    with _lock:
        _clients.clear()
