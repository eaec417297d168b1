"""Communication needs met at booking (the Accessible Information Standard, issue 24 item 3): a
patient who needs an interpreter is not told of their first appointment until their coach has
arranged one. The coach is given the task on the caseload, the diary and the case record,
records it arranged there (once, however often it is posted), and only then is the patient's
confirmation sent. If it is still not arranged close to the day, the coach is chased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api_client import Api
from tests.conftest import VALID_NHS_NUMBERS, Cloud
from tests.fake_sender import FakeSender
from tests.web.pages import Pages
from tests.web.test_pages import awaiting
from workingbetter.domain import slots, working_days
from workingbetter.domain.records.outbox import OutboxRow
from workingbetter.notifications.sending import Sending

pytestmark = pytest.mark.integration

BSL = [{"need": "bsl_interpreter"}, {"need": "large_print"}]


def booked_with(cloud: Cloud, needs: list[dict[str, str]],
                nhs: str = VALID_NHS_NUMBERS[0]) -> str:
    referral_id = Api(cloud).refer(patient__nhs_number=nhs, patient__communication_needs=needs)
    awaiting(cloud, referral_id, "appointment_outcome")
    return referral_id


def rows(cloud: Cloud, referral_id: str, kind: str) -> list[OutboxRow]:
    return [r for r in cloud.store.outbox.for_referral(referral_id) if r.kind == kind]


def send_due(cloud: Cloud) -> FakeSender:
    sent = FakeSender()
    Sending(cloud.store, sent, FakeSender(), cloud.settings).run(
        datetime.now(UTC) + timedelta(seconds=1))
    return sent


def test_an_interpreter_need_holds_the_confirmation_until_the_coach_records_one_arranged(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked_with(cloud, BSL)
    item = cloud.referral(referral_id)
    assert item.appointment is not None
    start = item.appointment.start
    # Held: no confirmation yet; the coach's task, and a chase 2 working days before the day.
    assert rows(cloud, referral_id, "appointment_confirmation") == []
    (chase,) = rows(cloud, referral_id, "coach_interpreter_not_arranged")
    day = slots.parse_iso(start).astimezone(slots.UK)
    assert slots.parse_iso(chase.service_due) == working_days.working_days_before(day, 2)
    send_due(cloud)  # on the tests' fast clock, the chase falls due at once too

    pages.sign_in("coach:coach-amara")
    caseload = pages.get("/coach").text
    assert "Arrange a BSL interpreter for" in caseload
    assert "is still not arranged" in caseload
    diary = pages.get(f"/coach/diary?week={start[:10]}").text
    assert "Interpreter to arrange" in diary
    path = f"/coach/referrals/{referral_id}"
    record = pages.get(path).text
    assert "To arrange: a BSL interpreter" in record
    # "Done" alone cannot clear it: that would leave the patient never told.
    (task,) = [r for r in rows(cloud, referral_id, "coach_arrange_interpreter")]
    pages.get("/coach")
    assert pages.post("/coach/tasks/done", {"referral_id": referral_id,
                                            "notification_id": task.notification_id}
                      ).status == 404
    pages.get(path)

    for _ in range(2):  # a second post (a double click, a retry) changes nothing
        done = pages.post(f"{path}/interpreter-arranged", {})
        assert (done.status, done.location) == (303, f"{path}?saved=interpreter-arranged")
        pages.get(path)

    (confirmation,) = rows(cloud, referral_id, "appointment_confirmation")
    assert confirmation.about == start
    sent = send_due(cloud)
    assert [(channel, m.kind) for channel, m in sent.sent] == [
        ("sms", "appointment_confirmation")]
    item = cloud.referral(referral_id)
    assert item.interpreter_arranged == start
    assert "bsl_interpreter" in item.needs_met
    assert [(e.event, e.by) for e in item.timeline if e.event == "interpreter_arranged"] == [
        ("interpreter_arranged", "coach:coach-amara")]
    assert "Arranged: a BSL interpreter" in pages.get(path).text
    caseload = pages.get("/coach").text  # the task and its chase are done with
    assert "Arrange a BSL interpreter" not in caseload
    assert "still not arranged" not in caseload


def test_an_interpreter_need_learnt_after_booking_still_becomes_the_coachs_task(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked_with(cloud, [], VALID_NHS_NUMBERS[2])
    assert rows(cloud, referral_id, "appointment_confirmation")  # told at once: none known
    assert rows(cloud, referral_id, "coach_arrange_interpreter") == []
    pages.sign_in("coach:coach-amara")
    path = f"/coach/referrals/{referral_id}"
    pages.get(path)

    done = pages.post(f"{path}/communication-needs", {"need": ["bsl_interpreter"]})

    assert done.status == 303, done.error_summary()
    assert len(rows(cloud, referral_id, "coach_arrange_interpreter")) == 1
    assert len(rows(cloud, referral_id, "coach_interpreter_not_arranged")) == 1  # and chased
    send_due(cloud)  # the scheduled sending puts due tasks on the caseload
    assert "Arrange a BSL interpreter for" in pages.get("/coach").text
    pages.get(path)
    again = pages.post(f"{path}/communication-needs", {"need": ["bsl_interpreter"]})
    assert again.status == 303  # saved again: still the one task
    assert len(rows(cloud, referral_id, "coach_arrange_interpreter")) == 1


def test_a_patient_who_needs_no_interpreter_is_told_at_once_and_has_nothing_to_arrange(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked_with(cloud, [{"need": "large_print"}])
    assert len(rows(cloud, referral_id, "appointment_confirmation")) == 1
    assert rows(cloud, referral_id, "coach_arrange_interpreter") == []

    pages.sign_in("coach:coach-amara")
    path = f"/coach/referrals/{referral_id}"
    assert "To arrange:" not in pages.get(path).text
    refused = pages.post(f"{path}/interpreter-arranged", {})
    assert refused.status == 409
    assert "There is no appointment waiting for an interpreter" in refused.text


def test_the_diary_shows_a_longer_appointment_as_one_appointment_of_two_slots(
        pages: Pages, cloud: Cloud) -> None:
    referral_id = booked_with(cloud, [{"need": "longer_appointment"}])
    first = cloud.referral(referral_id).appointment
    assert first is not None
    assert first.also is not None

    pages.sign_in("coach:coach-amara")
    diary = pages.get(f"/coach/diary?week={first.start[:10]}").text
    assert diary.count("a longer appointment, two slots") == 1
    assert 'id="appointment-' + first.also.replace(":", "").replace("-", "") not in diary
    record = pages.get(f"/coach/referrals/{referral_id}").text
    assert "A longer appointment: two slots" in record
