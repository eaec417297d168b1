"""The API events in template.yaml that are generated, each block between its two marker
comments: `python -m infra.step_events` rewrites them, and tests check the template agrees (as
`python -m statemachines.referral` does for the ASL).

- The human steps' answers, one POST each, from the steps' declaration
  (`functions/workingbetter/domain/human_steps.py`).
- An ANY method on every path the app routes, without the authoriser. API Gateway answers a
  method a path has no route for itself (403 Missing Authentication Token, which a gateway
  response turns into a 404); with ANY beside the routes it sends every other method it knows
  (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) to the app, which answers 405 with Allow
  from its routing table before any route runs, as the local server does. Methods API Gateway
  does not know at all (TRACE, PROPFIND...) it refuses itself, in a gateway response.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from infra.template import ROOT
from workingbetter.domain.human_steps import RECORDED

TEMPLATE = ROOT / "template.yaml"
INDENT = " " * 8  # an event of the API function's Events


@dataclass(frozen=True)
class Block:
    begin: str
    end: str
    events: Callable[[], str]

    def render(self, template: str) -> str:
        head, found, rest = template.partition(self.begin)
        _, ended, tail = rest.partition(self.end)
        if not (found and ended):
            raise ValueError(f"template.yaml has lost the marker comments of: {self.begin}")
        return head + self.begin + self.events() + self.end + tail


def events() -> str:
    """The human steps' answers."""
    return "".join(
        f"{INDENT}{step.api_event}:\n{INDENT}  Type: Api\n"
        f'{INDENT}  Properties: {{ RestApiId: !Ref Api, Path: "{step.answer.path}", '
        "Method: POST }\n"
        for step in RECORDED if step.answer is not None)


def other_method_event_name(path: str) -> str:
    """`/referrals/{referral_id}/notes` as OtherMethodsReferralsReferralIdNotes."""
    words = re.findall(r"[A-Za-z0-9]+", path)
    return "OtherMethods" + ("".join(w[:1].upper() + w[1:] for w in words) or "Home")


def other_method_events() -> str:
    """An ANY method on every path the app routes."""
    from workingbetter.handlers.api import app  # the routes (the app's init, nothing more)

    return "".join(
        f"{INDENT}{other_method_event_name(path)}:\n{INDENT}  Type: Api\n"
        f'{INDENT}  Properties: {{ RestApiId: !Ref Api, Path: "{path}", Method: ANY, '
        "Auth: { Authorizer: NONE } }\n"
        for path in sorted(app.routes))


BLOCKS = (
    Block(f"{INDENT}# Human steps: generated from their declaration by "
          "`python -m infra.step_events`\n",
          f"{INDENT}# (end of the generated human steps)\n", events),
    Block(f"{INDENT}# Any other method, for the app's 405: generated from its routes by "
          "`python -m infra.step_events`\n",
          f"{INDENT}# (end of the generated other methods)\n", other_method_events),
)


def render(template: str) -> str:
    """The template with its generated blocks as the declarations say."""
    for block in BLOCKS:
        template = block.render(template)
    return template


if __name__ == "__main__":
    text = TEMPLATE.read_text()
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if render(text) == text else "template.yaml's generated API events are out "
                 "of date: run python -m infra.step_events")
    TEMPLATE.write_text(render(text))
