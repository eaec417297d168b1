"""What the adapters that speak to the user pool share: the pool, and a boto3 client made once
for each thread that asks (making a client is not thread-safe; using one is)."""

from __future__ import annotations

import threading
from typing import Any

from workingbetter.adapters.token_check import CognitoPool


class CognitoAdapter:
    def __init__(self, pool: CognitoPool) -> None:
        self.pool = pool
        self._local = threading.local()

    @property
    def _client(self) -> Any:
        if not hasattr(self._local, "client"):
            import boto3  # on first use: a page that never signs anyone in does not pay for it

            self._local.client = boto3.client("cognito-idp", region_name=self.pool.region)
        return self._local.client
