"""The demo tools (`make demo`, `make report`, `python -m infra.tokens`): a token is fetched
when none is held yet, whatever the clock says, and again before its hour is up; every
referral the demo walks has a plan that ends."""

from __future__ import annotations

import random
from datetime import date

from infra.demo_plans import draw, script
from infra.tokens import TOKEN_SECONDS, TokenCache
from workingbetter.domain.auth import Role
from workingbetter.domain.referral import Status


class Clock:
    """A monotonic clock that starts at 0, as on a machine that has just booted."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Pool:
    """Issues a new token each time it is asked."""

    def __init__(self) -> None:
        self.issued: list[tuple[Role, str]] = []

    def __call__(self, role: Role, scope: str) -> str:
        self.issued.append((role, scope))
        return f"token-{len(self.issued)}-{role}-{scope}"


def test_a_token_is_fetched_when_none_is_held_on_a_machine_just_booted() -> None:
    pool, clock = Pool(), Clock()
    tokens = TokenCache(pool, clock)
    assert tokens(Role.OPS) == "token-1-ops-"
    clock.now = 10.0  # ten seconds after boot
    assert tokens(Role.COACH, "coach-amara") == "token-2-coach-coach-amara"
    assert pool.issued == [(Role.OPS, ""), (Role.COACH, "coach-amara")]


def test_a_token_is_kept_while_fresh_and_fetched_again_before_its_hour_is_up() -> None:
    pool, clock = Pool(), Clock()
    tokens = TokenCache(pool, clock)
    first = tokens(Role.REFERRER, "F83001")
    clock.now = TOKEN_SECONDS - 1
    assert tokens(Role.REFERRER, "F83001") == first
    clock.now = TOKEN_SECONDS + 1
    assert tokens(Role.REFERRER, "F83001") != first
    assert TOKEN_SECONDS < 60 * 60
    assert len(pool.issued) == 2


def test_every_demo_plan_ends_and_its_last_answer_is_what_ends_it() -> None:
    days = {"review_interval_days": 28.0, "sustainment_first_days": 91.0,
            "sustainment_second_days": 182.0, "sustainment_third_days": 364.0}
    ends: set[Status] = set()
    for i in range(2000):
        moves, ending = script(draw(random.Random(f"plan-{i}")), date(2026, 6, 1), days)
        ends.add(ending.status)
        assert ending.status.terminal
        assert ending.exit_reason is not None
        assert moves, "every plan answers at least one step"
        assert all(not m.ends for m in moves[:-1]), "nothing is answered after a withdrawal"
        assert (ending.status is Status.WITHDRAWN) == moves[-1].ends
    assert ends == {Status.EXITED, Status.REJECTED, Status.WITHDRAWN}
