"""The local stack fires template.yaml's schedules on the service clock."""

from __future__ import annotations

import pytest

from infra.scheduler import FASTEST, LocalScheduler, interval
from infra.template import LocalTemplate, load


def test_five_service_minutes_are_five_real_minutes_on_the_production_clock() -> None:
    assert interval("rate(5 minutes)", 86400) == 300


def test_a_compressed_day_shortens_the_schedule_but_never_below_the_floor() -> None:
    assert interval("rate(1 day)", 864) == pytest.approx(864)
    assert interval("rate(2 hours)", 8640) == pytest.approx(720)
    assert interval("rate(5 minutes)", 0.05) == FASTEST


def test_only_rate_expressions_are_understood() -> None:
    with pytest.raises(ValueError, match="rate"):
        interval("cron(0 8 * * ? *)", 86400)


def test_every_schedule_in_the_template_targets_a_function_the_stack_builds() -> None:
    template = LocalTemplate(load())
    scheduler = LocalScheduler(template, 86400)
    by_name = {s.name: s for s in scheduler.schedules}
    assert sorted(by_name) == ["ReconcileCapacitySchedule", "SendNotificationsSchedule"]
    sender = by_name["SendNotificationsSchedule"]
    assert sender.function_name == template.function_name("NotificationsFunction")
    assert sender.every == 300
    reconciler = by_name["ReconcileCapacitySchedule"]
    assert reconciler.function_name == template.function_name("ReconcileFunction")
    assert reconciler.every == 86400


class FlakyLambda:
    """A Lambda client whose first call times out and whose second reports a function error."""

    def __init__(self) -> None:
        self.calls = 0

    def invoke(self, **_: object) -> dict[str, object]:
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("read timed out")
        if self.calls == 2:
            return {"FunctionError": "Unhandled"}
        return {"StatusCode": 200}


def test_a_failed_firing_is_counted_and_the_schedule_carries_on() -> None:
    scheduler = LocalScheduler(LocalTemplate(load()), 86400)
    schedule = scheduler.schedules[0]
    client = FlakyLambda()
    for _ in range(3):
        scheduler.fire(client, schedule)
    assert (client.calls, scheduler.failed, scheduler.fired) == (3, 2, 1)
