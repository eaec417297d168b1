"""What a patient's link can do is bounded (issue 19, item 6): one open request of each kind at
a time, however often or however fast it is sent; a rate limit on the link's actions; and no
item a caller can grow without end (the referral item stays under a fixed size)."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.fake_sender import FakeSender
from tests.integration.test_patient_pages import booked_link, post
from tests.web.pages import Page, Pages
from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import Event
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.domain.records.referral import ReferralChange
from workingbetter.domain.referral import PATIENT_FACTS_LISTED_UNTIL
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration
# A real-time service clock, as on the patient's pages (the appointment must stay to come).
REAL_TIME = {"seconds_per_day": "86400"}


def asks(cloud: Cloud, referral_id: str, kind: str) -> list[OutboxRow]:
    return [r for r in cloud.store.outbox.for_referral(referral_id) if r.kind == kind]


def events(cloud: Cloud, referral_id: str, event: str) -> int:
    return sum(1 for e in cloud.referral(referral_id).timeline if e.event == event)


def item_size(cloud: Cloud, referral_id: str) -> int:
    """The referral item's size as stored, near enough (its attributes as JSON)."""
    found = cloud.store.tables.table.get_item(Key=keys.referral(referral_id))["Item"]
    return len(json.dumps(found, default=str))


@pytest.mark.service_days(**REAL_TIME, patient_link_actions_per_hour=50)
def test_asking_again_while_asked_makes_no_second_task_or_event(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    replies: list[Page] = []

    def ask() -> None:
        replies.append(post(Pages(cloud.built.pool), f"{path}/appointment", {"ask": "cancel"}))

    at_once = [threading.Thread(target=ask) for _ in range(8)]
    for thread in at_once:
        thread.start()
    for thread in at_once:
        thread.join()
    for _ in range(3):
        ask()

    assert [r.status for r in replies] == [303] * 11
    assert sorted(r.location.rsplit("=", 1)[-1] for r in replies) == \
        ["cancel"] + ["cancel-again"] * 10
    assert len(asks(cloud, referral_id, "coach_patient_asks_to_cancel")) == 1
    assert events(cloud, referral_id, "patient_asked_to_cancel") == 1
    again = Pages(cloud.built.pool).get(f"{path}?done=cancel-again")
    assert "You have already asked" in again.text
    assert "Your coach will be in touch" in again.text
    # Another kind of request is its own.
    assert post(Pages(cloud.built.pool), f"{path}/appointment",
                {"ask": "change"}).location.endswith("done=change")

    # Once the coach has dealt with it, the patient may ask again.
    sender = FakeSender()
    Sending(cloud.store, sender, sender, cloud.settings).run()  # onto the coach's list
    token = path.removeprefix("/patient/")  # (the confirmation sent a new link: keep ours)
    cloud.store.links.set_withdraw_link(referral_id, hashlib.sha256(token.encode()).hexdigest())
    (task,) = asks(cloud, referral_id, "coach_patient_asks_to_cancel")
    coach = Pages(cloud.built.pool)
    coach.sign_in(f"coach:{cloud.referral(referral_id).coach_id}")
    coach.get("/coach")
    assert coach.post("/coach/tasks/done", {"referral_id": referral_id,
                                            "notification_id": task.notification_id}
                      ).status == 303
    assert post(Pages(cloud.built.pool), f"{path}/appointment",
                {"ask": "cancel"}).location.endswith("done=cancel")
    assert len(asks(cloud, referral_id, "coach_patient_asks_to_cancel")) == 2
    assert events(cloud, referral_id, "patient_asked_to_cancel") == 2


@pytest.mark.service_days(**REAL_TIME, patient_link_actions_per_hour=1000)
def test_the_referral_item_stays_under_a_fixed_size_whatever_the_link_sends(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    # Lines like those a patient's changes add, written straight to the store until ten short
    # of the bound, so that the link's own changes below cross it: sent through the link, these
    # ~90 made this test a minute of the suite (150 were 16.8 KB before the bound).
    listed = len(cloud.referral(referral_id).timeline)
    for _ in range(PATIENT_FACTS_LISTED_UNTIL - 10 - listed):
        assert cloud.store.referrals.add_fact(referral_id, Event("contact_changed", "patient"),
                                              listed_until=PATIENT_FACTS_LISTED_UNTIL)
    pages = Pages(cloud.built.pool)
    ways: list[dict[str, Any]] = [
        {"contact_preference": "sms", "phone": "07700 900 123"},
        {"contact_preference": "email", "email": "ada@example.com"}]
    sizes = []
    for n in range(70):
        assert post(pages, f"{path}/contact", ways[n % 2]).status == 303
        if n % 10 == 0:
            assert post(pages, f"{path}/appointment", {"ask": "change"}).status == 303
        if n in (39, 69):
            sizes.append(item_size(cloud, referral_id))

    assert sizes[1] < 12 * 1024, sizes  # DynamoDB's limit is 400 KB: far below, for good
    assert sizes[1] - sizes[0] < 64, sizes  # the last thirty changes made it no bigger
    assert cloud.referral(referral_id).facts_unlisted > 50
    assert cloud.referral(referral_id).contact_preference == "email"  # each still landed


@pytest.mark.service_days(**REAL_TIME, patient_link_actions_per_hour=5)
def test_over_the_rate_the_link_answers_429_and_leaving_still_works(
        cloud: Cloud, api: Api) -> None:
    referral_id, path = booked_link(cloud, api)
    pages = Pages(cloud.built.pool)
    change = {"contact_preference": "sms", "phone": "07700 900 123"}
    for _ in range(5):
        assert post(pages, f"{path}/contact", change).status == 303

    over = post(pages, f"{path}/contact", change)
    asked = post(pages, f"{path}/appointment", {"ask": "change"})

    assert (over.status, asked.status) == (429, 429)
    assert over.headers["retry-after"].isdigit()
    assert "You have made a lot of changes" in over.text
    assert "govuk-template" in over.text
    assert asks(cloud, referral_id, "coach_patient_asks_to_change") == []
    assert pages.get(path).status == 200  # looking is not an action
    left = post(pages, f"{path}/leave", {})  # leaving always works
    assert left.status == 200
    assert cloud.referral(referral_id).status == "WITHDRAWN"


def test_a_fact_past_the_timelines_bound_still_lands_counted_not_listed(
        cloud: Cloud, api: Api) -> None:
    """The bound every fact beside the run keeps to (a coach's contacts and follow-ups too,
    at a higher bound than a patient's): what it sets lands, its line and dates do not."""
    referral_id = api.refer()
    cloud.wait_for(referral_id, lambda i: i.awaiting == "appointment_outcome"
                   and bool(i.task_token), what="booked: its run waits, adding no lines")
    bound = len(cloud.referral(referral_id).timeline) + 3
    for day in range(1, 7):
        on = f"2026-11-0{day}"
        assert cloud.store.referrals.add_fact(
            referral_id, Event("employer_contact_recorded", "coach:c1"),
                                    ReferralChange(benefits_advice_on=on),
                                    append=ReferralChange(employer_contact_dates=(on,)),
                                    listed_until=bound)
    item = cloud.referral(referral_id)
    assert len(item.timeline) == bound
    assert item.employer_contact_dates == ("2026-11-01", "2026-11-02", "2026-11-03")
    assert item.facts_unlisted == 3
    assert item.benefits_advice_on == "2026-11-06"  # every fact's fields still landed
