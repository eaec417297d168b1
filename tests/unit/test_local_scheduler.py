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
    assert [s.name for s in scheduler.schedules] == ["SendNotificationsSchedule"]
    (schedule,) = scheduler.schedules
    assert schedule.function_name == template.function_name("NotificationsFunction")
    assert schedule.every == 300
