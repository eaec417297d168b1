"""The local engine: moto with Step Functions executing the real ASL, Lambda tasks run by the
real handlers (lambda_dispatch) and DynamoDB answering one request at a time
(dynamodb_atomicity); plus the environment every function gets from template.yaml.

The other patches keep a long-running local stack linear in referrals: moto forgets the
models it no longer uses (moto_tracking), a transaction sets aside only its items
(dynamodb_transactions), a query reads only its partition (dynamodb_queries) and an index
query only the index's (dynamodb_index_queries), a query's items go into its answer
uncopied and sized once (dynamodb_query_copies), projecting an item converts only what it
keeps (dynamodb_projection), items go into a response as they are (dynamodb_serializer),
an expression is parsed once per text (dynamodb_expressions),
the ASL is parsed once (asl_cache), a waiting run holds one thread (sfn_threads), a run
stopped as it starts is stopped all the same (sfn_early_stop), a Lambda task reuses its
client (sfn_clients), a JSONPath is parsed once (sfn_json_paths), a Choice asking whether an
absent field is present logs no error (sfn_absent_paths), moto's server routes
a request without listing its package (moto_server_routing) and Cognito's signing key is read
once, not per user pool (cognito_key). Cognito requires a second factor as the template's
pool does (cognito_mfa), and GlobalSignOut through the server ends the account's refresh
tokens (cognito_sign_out); invitations and password codes are made and emailed as Cognito
does (cognito_mail). Not moto's: Powertools' log keys are kept per thread, as each
Lambda container keeps its own, so each line names its own function (powertools_keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto import mock_aws

from infra import (
    asl_cache,
    cognito_key,
    cognito_mail,
    cognito_mfa,
    cognito_sign_out,
    dynamodb_atomicity,
    dynamodb_expressions,
    dynamodb_index_queries,
    dynamodb_projection,
    dynamodb_queries,
    dynamodb_query_copies,
    dynamodb_serializer,
    dynamodb_transactions,
    lambda_dispatch,
    moto_action_names,
    moto_server_routing,
    moto_tracking,
    powertools_keys,
    sfn_absent_paths,
    sfn_clients,
    sfn_early_stop,
    sfn_json_paths,
    sfn_threads,
)
from infra.cognito import keys_in_process
from infra.notify_server import local_settings
from infra.template import LocalTemplate

# Where the service's Notify sender points unless a local Notify is running: a closed port, so
# nothing can reach the real GOV.UK Notify from a test.
NO_NOTIFY = "http://127.0.0.1:9"

PATCHES: tuple[Any, ...] = (lambda_dispatch, dynamodb_atomicity, moto_tracking,
                            moto_action_names, dynamodb_transactions, dynamodb_queries,
                            dynamodb_index_queries, dynamodb_query_copies, dynamodb_projection,
                            dynamodb_serializer,
                            asl_cache, sfn_threads, sfn_early_stop, sfn_clients, sfn_json_paths,
                            sfn_absent_paths, moto_server_routing, cognito_key, cognito_mfa,
                            cognito_sign_out, cognito_mail, powertools_keys,
                            dynamodb_expressions)


def install() -> None:
    for patch in PATCHES:
        patch.install()


def uninstall() -> None:
    for patch in reversed(PATCHES):
        patch.uninstall()


@contextmanager
def in_process() -> Iterator[None]:
    """moto inside this process (tests, benchmarks): no server, no network; tokens are
    checked against moto's own keys."""
    with mock_aws(config=lambda_dispatch.MOTO_CONFIG), keys_in_process():
        install()
        try:
            yield
        finally:
            uninstall()


def environment(template: LocalTemplate, *, nhs_hash_key: str, notify_url: str = NO_NOTIFY,
                **settings: object) -> dict[str, str]:
    """The Globals environment of template.yaml, resolved for the local engine once the
    template is built (the user pool's ids come from moto).

    What differs from AWS: the NHS number hash key, the Notify key and callback token are
    given here instead of read from Secrets Manager; Notify is at `notify_url` (the local
    stack's infra/notify_server.py) with its own template ids. `settings` override WB_* values
    by name (seconds_per_day=0.1 sets WB_SECONDS_PER_DAY).
    """
    env = template.function_environment({"WB_NHS_HASH_KEY": nhs_hash_key,
                                         "WB_NHS_HASH_KEY_SECRET_ARN": None,
                                         "WB_NOTIFY_API_KEY_SECRET_ARN": None,
                                         "WB_NOTIFY_CALLBACK_TOKEN_SECRET_ARN": None,
                                         **local_settings(notify_url)})
    for name, value in settings.items():
        env[f"WB_{name.upper()}"] = str(value)
    return env
