"""A Lambda task's client is made once per region and service, not once per task."""

from __future__ import annotations

from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

from infra import sfn_clients
from tests.unit.moto_internals import changed


def test_one_client_per_region_and_service() -> None:
    sfn_clients.install()
    try:
        client_for = getattr(lambda_eval_utils, "boto_client_for")  # noqa: B009 - as moto calls it
        first = client_for("eu-west-2", "lambda")
        assert client_for("eu-west-2", "lambda", {"any": 1}) is first
        assert client_for("eu-west-1", "lambda") is not first
        assert first.meta.region_name == "eu-west-2"
    finally:
        sfn_clients.uninstall()
    assert getattr(lambda_eval_utils, "boto_client_for") is sfn_clients.MOTO_CLIENT_FOR  # noqa: B009
    assert sfn_clients._clients == {}


def test_the_moto_internals_relied_on_are_unchanged() -> None:
    assert changed({
        "boto_client_for": (sfn_clients.MOTO_CLIENT_FOR, "1f44dc2ac8aa2179"),
        "_invoke_lambda_function": (lambda_eval_utils._invoke_lambda_function, "0ebcddb746e422b0"),
    }) == {}
