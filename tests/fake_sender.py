"""A sender (and ops alerts) that keeps what it was given (fakes over mocks), and can be told
to fail for a while, or to refuse for good, as Notify does."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from workingbetter.notifications.senders import Message, SendFailed, SendRefused


@dataclass
class FakeSender:
    sent: list[tuple[str, Message]] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # channels that fail every message
    refusing: set[str] = field(default_factory=set)  # channels that refuse every message
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _keep(self, channel: str, message: Message) -> str:
        if channel in self.refusing:
            raise SendRefused("not a UK mobile number")
        if channel in self.failing:
            raise SendFailed("the gateway said no")
        with self._lock:
            self.sent.append((channel, message))
            return f"fake-{len(self.sent)}"

    def sms(self, message: Message) -> str:
        return self._keep("sms", message)

    def email(self, message: Message) -> str:
        return self._keep("email", message)

    def letter(self, message: Message) -> str:
        return self._keep("letter", message)

    def ops_alert(self, subject: str, body: str) -> str:
        if "ops_alert" in self.failing:
            raise SendFailed("the topic said no")
        with self._lock:
            self.alerts.append((subject, body))
            return f"alert-{len(self.alerts)}"

    def bodies(self, channel: str) -> list[str]:
        return [m.body for c, m in self.sent if c == channel]
