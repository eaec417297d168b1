"""/reports: outcomes for ops and commissioners (tables, charts drawn on the server, a CSV of
every table) and /reports/fidelity. Counts and rates only, small numbers suppressed; the
personal-data table is never read."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalice.app import Response

from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import BadRequest, FieldError
from workingbetter.routing import headers
from workingbetter.web import charts
from workingbetter.web.date_input import MONTH_YEAR
from workingbetter.web.errors import FormErrorMap, PageErrors
from workingbetter.web.http import Form, html, page, principal, request
from workingbetter.web.registry import blueprint
from workingbetter.wiring import services

# The reports' code (measures, the store's records) loads with the first report page, not
# at the API's init.
if TYPE_CHECKING:
    from workingbetter.reports.measures import Outcomes
    from workingbetter.reports.service import ReportRequest
    from workingbetter.reports.tables import Report, Table

REAL_MONTH = "Enter a real month, like 4 2026"


def _picker() -> FormErrorMap:
    """The picker's errors: a month as its boxes ask it (the report's words name YYYY-MM)."""
    from workingbetter.reports.service import NOT_A_MONTH

    return FormErrorMap({"from": "from", "to": "to", "practice": "practice"},
                        reworded={"from": {NOT_A_MONTH: REAL_MONTH},
                                  "to": {NOT_A_MONTH: REAL_MONTH}},
                        dates={"from": "from", "to": "to"}, date_boxes=MONTH_YEAR)
# Charts beside the tables they draw (one charting approach: web/charts.py).
CHARTED = ("funnel", "practices", "conditions", "age_bands")


@dataclass(frozen=True)
class Shown:
    """A table as the page writes it: headers, rows of words, and its chart if it has one."""

    table: Table
    header: list[str]
    rows: list[list[str]]
    chart: charts.Chart | None


def _reader() -> Principal:
    who = principal()
    who.require(Role.OPS, Role.COMMISSIONER)
    return who


def _query() -> dict[str, str]:
    """The report's parameters: a month asked in the picker's boxes (from_month, from_year)
    as the report's YYYY-MM; a shared link's from=YYYY-MM as it is."""
    asked = dict(request().query_params or {})
    query = {k: v for k, v in asked.items() if k in ("from", "to", "practice", "table")}
    for name in ("from", "to"):
        month, year = asked.get(f"{name}_month", "").strip(), asked.get(f"{name}_year", "").strip()
        if month or year:
            query[name] = f"{year}-{month.zfill(2)}" if month.isdigit() else f"{year}-{month}"
    return query


def _boxes(asked: dict[str, str], chosen: ReportRequest | None) -> Form:
    """What the picker's boxes show: what was typed, else the period shown."""
    typed = dict(request().query_params or {})
    values: dict[str, list[str]] = {}
    for name in ("from", "to"):
        month, year = typed.get(f"{name}_month"), typed.get(f"{name}_year")
        if month is None and year is None:
            shown = asked.get(name) or (chosen.period[name] if chosen else "")
            year, _, month = str(shown)[:7].partition("-")
            month = month.lstrip("0")
        values[f"{name}_month"], values[f"{name}_year"] = [month or ""], [year or ""]
    return Form(values)


def _chart(table: Table) -> charts.Chart | None:
    if table.id not in CHARTED:
        return None
    bars = [(str(row["label"]), row["count"]) for row in table.rows
            if isinstance(row.get("count"), int | str)]
    points: list[tuple[str, int | str]] = [(label, value) for label, value in bars
                                           if isinstance(value, int | str)]
    return charts.bars(f"chart-{table.id}", table.title, points)


def _shown(report: Report) -> list[Shown]:
    from workingbetter.reports import tables

    return [Shown(t, tables.header(t), tables.rows_as_text(t), _chart(t)) for t in report.tables]


Fill = Callable[["Outcomes", dict[str, str], "ReportRequest"], dict[str, Any]]


def _period_page(template: str, title: str, active: str, blank: dict[str, Any],
                 fill: Fill) -> Response:
    """A report for the period and practice asked: the page, or the picker with its errors
    (400, `blank` standing in for what could not be measured)."""
    who = _reader()
    asked = _query()
    reports = services().reports
    shared: dict[str, Any] = {"principal": who, "active": active, "asked": asked,
                              "practices": reports.practices()}
    try:
        chosen = reports.request(who, asked)
    except BadRequest as error:
        boxes = _boxes(asked, None)
        return html(template, 400, title="There is a problem with the period", chosen=None,
                    errors=_picker().page_errors(error.errors, form=boxes), boxes=boxes,
                    **shared, **blank)
    measured, names = reports.measure(chosen)
    return html(template, title=title, errors=PageErrors(), chosen=chosen,
                boxes=_boxes(asked, chosen), **shared, **fill(measured, names, chosen))


@blueprint.route("/reports", methods=["GET"])
@page
def outcomes() -> Response:
    from workingbetter.reports import tables

    return _period_page("reports.html", "Outcomes", "/reports", {"shown": []},
                        lambda measured, names, chosen: {
                            "shown": _shown(tables.build(measured, chosen.period, names)),
                            "note": tables.SUPPRESSION_NOTE, "csv_link": csv_link})


@blueprint.route("/reports/fidelity", methods=["GET"])
@page
def ips_fidelity() -> Response:
    from workingbetter.reports import fidelity

    return _period_page("fidelity.html", "IPS fidelity", "/reports/fidelity", {"scored": None},
                        lambda measured, _, chosen: {
                            "scored": fidelity.as_json(measured.ips, chosen.period)})


@blueprint.route("/reports/outcomes.csv", methods=["GET"])
@page
def outcomes_csv() -> Response:
    """One table of the report as CSV: the same cells the page shows, markers included."""
    who = _reader()
    asked = _query()
    report = services().reports.outcomes(who, asked)
    table = report.table(asked.get("table", ""))
    if table is None:
        raise BadRequest("Choose a table to download", [FieldError(
            "table", "Choose one of " + ", ".join(t.id for t in report.tables))])
    return Response(body=as_csv(table, report), status_code=200, headers={
        **headers.HTML, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{_filename(table, report)}"'})


def as_csv(table: Table, report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", *(c.label or "label" for c in table.columns)])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow([row.get("key", "total"),
                         *("" if row.get(c.key) is None else row.get(c.key)
                           for c in table.columns)])
    return out.getvalue()


def _filename(table: Table, report: Report) -> str:
    period = report.period
    practice = f"-{period['practice']}" if period.get("practice") else ""
    return f"working-better-{table.id}-{period['from']}-to-{period['to']}{practice}.csv"


def csv_link(table: Table, chosen: ReportRequest) -> str:
    return "/reports/outcomes.csv?" + urlencode({**chosen.query(), "table": table.id})
