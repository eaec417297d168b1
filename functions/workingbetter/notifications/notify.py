"""GOV.UK Notify behind the `Sender` interface, with its official client
(notifications-python-client). Notify holds the words (one template per kind and channel, ids
in settings); the service sends a template id, the fields it names and a reference of ids.

Locally the same client talks to infra/notify_server.py.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from workingbetter.notifications.senders import Message, NoTemplate, SendFailed, SendRefused

TIMEOUT_SECONDS = 10
# Notify's own limit on a letter's address: 3 to 7 lines, the postcode last.
ADDRESS_LINES = 7


def address_fields(lines: tuple[str, ...]) -> dict[str, str]:
    return {f"address_line_{n}": line for n, line in enumerate(lines[:ADDRESS_LINES], 1)}


def _letter(message: Message) -> str:
    """The letter template's channel key: "letter", or its format's ("letter_large_print")."""
    return f"letter_{message.letter_format}" if message.letter_format else "letter"


class NotifySender:
    """Thread-safe: the client keeps one HTTP session and is not, so each thread has its own."""

    def __init__(self, api_key: str, base_url: str, templates: Mapping[str, str]) -> None:
        self._api_key = api_key
        self.base_url = base_url
        self.templates = dict(templates)
        self._local = threading.local()

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            # Imported here: only the notifications function (and the local /dev/messages page)
            # loads requests and the client.
            from notifications_python_client import notifications

            api: Any = notifications  # the client is untyped
            client = api.NotificationsAPIClient(self._api_key, base_url=self.base_url,
                                                timeout=TIMEOUT_SECONDS)
            self._local.client = client
        return client

    def _template(self, message: Message, channel: str) -> str:
        key = f"{message.kind}.{channel}"
        if key not in self.templates:
            raise NoTemplate(key)
        return self.templates[key]

    def sms(self, message: Message) -> str:
        return self._send(lambda c: c.send_sms_notification(
            phone_number=message.to, template_id=self._template(message, "sms"),
            personalisation=message.fields, reference=message.reference))

    def email(self, message: Message) -> str:
        return self._send(lambda c: c.send_email_notification(
            email_address=message.to, template_id=self._template(message, "email"),
            personalisation=message.fields, reference=message.reference))

    def letter(self, message: Message) -> str:
        return self._send(lambda c: c.send_letter_notification(
            template_id=self._template(message, _letter(message)),
            personalisation={**address_fields(message.address), **message.fields},
            reference=message.reference))

    def recent(self) -> list[dict[str, Any]]:
        """The latest messages Notify holds for this key (the local /dev/messages page)."""
        found = self._client().get_all_notifications()
        return list(found.get("notifications", []))

    def _send(self, call: Any) -> str:
        from notifications_python_client.errors import APIError

        try:
            return str(call(self._client())["id"])
        except APIError as error:
            # 400: this message can never go (not a mobile number, not a real postcode).
            # Anything else (403 a key being rotated, 429, 5xx, no answer) may pass later.
            # The error's words can repeat the recipient: only its status is kept.
            if error.status_code == 400:
                raise SendRefused(f"Notify answered {error.status_code}") from None
            raise SendFailed(f"Notify answered {error.status_code}") from None
