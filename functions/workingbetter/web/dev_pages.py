"""/dev/messages: on the local stack only, what its stand-in GOV.UK Notify was asked to send
(texts, emails, letters), so that a patient's link can be followed from a browser; and what is
waiting to go, with when it goes (a text booked at night waits for 08:00, and the sender runs
every few minutes: "nothing yet" must not read as "nothing will go").

It shows personal data (addresses and words), so it exists only where the local stack sets
WB_DEV_MESSAGES (refused inside AWS Lambda): anywhere else it is not found. Its list comes from
Notify's own API, through the same client and key the sender uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalice.app import Response

from workingbetter import wiring
from workingbetter.domain.errors import NotFound
from workingbetter.web.http import html, page
from workingbetter.web.registry import blueprint

_LINK = re.compile(r"(https?://\S+)")
CHANNELS = {"sms": "Text message", "email": "Email", "letter": "Letter"}
# A letter's own template for a format a patient needs ("kind.letter_large_print").
FORMATS = {"letter_large_print": "Letter, large print", "letter_easy_read": "Letter, easy read"}


@dataclass(frozen=True)
class Shown:
    to: str
    channel: str
    kind: str
    at: datetime
    status: str
    parts: list[tuple[str, bool]]  # the body as text and links (True: a link)


def body_parts(body: str) -> list[tuple[str, bool]]:
    """The words with each web address marked, so the page can make it a link."""
    return [(part, bool(_LINK.fullmatch(part))) for part in _LINK.split(body) if part]


def shown(message: dict[str, Any], kinds: dict[str, str]) -> Shown:
    lines = [message.get(f"line_{n}") for n in range(1, 7)]
    to = message.get("phone_number") or message.get("email_address") or \
        ", ".join(str(line) for line in (*lines, message.get("postcode")) if line)
    key = kinds.get(str((message.get("template") or {}).get("id")), "")
    channel = FORMATS.get(key.partition(".")[2]) or CHANNELS.get(str(message.get("type")),
                                                                   "Unknown")
    return Shown(to=str(to), channel=channel,
                 # Cognito's emails (local: infra/cognito_mail.py) have no template: a subject.
                 kind=key.partition(".")[0] or str(message.get("subject") or ""),
                 at=datetime.fromisoformat(str(message["created_at"]).replace("Z", "+00:00")),
                 status=str(message.get("status", "")),
                 parts=body_parts(str(message.get("body", ""))))


@blueprint.route("/dev/messages", methods=["GET"])
@page
def messages() -> Response:
    settings = wiring.settings()
    if not settings.dev_messages:
        raise NotFound("No such page")
    from workingbetter.notifications.notify import NotifySender

    templates = settings.template_ids()
    notify = NotifySender(settings.secret("notify_api_key"), settings.notify_base_url,
                          templates)
    kinds = {template_id: key for key, template_id in templates.items()}
    listed = [shown(m, kinds) for m in notify.recent()]
    return html("dev_messages.html", title="Messages (local)", messages=listed,
                waiting=wiring.services().messages.waiting_to_go(), channels=CHANNELS)
