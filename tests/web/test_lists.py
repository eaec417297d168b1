"""Lists read a page at a time, each from an index built for it: GET /referrals, /ops and
/coach. Referrals are loaded straight through the store (no runs) unless a rule is about what
the runs do; DynamoDB calls are counted with a botocore event hook, as the benchmarks do."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from benchmarks.journey import DynamoCalls
from benchmarks.pages import pair
from tests.api_client import Api
from tests.conftest import Cloud
from tests.web.pages import Pages
from workingbetter.wiring import services

pytestmark = pytest.mark.integration


MADE = itertools.count()


def load(cloud: Cloud, *referrals: tuple[str, str, str | None]) -> list[str]:
    """(practice, status, coach) each, made a minute apart in this order; their ids."""
    pairs = [pair(next(MADE), ods, status, coach) for ods, status, coach in referrals]
    cloud.store.referrals.bulk_load(pairs)
    return [referral["referral_id"] for referral, _ in pairs]


def every_page(api: Api, token: str, query: str) -> Iterator[dict[str, Any]]:
    reply = api.call("GET", f"/referrals?{query}", token)
    while True:
        assert reply.status == 200, reply.body
        yield reply.body
        if not reply.body["next"]:
            return
        reply = api.call("GET", f"/referrals?{query}&cursor={reply.body['next']}", token)


def shown_on(page: str, table: str) -> list[str]:
    body = page.partition(f'id="{table}"')[2].partition("</table>")[0]
    return re.findall(r'data-referral-id="([^"]+)"', body)


def test_a_practices_list_pages_through_its_referrals_newest_first_and_never_shows_another_practices(  # noqa: E501
        cloud: Cloud) -> None:
    api = Api(cloud)
    ids = load(cloud, *[("F83001" if i % 3 else "F83002", "EXITED", None) for i in range(11)])
    own = [r for i, r in enumerate(ids) if i % 3][::-1]  # newest first

    pages = list(every_page(api, api.referrer("F83001"), "limit=3"))

    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert [r["referral_id"] for p in pages for r in p["items"]] == own
    assert {r["practice_ods"] for p in pages for r in p["items"]} == {"F83001"}
    assert pages[0]["previous"] is None
    back = api.call("GET", f"/referrals?limit=3&cursor={pages[1]['previous']}",
                    api.referrer("F83001")).body
    assert back["items"] == pages[0]["items"]
    elsewhere = api.call("GET", "/referrals?practice_ods=F83002", api.referrer("F83001"))
    assert (elsewhere.status, elsewhere.body) == (200, {"items": [], "next": None,
                                                        "previous": None})
    assert [r["practice_ods"] for p in every_page(api, api.ops(), "practice_ods=F83002")
            for r in p["items"]] == ["F83002"] * 4


def test_a_forged_cursor_is_refused(cloud: Cloud) -> None:
    api = Api(cloud)
    load(cloud, *[("F83001", "EXITED", None)] * 4)
    referrer = api.referrer("F83001")
    cursor = api.call("GET", "/referrals?limit=2", referrer).body["next"]
    body, mac = cursor.split(".")
    forged = [
        f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{mac}",  # an altered edge
        "not-a-cursor", "%%%.%%%", "",
    ]
    for bad in forged[:-1]:
        reply = api.call("GET", f"/referrals?limit=2&cursor={bad}", referrer)
        assert reply.status == 400, bad
        assert reply.headers["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in reply.body["errors"]] == ["cursor"]
    # Good, but made for another list (a filter) or another caller.
    assert api.call("GET", f"/referrals?limit=2&status=EXITED&cursor={cursor}",
                    referrer).status == 400
    assert api.call("GET", f"/referrals?limit=2&cursor={cursor}",
                    api.referrer("F83002")).status == 400
    assert api.call("GET", f"/referrals?limit=2&cursor={cursor}", referrer).status == 200

    wrong = api.call("GET", "/referrals?limit=0&status=LOST", referrer)
    assert wrong.status == 400
    assert {e["field"] for e in wrong.body["errors"]} == {"limit", "status"}


def test_the_ops_list_is_filtered_by_status(cloud: Cloud, pages: Pages) -> None:
    api = Api(cloud)
    ids = load(cloud, ("F83001", "WAITLISTED", None), ("F83002", "EXITED", None),
               ("F83003", "WAITLISTED", None), ("F83001", "IN_SUPPORT", "coach-amara"))

    listed = api.call("GET", "/referrals?status=WAITLISTED", api.ops()).body
    assert [r["referral_id"] for r in listed["items"]] == [ids[2], ids[0]]

    pages.sign_in("ops")
    console = pages.get("/ops?status=WAITLISTED")
    assert console.status == 200
    assert shown_on(console.text, "latest") == [ids[2], ids[0]]
    assert '<option value="WAITLISTED" selected>' in console.text
    everyone = pages.get("/ops")
    assert shown_on(everyone.text, "latest") == ids[::-1]
    counts = dict(re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>'
                             r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)',
                             everyone.text))
    assert (counts["Waitlisted"], counts["Exited"], counts["In support"]) == ("2", "1", "1")
    assert pages.get("/ops?status=LOST").status == 400


def test_ops_counts_follow_every_change_of_status(cloud: Cloud) -> None:
    api = Api(cloud)
    staying = api.refer("F83001")
    leaving = api.refer("F83002", patient__nhs_number="9434765919")
    api.awaiting(staying, "appointment_outcome")
    api.awaiting(leaving, "appointment_outcome")
    withdrawn = api.call("POST", f"/referrals/{leaving}/withdraw", api.referrer("F83002"), {})
    assert withdrawn.status == 200, withdrawn.body

    counts = {k: v for k, v in cloud.store.lists.status_counts().items() if v}
    assert counts == {"APPOINTMENT_BOOKED": 1, "WITHDRAWN": 1}


def audit_records(cloud: Cloud, practice: str) -> list[dict[str, Any]]:
    return list(cloud.store.tables.table.query(
        KeyConditionExpression=Key("pk").eq(f"AUDIT#PRACTICE#{practice}"))["Items"])


def test_a_coach_page_view_leaves_one_audit_record_naming_the_referrals_shown(
        cloud: Cloud, pages: Pages) -> None:
    api = Api(cloud)
    ids = load(cloud, ("F83001", "IN_SUPPORT", "coach-amara"),
               ("F83001", "APPOINTMENT_BOOKED", "coach-amara"),
               ("F83001", "AWAITING_TRIAGE_DECISION", None),
               ("F83001", "IN_WORK", "coach-bilal"), ("F83001", "EXITED", "coach-amara"))

    pages.sign_in("coach:coach-amara")
    page = pages.get("/coach")

    assert page.status == 200
    assert sorted(shown_on(page.text, "caseload")) == sorted(ids[:3])
    (record,) = audit_records(cloud, "F83001")
    assert sorted(record["referral_ids"]) == sorted(ids[:3])
    assert (record["actor"], record["purpose"]) == ("coach:coach-amara", "GET /coach")
    trail = api.call("GET", f"/referrals/{ids[0]}/audit", api.ops()).body
    assert {"at": record["at"], "actor": "coach:coach-amara", "purpose": "GET /coach"} in trail
    assert api.call("GET", f"/referrals/{ids[3]}/audit", api.ops()).body == []


def test_the_coach_page_reads_the_pages_personal_data_in_one_batch(
        cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("coach:coach-amara")
    calls = DynamoCalls()
    services().store.tables.client.meta.events.register("provide-client-params.dynamodb", calls)

    def one_view() -> dict[str, int]:
        calls.calls.clear()
        page = pages.get("/coach")
        assert page.status == 200
        return dict(calls.calls)

    one_view()  # the header's names of staff are read once, then kept (services/staff.py)
    load(cloud, ("F83001", "IN_SUPPORT", "coach-amara"))
    few = one_view()
    load(cloud, *[("F83001", "IN_SUPPORT", "coach-amara")] * 15,
         ("F83001", "AWAITING_TRIAGE_DECISION", None))
    many = one_view()

    assert many == few, "the same calls whatever the number of rows"
    # Whether the coach has signed out since (adapters/sign_outs.py); the coach's practice;
    # the caseload, the practice's triage queue and the coach's tasks; the patients' details;
    # the one audit record.
    assert many == {"GetItem": 2, "Query": 3, "BatchGetItem": 1, "PutItem": 1}
    assert pages.last is not None
    assert len(set(re.findall(r"Bench\d+ Patient", pages.last.text))) == 17
