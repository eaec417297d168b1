"""The GOV.UK Notify templates a deployment needs, from the service's own declaration
(domain/notification_kinds.BY_NOTIFY: the kinds of message Notify sends and their channels), so
the list a person follows cannot drift from what settings require at start-up.

    python -m infra.template_keys               # a table: key, channel, who, what it is for
    python -m infra.template_keys --json        # the NotifyTemplates parameter, ids to fill in
    python -m infra.template_keys --check FILE  # a filled-in one, checked as settings will

Each template holds the words and ((fields)) of notifications/messages.py; the deploy's
`NotifyTemplates` parameter (WB_NOTIFY_TEMPLATES in every function) is a JSON object of these
keys and the templates' ids from Notify.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from workingbetter.domain.notification_kinds import (
    BY_NOTIFY,
    FORMAT_TEMPLATE_KEYS,
    template_keys_problem,
)
from workingbetter.notifications.messages import PURPOSES, TEMPLATES, fields_of

PLACEHOLDER = "<the template's id in Notify>"
CHANNEL_WORDS = {"sms": "text message", "email": "email", "letter": "letter",
                 "letter_large_print": "letter, large print (optional)",
                 "letter_easy_read": "letter, easy read (optional)"}
AUDIENCE_WORDS = {"patient": "patient", "practice": "GP practice"}


@dataclass(frozen=True)
class TemplateKey:
    key: str
    channel: str
    to: str
    purpose: str
    subject: str
    fields: tuple[str, ...]


    @property
    def optional(self) -> bool:
        """A letter in a format a need asks for: without it the standard letter goes, and ops
        are told."""
        return self.key in FORMAT_TEMPLATE_KEYS


def template_keys() -> list[TemplateKey]:
    """Every template the deploy needs, one per kind of message and channel, and the optional
    large-print and easy-read letters, sorted by key."""
    formats = {key.partition(".")[2] for key in FORMAT_TEMPLATE_KEYS}
    return sorted((TemplateKey(f"{kind}.{channel}", CHANNEL_WORDS[channel],
                               AUDIENCE_WORDS[kind.audience], PURPOSES[kind],
                               TEMPLATES[kind].subject, tuple(sorted(fields_of(kind))))
                   for kind, channels in BY_NOTIFY.items()
                   for channel in (*channels, *(sorted(formats) if "letter" in channels else ()))),
                  key=lambda t: t.key)


def as_json() -> str:
    """The NotifyTemplates parameter's shape: each key, its value to be replaced by an id."""
    return json.dumps({t.key: PLACEHOLDER for t in template_keys()}, indent=2)


def table() -> str:
    keys = template_keys()
    rows = [("Key", "Channel", "To", "Fields", "What it is for"),
            *((t.key, t.channel, t.to, ", ".join(t.fields), t.purpose) for t in keys)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    widths[-1] = len(rows[0][-1])  # the last column is not padded
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([
        f"GOV.UK Notify templates this deployment needs: "
        f"{sum(not t.optional for t in keys)}, one per kind of message and channel, and "
        f"{sum(t.optional for t in keys)} optional letters in large print or easy read (for "
        "patients who need them; without one the standard letter goes and ops are told).", "",
        *lines, "",
        "The words of each, with its ((fields)): functions/workingbetter/notifications/"
        "messages.py. A letter's address lines are added by the service. Nothing about health.",
        "Deploy with NotifyTemplates set to a JSON object of these keys and the templates' ids "
        "(`--json` prints its shape; `--check FILE` checks a filled-in one).",
    ])


def check(given: Mapping[str, object]) -> list[str]:
    """What settings would refuse in a filled-in object: its keys, and ids that are not ids."""
    problems = [p for p in [template_keys_problem(given)] if p]
    problems += [f"{key}: {value!r} is not a Notify template id (a UUID)"
                 for key, value in sorted(given.items()) if not _is_uuid(value)]
    return problems


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The GOV.UK Notify templates a deployment "
                                                 "needs.")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true",
                       help="the NotifyTemplates parameter's JSON, with ids to fill in")
    shown.add_argument("--check", type=Path, metavar="FILE",
                       help="check a filled-in JSON object as the functions will at start-up")
    args = parser.parse_args(argv)
    if args.check:
        try:
            given = json.loads(args.check.read_text())
        except (OSError, ValueError) as error:
            print(f"{args.check}: cannot be read as JSON ({type(error).__name__})",
                  file=sys.stderr)
            return 2
        problems = check(given) if isinstance(given, dict) else ["give a JSON object"]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    print(as_json() if args.json else table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
