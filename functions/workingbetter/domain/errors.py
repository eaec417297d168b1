"""Domain errors. Messages are written for the caller and never carry personal data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base class; the HTTP layer maps each subclass to a status in one place."""

    title = "Request failed"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @property
    def extensions(self) -> Mapping[str, Any]:
        """Members a problem+json answer carries beside its detail (RFC 9457 extensions)."""
        return {}


class InvalidInput(DomainError):
    title = "Your request has errors"


class BadRequest(DomainError):
    title = "The request cannot be read"


class TooLarge(DomainError):
    title = "The request is too large"


class MethodNotAllowed(DomainError):
    title = "Method not allowed"


class UnsupportedMediaType(DomainError):
    title = "Unsupported content type"


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict with the referral's current state"


class StaleEdit(Conflict):
    """An edit made from an older version: someone saved first, and nothing was saved. The
    record as it is now goes back to the caller (who may read it), so they can merge."""

    title = "Changed since you opened it"

    def __init__(self, detail: str, current: Mapping[str, Any]) -> None:
        super().__init__(detail)
        self.current = dict(current)

    @property
    def extensions(self) -> Mapping[str, Any]:
        return {"current": self.current}


class Unauthenticated(DomainError):
    title = "Sign in required"


class Forbidden(DomainError):
    title = "Not allowed"


class ReferralWithdrawn(Exception):
    """Raised by a workflow task that finds its referral withdrawn: its Catch ends the run."""


class TaskRefused(Exception):
    """A workflow task found the referral in a state where it must not act."""
