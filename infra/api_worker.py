"""An API worker of the local stack: the Chalice app (the API function's code) served over
HTTP in a process of its own (`python -m infra.api_worker`, started by the local stack). The
workers share the API's listening socket, which the supervisor bound, so requests are spread
over them and none waits behind the engine's work; each stops as local_server says (the
requests it is answering are finished, new ones get a 503) when the supervisor asks.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import asdict

from infra import child_process, local_server, powertools_keys


def main() -> None:
    options, replies = child_process.start(__doc__.split("\n\n")[0], ("fd", int),
                                           ("function-name", str))
    powertools_keys.install()
    # The request threads run no Lambda handler of a task: their lines are the API function's.
    powertools_keys.label_other_threads(function_name=options.function_name)
    from workingbetter.handlers.api import app

    server = local_server.serve_on(app, socket.socket(fileno=options.fd))
    threading.Thread(target=server.serve_forever, daemon=True, name="api").start()
    child_process.serve(replies, {"pid": os.getpid()}, {
        "stop": lambda wait: asdict(server.stop_taking_requests(wait)),
        "close_idle": server.close_idle,
    })


if __name__ == "__main__":
    main()
