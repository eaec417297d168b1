"""`make report`: the outcome report in a terminal, as plain-text tables, from the running
local stack (`make run`) over HTTP with a commissioner's token: the same numbers as the page.

    python -m infra.report [--from 2026-01] [--to 2026-12] [--practice F83001]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from infra import tokens
from workingbetter.domain.auth import Role
from workingbetter.reports.tables import Table, header, rows_as_text


def text_table(table: Table) -> str:
    """Columns padded to their widest cell; numbers right-aligned, words left."""
    lines = [header(table), *rows_as_text(table)]
    widths = [max(len(row[i]) for row in lines) for i in range(len(table.columns))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if col.numeric else c.ljust(w)
                         for c, w, col in zip(cells, widths, table.columns, strict=True))

    rule = "  ".join("-" * w for w in widths)
    body = [line(lines[0]), rule, *(line(r) for r in lines[1:])]
    if table.total:
        body.insert(-1, rule)
    notes = [f"  {n}" for n in table.notes]
    return "\n".join([table.title, "=" * len(table.title), *body, *notes])


def fetch(api: str, path: str, token: str, query: dict[str, str]) -> Any:
    url = f"{api}{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(  # noqa: S310 - the local stack on 127.0.0.1
        url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310
        return json.loads(reply.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The outcome report from the local stack.")
    parser.add_argument("--from", dest="start",
                        help="first month, YYYY-MM (eleven months before --to)")
    parser.add_argument("--to", dest="end", help="last month, YYYY-MM (this month)")
    parser.add_argument("--practice", help="one practice's ODS code (every practice)")
    args = parser.parse_args(argv)
    try:  # where `make run` says it runs ($WB_STACK_FILE): not whatever answers on a port
        args.api = tokens.running_stack().api_url
    except tokens.NoStack as error:
        print(error, file=sys.stderr)
        return 2
    token = tokens.token(tokens.stack_file(), Role.COMMISSIONER)
    query = {k: v for k, v in {"from": args.start, "to": args.end,
                               "practice": args.practice}.items() if v}
    try:
        report = fetch(args.api, "/reports/outcomes", token, query)
        fidelity = fetch(args.api, "/reports/ips-fidelity", token, query)
    except urllib.error.HTTPError as error:
        problem = json.loads(error.read() or b"{}")
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in problem.get("errors", []))
        print(f"{problem.get('detail', error.reason)} {fields}".strip(), file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Cannot reach the local stack at {args.api} ({error}): start it with `make run`",
              file=sys.stderr)
        return 1
    period = report["period"]
    print(f"Working Better outcomes, referrals made {period['from']} to {period['to']}"
          f"{' at ' + period['practice'] if period.get('practice') else ''}")
    print(report["suppression"], end="\n\n")
    for data in report["tables"]:
        print(text_table(Table.from_json(data)), end="\n\n")
    print("IPS fidelity from live data\n===========================")
    for item in fidelity["items"]:
        score = "-" if item["score"] is None else item["score"]
        evidence = "no data yet" if item["evidence"] is None else item["evidence"]
        print(f"{score:>2}  {item['item']}: {item['measure']}: {evidence}")
    print(f"\nNeeds a person's assessment: {len(fidelity['needs_a_person'])} items "
          "(see /reports/fidelity)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
