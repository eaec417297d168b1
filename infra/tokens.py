"""Print an ID token a running local stack accepts, issued by its own user pool (moto's
Cognito): python -m infra.tokens --role coach --coach coach-amara

It signs in as the stack's seeded person for that role and scope (an account is made for a
practice or coach the stack did not seed). The stack says where it runs in $WB_STACK_FILE
(.local-stack.json by default): `make demo` and `make report` read it here too
(`running_stack`), so that they talk to the stack `make run` started, not whatever answers on
a port."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from infra.cognito import LocalPool, Person
from infra.template import ROOT
from workingbetter.domain.auth import Role

if TYPE_CHECKING:
    from infra.local_stack import StackFile


def stack_file() -> Path:
    return Path(os.environ.get("WB_STACK_FILE") or ROOT / ".local-stack.json")


class NoStack(Exception):
    """No local stack is running here: what to print instead."""


def running_stack(path: Path | None = None) -> StackFile:
    """Where the running stack is (its API, its moto server, its clock), from its stack file
    ($WB_STACK_FILE, else .local-stack.json); NoStack if none is running."""
    from infra.local_stack import StackFile

    path = path or stack_file()
    if not path.exists():
        raise NoStack(f"No local stack is running ({path} is missing): start one with "
                      "`make run`.")
    return StackFile.read(path)


def local_pool(path: Path) -> LocalPool:
    """The running stack's pool, reached through its moto server."""
    stack = running_stack(path)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    return LocalPool(stack.region, stack.pool_id, stack.client_id, stack.aws_url)


def token(path: Path, role: Role, practice_ods: str | None = None,
          coach_id: str | None = None) -> str:
    return local_pool(path).id_token(Person(str(role), practice_ods=practice_ods,
                                            coach_id=coach_id))


# The local pool's ID tokens last an hour: a cached one is fetched again before that.
TOKEN_SECONDS = 50 * 60


class TokenCache:
    """Tokens by (role, scope), each fetched when first asked for and again once it is
    TOKEN_SECONDS old. "Not fetched yet" is its own case, not an age: a monotonic clock counts
    from the machine's boot, so on a machine up for under the hour any made-up "fetched at 0"
    looks fresh (a new VM's `make demo` sent empty tokens and was answered 401)."""

    def __init__(self, fetch: Callable[[Role, str], str],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._fetched: dict[tuple[Role, str], tuple[float, str]] = {}

    def __call__(self, role: Role, scope: str = "") -> str:
        """`scope` is the practice's ODS code for a referrer, the coach's id for a coach."""
        with self._lock:
            fetched = self._fetched.get((role, scope))
            if fetched is None or self._clock() - fetched[0] > TOKEN_SECONDS:
                fetched = (self._clock(), self._fetch(role, scope))
                self._fetched[(role, scope)] = fetched
            return fetched[1]


def stack_tokens(path: Path) -> TokenCache:
    """Tokens from the running stack that `path` describes, cached."""
    return TokenCache(lambda role, scope: token(
        path, role, practice_ods=scope if role is Role.REFERRER else None,
        coach_id=scope if role is Role.COACH else None))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print an ID token the local stack accepts.")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--practice", help="ODS code, for --role referrer (e.g. F83001)")
    parser.add_argument("--coach", help="coach id, for --role coach (e.g. coach-amara)")
    args = parser.parse_args(argv)
    role = Role(args.role)
    if role is Role.REFERRER and not args.practice:
        parser.error("--role referrer needs --practice")
    if role is Role.COACH and not args.coach:
        parser.error("--role coach needs --coach")
    path = stack_file()
    try:
        running_stack(path)
    except NoStack as error:
        print(error, file=sys.stderr)
        return 2
    print(token(path, role, practice_ods=args.practice if role is Role.REFERRER else None,
                coach_id=args.coach if role is Role.COACH else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
