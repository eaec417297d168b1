"""docs/message-kinds.md, written from the one declaration of each message kind
(domain/notification_kinds.KINDS), so the table a reader trusts cannot drift from the code:

    python -m infra.message_kinds          # rewrite docs/message-kinds.md
    python -m infra.message_kinds --check  # exit 1 if it is out of date (tests do this too)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from infra.template_keys import template_keys
from workingbetter.domain.channels import NOTIFY_TYPE
from workingbetter.domain.notification_kinds import KINDS, Kind

DOC = Path(__file__).resolve().parents[1] / "docs" / "message-kinds.md"
HEAD = """# Message kinds

Every kind of message the service sends, as `functions/workingbetter/domain/notification_kinds.py`
declares it. This page is written from that declaration by `python -m infra.message_kinds`
(a test fails when it is out of date): change the declaration, not this page.

- **By Notify**: the GOV.UK Notify message types it has a template for (one template each:
  `python -m infra.template_keys` lists the keys a deployment fills in). A patient's message
  with no template for the way they chose becomes their coach's task.
- **Coach's task**: the words on the coach's list when it falls to them.
- **After the end**: still sent once the referral has ended.

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "-"


def row(kind: Kind) -> str:
    declared = KINDS[kind]
    notify = ", ".join(dict.fromkeys(NOTIFY_TYPE[c] for c in declared.notify))
    subject = declared.words.subject if declared.words else ""
    cells = (f"`{kind}`", declared.audience.value, declared.due.value, notify, subject,
             declared.task, "yes" if declared.after_the_end else "")
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


TEMPLATES_HEAD = """
## Notify templates

Every GOV.UK Notify template a deployment needs, one per kind of message and channel (its
`NotifyTemplates` parameter: `python -m infra.template_keys --json`); a letter's large-print
and easy-read templates are optional. Each holds its kind's words and `((fields))`, and only
the fields it names.

| key | channel | to | fields | what it is for |
|---|---|---|---|---|
"""


def templates() -> str:
    return "\n".join(
        "| " + " | ".join((f"`{t.key}`", t.channel, t.to,
                          ", ".join(f"`{f}`" for f in t.fields), _cell(t.purpose))) + " |"
        for t in template_keys())


def document() -> str:
    header = ("| Kind | To | Due | By Notify | Subject | Coach's task | After the end |\n"
              "|---|---|---|---|---|---|---|\n")
    return (HEAD + header + "\n".join(row(k) for k in Kind) + "\n" + TEMPLATES_HEAD
            + templates() + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        current = DOC.read_text() if DOC.exists() else ""
        if current != document():
            print(f"{DOC} is out of date: run python -m infra.message_kinds", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(document())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
