"""Where messages leave the system: one small interface, Amazon SES and SNS behind it (moto's
locally). A GOV.UK Notify sender would be a second implementation of `Sender`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError


class SendFailed(Exception):
    """The provider refused or could not be reached; the message will be tried again."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Sender(Protocol):
    def sms(self, message: Message) -> str: ...

    def email(self, message: Message) -> str: ...

    def ops_alert(self, message: Message) -> str: ...


def e164(phone: str) -> str:
    """UK numbers as typed (07700 900982, +44 7700 900982) in the form SMS gateways want."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return f"+{digits}"
    if digits.startswith("44"):
        return f"+{digits}"
    return f"+44{digits.removeprefix('0')}"


class AwsSender:
    def __init__(self, from_address: str, ops_topic_arn: str) -> None:
        self.from_address = from_address
        self.ops_topic_arn = ops_topic_arn

    # Built once per sender (one per container), on the first message that needs them.
    @cached_property
    def _sns(self) -> Any:
        import boto3

        return boto3.client("sns")

    @cached_property
    def _ses(self) -> Any:
        import boto3

        return boto3.client("ses")

    def sms(self, message: Message) -> str:
        return self._call(lambda: self._sns.publish(
            PhoneNumber=e164(message.to), Message=message.body)["MessageId"])

    def email(self, message: Message) -> str:
        return self._call(lambda: self._ses.send_email(
            Source=self.from_address, Destination={"ToAddresses": [message.to]},
            Message={"Subject": {"Data": message.subject},
                     "Body": {"Text": {"Data": message.body}}})["MessageId"])

    def ops_alert(self, message: Message) -> str:
        return self._call(lambda: self._sns.publish(
            TopicArn=self.ops_topic_arn, Subject=message.subject[:100],
            Message=message.body)["MessageId"])

    @staticmethod
    def _call(send: Callable[[], str]) -> str:
        try:
            return str(send())
        except (ClientError, BotoCoreError) as error:
            raise SendFailed(type(error).__name__) from error
