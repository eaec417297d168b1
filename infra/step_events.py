"""The API events that route the human steps' answers, in template.yaml, generated from the
steps' declaration (`functions/workingbetter/domain/human_steps.py`): `python -m
infra.step_events` rewrites the block between its two marker comments, and a test checks that
the template agrees (as `python -m statemachines.referral` does for the ASL)."""

from __future__ import annotations

import sys

from infra.template import ROOT
from workingbetter.domain.human_steps import RECORDED

TEMPLATE = ROOT / "template.yaml"
INDENT = " " * 8  # an event of the API function's Events
BEGIN = (f"{INDENT}# Human steps: generated from their declaration by "
         "`python -m infra.step_events`\n")
END = f"{INDENT}# (end of the generated human steps)\n"


def events() -> str:
    return "".join(
        f"{INDENT}{step.api_event}:\n{INDENT}  Type: Api\n"
        f'{INDENT}  Properties: {{ RestApiId: !Ref Api, Path: "{step.answer.path}", '
        "Method: POST }\n"
        for step in RECORDED if step.answer is not None)


def render(template: str) -> str:
    """The template with its generated block as the declaration says."""
    head, found, rest = template.partition(BEGIN)
    _, ended, tail = rest.partition(END)
    if not (found and ended):
        raise ValueError("template.yaml has lost the human steps' marker comments")
    return head + BEGIN + events() + END + tail


if __name__ == "__main__":
    text = TEMPLATE.read_text()
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if render(text) == text else "template.yaml's human-step events are out of "
                 "date: run python -m infra.step_events")
    TEMPLATE.write_text(render(text))
