"""The local stack's processes and how they talk: `make run` is a supervisor that starts the
engine (moto), the API workers and the Lambda task workers as child processes, each its own
interpreter, sharing nothing but the local AWS endpoint; this is the thread between them.

- The supervisor writes commands on the child's stdin, a JSON line each.
- The child answers on a pipe of its own (its fd given as --reply-fd): `{"ready": {...}}` once
  it serves, then a `{"reply": ...}` for each command in turn; `{"event": ...}` lines may come
  at any time (the engine passes on Cognito's emails that way).
- The child's stdout and stderr are the console's, as the supervisor's are.
- A child ignores Ctrl-C and SIGTERM (a terminal sends them to the whole process group): the
  supervisor stops each part in its turn. When its stdin closes, because the supervisor has
  gone (even killed), the child ends at once, so no part of a stopped stack is left running.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from infra import local_log

ROOT = Path(__file__).resolve().parents[1]
Json = dict[str, Any]


class ChildFailed(Exception):
    def __init__(self, name: str, waited: float | None = None) -> None:
        # Alive but silent is not the same fault as gone: the first is a part stuck (or a
        # machine too busy), the second one that crashed, its traceback above.
        what = ("stopped unexpectedly (see the lines above)" if waited is None
                else f"did not answer within {waited:g} s")
        super().__init__(f"the local stack's {name} {what}")


class Child:
    """A child process as the supervisor sees it."""

    def __init__(self, name: str, module: str, arguments: Sequence[str], *,
                 env: Mapping[str, str], pass_fds: Sequence[int] = (),
                 on_event: Callable[[Json], None] = lambda event: None) -> None:
        self.name = name
        reading, writing = os.pipe()
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, the project's modules
            [sys.executable, "-m", module, "--reply-fd", str(writing), *arguments],
            cwd=ROOT, env=dict(env), stdin=subprocess.PIPE, text=True,
            pass_fds=(writing, *pass_fds))
        os.close(writing)
        self._replies: queue.Queue[Json | None] = queue.Queue()
        self._asking = threading.Lock()
        self._on_event = on_event
        threading.Thread(target=self._read, args=(os.fdopen(reading),), daemon=True,
                         name=f"{name}-replies").start()

    def _read(self, replies: TextIO) -> None:
        with replies:
            for line in replies:
                message = json.loads(line)
                if "event" in message:
                    self._on_event(message["event"])
                else:
                    self._replies.put(message)
        self._replies.put(None)  # the child has gone

    def _next(self, timeout: float) -> Json:
        try:
            message = self._replies.get(timeout=timeout)
        except queue.Empty:
            raise ChildFailed(self.name, timeout) from None
        if message is None:
            self._replies.put(None)  # every later look sees it gone too
            raise ChildFailed(self.name)
        return message

    def ready(self, timeout: float) -> Json:
        """What the child said once it served (its address), waiting at most `timeout`."""
        said: Json = self._next(timeout)["ready"]
        return said

    def ask(self, command: str, timeout: float, **arguments: Any) -> Any:
        """Send a command and wait for its reply."""
        assert self.process.stdin is not None
        with self._asking:
            try:
                self.process.stdin.write(json.dumps({"command": command,
                                                     "arguments": arguments}) + "\n")
                self.process.stdin.flush()
            except OSError:  # its end of the pipe is closed: it has gone
                raise ChildFailed(self.name) from None
            return self._next(timeout)["reply"]

    def end(self) -> None:
        """Close its stdin (it ends at once) and reap it."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # it has gone already
                self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(description: str, *extra: tuple[str, type]) -> tuple[argparse.Namespace, Replies]:
    """First thing in a child: its command line (--reply-fd, --verbose and its own (name, type)
    options), its log as verbose as the supervisor's, Ctrl-C and SIGTERM left to the
    supervisor (a terminal, or `timeout`, signals the whole process group: the child ends when
    its stdin closes), and its side of the reply pipe."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--verbose", action="store_true")
    for name, kind in extra:
        parser.add_argument(f"--{name}", type=kind, required=True)
    options = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    local_log.configure(verbose=options.verbose)
    return options, Replies(options.reply_fd)


class Replies:
    """The child's side of the reply pipe; a line at a time, whichever thread writes."""

    def __init__(self, fd: int) -> None:
        self._out = os.fdopen(fd, "w")
        self._lock = threading.Lock()

    def send(self, message: Json) -> None:
        with self._lock:
            self._out.write(json.dumps(message) + "\n")
            self._out.flush()

    def event(self, event: Json) -> None:
        self.send({"event": event})


def serve(replies: Replies, ready: Json, commands: Mapping[str, Callable[..., Any]]) -> None:
    """On the child's main thread, once it serves: say so, answer commands until the
    supervisor closes stdin, then end the process at once (its serving threads with it).
    Every child answers `tally`: what its local log counted since last asked."""
    answers = {"tally": lambda: dict(local_log.TALLY.take()), **commands}
    replies.send({"ready": ready})
    for line in sys.stdin:
        message = json.loads(line)
        replies.send({"reply": answers[message["command"]](**message["arguments"])})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
