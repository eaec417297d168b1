"""The local stack's engine: moto's server (DynamoDB, Lambda, Step Functions executing the real
ASL, Cognito, SNS, IAM; its connections kept open by engine_server) with the local engine's
patches, in a process of its own (`python -m infra.engine_process`, started by the local
stack). It runs no handler code: moto's Lambda sends each invocation to the task workers
(infra/task_worker.py), as the Lambda service hands it to a container. Cognito's emails go to
the supervisor, which shows them on /dev/messages.

Commands (infra/child_process.py): `stop` (no task starts from now on; those running get a
while to finish), `held` (how many invocations wait since), `tally` (the invocations counted
since last asked).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request

from infra import (
    child_process,
    cognito_mail,
    engine,
    engine_server,
    lambda_dispatch,
)
from infra.task_worker import Workers
from infra.template import REGION


def _configure_moto(aws_url: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{aws_url}/moto-api/config", data=json.dumps(lambda_dispatch.MOTO_CONFIG).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback only
        pass


def _stop(wait: float) -> dict[str, int]:
    running, cut_off = lambda_dispatch.ENGINE.turn_off(wait)
    return {"running": running, "cut_off": cut_off}


def main() -> None:
    options, replies = child_process.start(__doc__.split("\n\n")[0], ("port", int),
                                           ("workers", int))
    server = engine_server.serve(options.port)
    threading.Thread(target=server.serve_forever, daemon=True, name="moto").start()
    aws_port = server.server_port  # the real port when 0 was asked for
    aws_url = f"http://127.0.0.1:{aws_port}"
    # Step Functions' Lambda tasks reach moto's Lambda through this endpoint, like any client.
    os.environ.update({"AWS_ENDPOINT_URL": aws_url, "AWS_DEFAULT_REGION": REGION,
                       "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                       "MOTO_PORT": str(aws_port), "TZ": "UTC"})
    time.tzset()
    _configure_moto(aws_url)
    lambda_dispatch.use_workers(Workers(options.workers))
    engine.install()
    cognito_mail.forward = lambda mail: replies.event(
        {"mail": {"to": mail.to, "subject": mail.subject, "body": mail.body}})
    child_process.serve(replies, {"aws_url": aws_url}, {
        "stop": _stop,
        "held": lambda: lambda_dispatch.ENGINE.held,
    })


if __name__ == "__main__":
    main()
