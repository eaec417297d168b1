"""The local engine: moto with Step Functions executing the real ASL, Lambda tasks run by the
real handlers (lambda_dispatch) and DynamoDB answering one request at a time
(dynamodb_atomicity); plus the environment every function gets from template.yaml.

The other patches keep a long-running local stack linear in referrals: moto forgets the
models it no longer uses (moto_tracking), a transaction sets aside only its items
(dynamodb_transactions), a query reads only its partition (dynamodb_queries) and an index
query only the index's (dynamodb_index_queries), projecting an item converts only what it
keeps (dynamodb_projection), items go into a response as they are (dynamodb_serializer),
the ASL is parsed once (asl_cache), a waiting run holds one thread (sfn_threads), a run
stopped as it starts is stopped all the same (sfn_early_stop), a Lambda task reuses its
client (sfn_clients), a JSONPath is parsed once (sfn_json_paths) and moto's server routes
a request without listing its package (moto_server_routing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto import mock_aws

from infra import (
    asl_cache,
    dynamodb_atomicity,
    dynamodb_index_queries,
    dynamodb_projection,
    dynamodb_queries,
    dynamodb_serializer,
    dynamodb_transactions,
    lambda_dispatch,
    moto_server_routing,
    moto_tracking,
    sfn_clients,
    sfn_early_stop,
    sfn_json_paths,
    sfn_threads,
)
from infra.template import LocalTemplate

PATCHES: tuple[Any, ...] = (lambda_dispatch, dynamodb_atomicity, moto_tracking,
                            dynamodb_transactions, dynamodb_queries, dynamodb_index_queries,
                            dynamodb_projection, dynamodb_serializer, asl_cache, sfn_threads,
                            sfn_early_stop, sfn_clients, sfn_json_paths, moto_server_routing)


def install() -> None:
    for patch in PATCHES:
        patch.install()


def uninstall() -> None:
    for patch in reversed(PATCHES):
        patch.uninstall()


@contextmanager
def in_process() -> Iterator[None]:
    """moto inside this process (tests, benchmarks): no server, no network."""
    with mock_aws(config=lambda_dispatch.MOTO_CONFIG):
        install()
        try:
            yield
        finally:
            uninstall()


def environment(template: LocalTemplate, *, jwt_secret: str, nhs_hash_key: str,
                **settings: object) -> dict[str, str]:
    """The Globals environment of template.yaml, resolved for the local engine.

    Only two things differ from AWS: local HS256 tokens instead of Cognito, and the NHS number
    hash key given here instead of read from Secrets Manager. `settings` override WB_* values
    by name (seconds_per_day=0.1 sets WB_SECONDS_PER_DAY).
    """
    env = template.function_environment({"WB_AUTH_MODE": "local",
                                         "WB_NHS_HASH_KEY": nhs_hash_key,
                                         "WB_NHS_HASH_KEY_SECRET_ARN": None})
    env["WB_LOCAL_JWT_SECRET"] = jwt_secret
    for name, value in settings.items():
        env[f"WB_{name.upper()}"] = str(value)
    return env
