"""Where messages leave the system: two small interfaces. `Sender` carries messages to people
(patients, practices) by text, email or letter: GOV.UK Notify (`notify.NotifySender`).
`Alerts` carries ops alerts, which name no patient: an Amazon SNS topic the team subscribes to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from workingbetter.domain.notification_kinds import Kind
from workingbetter.notifications.messages import render


class SendFailed(Exception):
    """The provider could not be reached or was busy; the message will be tried again."""


class SendRefused(SendFailed):
    """The provider refused this message for good (not a mobile number, no real postcode):
    trying again cannot help, so the patient's coach is asked to reach them another way."""


class NoTemplate(Exception):
    """The sender has no template for this kind and channel (its message names only those):
    no retry can help, so the message is given up on and ops are told."""


@dataclass(frozen=True)
class Message:
    """One message to a person: the template (kind, by the channel's method), the fields it
    names and nothing else, and a reference made of ids that brings its receipt back."""

    kind: Kind
    to: str  # a phone number or an email address; empty for a letter
    fields: dict[str, str]
    reference: str
    address: tuple[str, ...] = field(default=())  # a letter's lines, the postcode last
    letter_format: str | None = None  # a letter's own template: "large_print", "easy_read"

    @property
    def body(self) -> str:
        """The words as the template renders them (fakes and the local Notify show these)."""
        return render(self.kind, self.fields)[1]


class Sender(Protocol):
    """Each method returns the provider's id for the message."""

    def sms(self, message: Message) -> str: ...

    def email(self, message: Message) -> str: ...

    def letter(self, message: Message) -> str: ...


class Alerts(Protocol):
    def ops_alert(self, subject: str, body: str) -> str: ...


class TopicAlerts:
    """Ops alerts on the SNS topic (moto's locally)."""

    def __init__(self, topic_arn: str) -> None:
        self.topic_arn = topic_arn

    @cached_property  # built once per container, on the first alert
    def _sns(self) -> Any:
        import boto3

        return boto3.client("sns")

    def ops_alert(self, subject: str, body: str) -> str:
        try:
            return str(self._sns.publish(TopicArn=self.topic_arn, Subject=subject[:100],
                                         Message=body)["MessageId"])
        except (ClientError, BotoCoreError) as error:
            raise SendFailed(type(error).__name__) from error
