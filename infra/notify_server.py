"""A small GOV.UK Notify for the local stack: the endpoints the official client calls, the same
JWT check, messages kept in memory, and delivery receipts posted back on a timer.

- `POST /v2/notifications/{sms,email,letter}`: checks the client's token (HS256, `iss` the
  service id, signed with the key's secret, issued within 30 s), the template (its id and
  type) and the fields it names, as Notify does; 201 with Notify's answer, 400 or 403 with
  Notify's error body. Texts go to UK mobiles only; a letter needs 3 to 7 address lines with
  a real postcode last.
- `GET /v2/notifications/{id}` and `GET /v2/notifications` (latest first).
- A receipt for each text and email, posted `receipt_after` seconds later to the callback URL
  with the bearer token (Notify sends none for letters). Its status comes from `outcome`:
  by default Notify's own test numbers and addresses (07700900002 or perm-fail@simulator.notify
  fail for good, 07700900003 or temp-fail@simulator.notify for now); everyone else's arrive.

Local only: the key, template ids and callback token here are not secrets.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from notifications_python_client import authentication
from notifications_python_client.errors import TokenError

from workingbetter.domain.notification_kinds import (
    FORMAT_TEMPLATE_KEYS,
    NOTIFY_TEMPLATE_KEYS,
    Kind,
)
from workingbetter.notifications.messages import TEMPLATES, fields_of, fill

SERVICE_ID = "4f6a3c1e-0b7d-4c55-9a57-1b2f1c0d7e11"
KEY_SECRET = "9e0f2b6d-51a4-4d8e-8a3c-2f6b7d1e0c99"  # noqa: S105 - local stack only
LOCAL_API_KEY = f"local_stack-{SERVICE_ID}-{KEY_SECRET}"
LOCAL_CALLBACK_TOKEN = "local-notify-callback-token"  # noqa: S105 - local stack only
_TEMPLATE_NAMESPACE = uuid.UUID("0d5f0c1a-6a0e-4bb4-8f5e-6f1c2d3b4a59")
_UK_MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)
log = logging.getLogger("local-notify")


def local_templates() -> dict[str, str]:
    """A fixed template id for each kind and channel ("appointment_reminder.sms": id), and for
    each letter in a format ("appointment_confirmation.letter_large_print")."""
    return {key: str(uuid.uuid5(_TEMPLATE_NAMESPACE, key))
            for key in sorted(NOTIFY_TEMPLATE_KEYS | FORMAT_TEMPLATE_KEYS)}


def local_settings(base_url: str) -> dict[str, str]:
    """The WB_* settings that point the service's Notify sender and callbacks at this server."""
    return {"WB_NOTIFY_BASE_URL": base_url, "WB_NOTIFY_API_KEY": LOCAL_API_KEY,
            "WB_NOTIFY_TEMPLATES": json.dumps(local_templates()),
            "WB_NOTIFY_CALLBACK_TOKEN": LOCAL_CALLBACK_TOKEN}


class Refused(Exception):
    """An error answer, in Notify's form."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"status_code": status, "errors": [{"error": error, "message": message}]}


@dataclass
class Sent:
    id: str
    type: str  # sms, email or letter
    template_id: str
    kind: str
    to: str
    subject: str
    body: str
    reference: str | None
    personalisation: dict[str, str]
    created_at: str
    status: str = "sending"
    completed_at: str | None = None
    receipts: list[int] = field(default_factory=list)  # the callback's HTTP status, each try

    def as_notify(self) -> dict[str, Any]:
        """As Notify's GET /v2/notifications/{id} answers."""
        lines = {f"line_{n}": self.personalisation.get(f"address_line_{n}") for n in range(1, 7)}
        return {
            "id": self.id, "reference": self.reference, "type": self.type,
            "status": self.status, "body": self.body, "subject": self.subject or None,
            "email_address": self.to if self.type == "email" else None,
            "phone_number": self.to if self.type == "sms" else None,
            **(lines if self.type == "letter" else {}),
            "postcode": self.to.rsplit(", ", 1)[-1] if self.type == "letter" else None,
            "template": {"id": self.template_id, "version": 1,
                         "uri": f"/v2/template/{self.template_id}"},
            "created_at": self.created_at, "sent_at": self.created_at,
            "completed_at": self.completed_at,
        }


def notify_outcome(sent: Sent) -> str:
    """Notify's test recipients: these fail, everyone else's messages arrive."""
    digits = "".join(ch for ch in sent.to if ch.isdigit())
    if digits.endswith("7700900002") or sent.to.startswith("perm-fail@"):
        return "permanent-failure"
    if digits.endswith("7700900003") or sent.to.startswith("temp-fail@"):
        return "temporary-failure"
    return "delivered"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LocalNotify:
    def __init__(self, callback_url: str, *, port: int = 0, receipt_after: float = 0.5,
                 outcome: Callable[[Sent], str] = notify_outcome,
                 callback_token: str = LOCAL_CALLBACK_TOKEN) -> None:
        self.callback_url = callback_url
        self.callback_token = callback_token
        self.receipt_after = receipt_after
        self.outcome = outcome
        self.templates = {template_id: key for key, template_id in local_templates().items()}
        self.messages: list[Sent] = []
        self._lock = threading.Lock()
        self._unposted: set[str] = set()  # the ids of messages whose receipt is still to post
        self._holding = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> LocalNotify:
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="local-notify").start()
        return self

    def hold_receipts(self) -> None:
        """Post no more receipts (the service is stopping and takes none)."""
        self._holding.set()

    def stop(self) -> int:
        """Stop answering; returns how many receipts were never posted."""
        self.hold_receipts()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            return len(self._unposted)

    def find(self, reference: str) -> list[Sent]:
        with self._lock:
            return [m for m in self.messages if m.reference == reference]

    def record_email(self, to: str, subject: str, body: str) -> None:
        """An email sent by something other than the service's Notify key (Cognito's
        invitations and codes, infra/cognito_mail.py), kept so /dev/messages lists it too.
        Delivered at once; no receipt is posted (the service sent nothing)."""
        with self._lock:
            self.messages.append(Sent(str(uuid.uuid4()), "email", "", "", to, subject, body,
                                      None, {}, _now(), "delivered"))

    # -- Notify's API ------------------------------------------------------------------------

    def send(self, kind_of: str, authorization: str | None, body: Any) -> Sent:
        self._authenticate(authorization)
        if not isinstance(body, dict):
            raise Refused(400, "ValidationError", "Request body must be a JSON object")
        key = self.templates.get(str(body.get("template_id")))
        # A letter's format is its own template ("kind.letter_large_print"), still a letter.
        if key is None or key.partition(".")[2].partition("_")[0] != kind_of:
            raise Refused(400, "BadRequestError", "Template not found")
        kind = Kind(key.partition(".")[0])
        personalisation = body.get("personalisation") or {}
        missing = sorted(fields_of(kind) - set(personalisation))
        if missing:
            raise Refused(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        to = self._recipient(kind_of, body, personalisation)
        values = {k: str(v) for k, v in personalisation.items()}
        subject = "" if kind_of == "sms" else fill(TEMPLATES[kind].subject, values)
        sent = Sent(str(uuid.uuid4()), kind_of, str(body["template_id"]), str(kind), to,
                    subject, fill(TEMPLATES[kind].body, values), body.get("reference"), values,
                    _now(), "accepted" if kind_of == "letter" else "sending")
        with self._lock:
            self.messages.append(sent)
            if kind_of != "letter":
                self._unposted.add(sent.id)
        if kind_of != "letter":  # Notify sends no delivery receipts for letters
            timer = threading.Timer(self.receipt_after, self._receipt, args=(sent,))
            timer.daemon = True
            timer.start()
        return sent

    def _authenticate(self, authorization: str | None) -> None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        try:
            # The client's own checks, as Notify makes them (the module is untyped).
            checks: Any = authentication
            if not token or checks.get_token_issuer(token) != SERVICE_ID:
                raise Refused(403, "AuthError", "Invalid token: service not found")
            checks.decode_jwt_token(token, KEY_SECRET)
        except TokenError as error:
            raise Refused(403, "AuthError", error.message) from None

    @staticmethod
    def _recipient(kind_of: str, body: dict[str, Any], personalisation: dict[str, Any]) -> str:
        if kind_of == "sms":
            number = str(body.get("phone_number", ""))
            if not _UK_MOBILE.match(re.sub(r"[\s()-]", "", number)):
                raise Refused(400, "ValidationError", "phone_number Not a UK mobile number")
            return number
        if kind_of == "email":
            address = str(body.get("email_address", ""))
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise Refused(400, "ValidationError", "email_address Not a valid email address")
            return address
        lines = [str(personalisation.get(f"address_line_{n}", "")).strip()
                 for n in range(1, 8)]
        lines = [line for line in lines if line]
        if len(lines) < 3:
            raise Refused(400, "ValidationError",
                          "personalisation address must be at least 3 lines")
        if not _POSTCODE.match(lines[-1]):
            raise Refused(400, "ValidationError", "Must be a real UK postcode")
        return ", ".join(lines)

    def _receipt(self, sent: Sent) -> None:
        """Post the receipt as Notify does; retried a few times if the service fails it."""
        sent.status = self.outcome(sent)
        sent.completed_at = _now()
        body = json.dumps({
            "id": sent.id, "reference": sent.reference, "to": sent.to, "status": sent.status,
            "created_at": sent.created_at, "completed_at": sent.completed_at,
            "sent_at": sent.created_at, "notification_type": sent.type,
            "template_id": sent.template_id, "template_version": 1}).encode()
        for _ in range(3):
            if self._holding.is_set():
                return
            request = urllib.request.Request(  # noqa: S310 - the local stack's own URL
                self.callback_url, data=body, method="POST",
                headers={"Content-Type": "application/json",
                         "Authorization": f"Bearer {self.callback_token}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    sent.receipts.append(answer.status)
                    with self._lock:
                        self._unposted.discard(sent.id)
                    return
            except urllib.error.HTTPError as error:
                sent.receipts.append(error.code)
            except OSError:
                sent.receipts.append(0)
            if self._holding.wait(self.receipt_after):
                return
        with self._lock:
            self._unposted.discard(sent.id)
        log.warning("the receipt for a %s was refused each time", sent.type)

    def listed(self, authorization: str | None) -> dict[str, Any]:
        self._authenticate(authorization)
        with self._lock:
            latest = list(reversed(self.messages))
        return {"notifications": [m.as_notify() for m in latest], "links": {}}

    def one(self, authorization: str | None, notification_id: str) -> dict[str, Any]:
        self._authenticate(authorization)
        with self._lock:
            found = [m for m in self.messages if m.id == notification_id]
        if not found:
            raise Refused(404, "NoResultFound", "No result found")
        return found[0].as_notify()

    # -- HTTP: each request answered as (status, Notify's JSON) ------------------------------

    def post(self, path: str, authorization: str | None, raw: bytes) -> tuple[int, Any]:
        kind_of = path.removeprefix("/v2/notifications/")
        try:
            if kind_of not in ("sms", "email", "letter"):
                raise Refused(404, "NotFound", "Not found")
            try:
                body = json.loads(raw or b"null")
            except json.JSONDecodeError:
                raise Refused(400, "ValidationError", "Invalid JSON") from None
            sent = self.send(kind_of, authorization, body)
        except Refused as refused:
            return refused.status, refused.body
        return 201, {
            "id": sent.id, "reference": sent.reference,
            "content": {"body": sent.body, "subject": sent.subject or None},
            "uri": f"{self.url}/v2/notifications/{sent.id}",
            "template": {"id": sent.template_id, "version": 1,
                         "uri": f"{self.url}/v2/template/{sent.template_id}"}}

    def get(self, path: str, authorization: str | None) -> tuple[int, Any]:
        path = path.split("?", 1)[0].rstrip("/")
        try:
            if path == "/v2/notifications":
                return 200, self.listed(authorization)
            if path.startswith("/v2/notifications/"):
                return 200, self.one(authorization, path.rsplit("/", 1)[-1])
            raise Refused(404, "NotFound", "Not found")
        except Refused as refused:
            return refused.status, refused.body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(*notify.post(self.path, self.headers.get("Authorization"),
                                          self.rfile.read(length)))

            def do_GET(self) -> None:
                self._answer(*notify.get(self.path, self.headers.get("Authorization")))

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the messages hold personal data: /dev/messages shows them, no log

        return Handler
