"""The outcome and fidelity pages for ops and commissioners: the period picker, its errors as
a GOV.UK error summary, the tables with charts drawn on the server, and a CSV of every table."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api_client import Api
from tests.conftest import Cloud
from tests.web.pages import Pages

pytestmark = pytest.mark.integration

TABLES = ("funnel", "times", "rates", "exits", "practices", "conditions", "age_bands",
          "triage_rejections", "ips", "caseloads")


def test_a_commissioner_signs_in_to_the_reports(cloud: Cloud, pages: Pages) -> None:
    Api(cloud).refer()
    page = pages.sign_in("commissioner")
    assert (page.status, page.location) == (303, "/reports")
    page = pages.get("/reports")
    assert page.status == 200
    for table in TABLES:
        assert f'id="table-{table}"' in page.text
    assert page.text.count('class="wb-chart ') == 4  # funnel, practices, conditions, age bands
    chart = page.text.partition('id="chart-practices"')[2].partition("</figure>")[0]
    assert "City Road Medical Centre (F83001)<span" in chart  # whole, as text that wraps
    assert "viewBox" not in chart
    assert "rounded to a multiple of 5" in page.text
    assert pages.get("/reports/fidelity").status == 200


def test_a_bad_period_is_named_in_an_error_summary(cloud: Cloud, pages: Pages) -> None:
    pages.sign_in("ops")
    page = pages.get("/reports?from=2026-02-30&to=2026-01-01&practice=X99999")
    assert page.status == 400
    assert [href for href, _ in page.error_summary()] == ["#from-month", "#practice"]
    assert 'id="table-funnel"' not in page.text


def test_every_table_downloads_as_csv_with_the_same_cells(cloud: Cloud, pages: Pages) -> None:
    Api(cloud).refer()
    pages.sign_in("commissioner")
    for table in TABLES:
        reply = pages.get(f"/reports/outcomes.csv?table={table}")
        assert reply.status == 200, table
        assert reply.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(reply.text)))
        assert rows[0][0] == "key"
    funnel = list(csv.reader(io.StringIO(pages.get("/reports/outcomes.csv?table=funnel").text)))
    assert funnel[1] in (["referred", "Referred", "0"], ["referred", "Referred", "5"])
    assert pages.get("/reports/outcomes.csv?table=nonsense").status == 400


@pytest.mark.parametrize("identity", ["referrer:F83001", "coach:coach-amara"])
def test_referrers_and_coaches_cannot_read_reports(cloud: Cloud, pages: Pages,
                                                   identity: str) -> None:
    pages.sign_in(identity)
    for path in ("/reports", "/reports/fidelity", "/reports/outcomes.csv?table=funnel"):
        assert pages.get(path).status == 403, path
