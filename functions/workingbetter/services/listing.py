"""Lists of referrals, a page at a time: the query's parameters, the opaque cursor that carries
a page's edge to the next request, and one page read from one or more index partitions.

A list is newest first. A cursor names the edge of the page it came from (a created_at and a
referral id) and which way to read from it; it is signed, and bound to the list and the caller
it was made for, so one that was forged, altered or made for another list is refused (400).
Even so it could only move the start within the caller's own partitions: the partitions
always come from who is asking, never from the cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workingbetter.domain.disclosure import ACCEPTED
from workingbetter.domain.errors import BadRequest, FieldError
from workingbetter.domain.referral import Status

# Types only: the page's parsing (the init of every page module) needs no store.
if TYPE_CHECKING:
    from workingbetter.adapters.referral_lists import Listing
    from workingbetter.adapters.store import Store
    from workingbetter.domain.records.referral import Referral

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_ODS = re.compile(r"[A-Za-z0-9]{3,10}")
_MAC_BYTES = 16


@dataclass(frozen=True)
class ListRequest:
    limit: int = DEFAULT_LIMIT
    status: Status | None = None
    practice_ods: str | None = None
    cursor: str | None = None
    accepted: bool = False  # status=ACCEPTED: every status from a coach's place to the end

    @property
    def stage(self) -> str | None:
        """The status filter as it was asked for (ACCEPTED, a status, or None)."""
        return ACCEPTED if self.accepted else (str(self.status) if self.status else None)


def parse(params: Mapping[str, str]) -> ListRequest:
    """The list's query string; every bad value is named (400, nothing read)."""
    errors: list[FieldError] = []
    limit = DEFAULT_LIMIT
    raw = params.get("limit")
    if raw is not None:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
            limit = int(raw)
        else:
            errors.append(FieldError("limit", f"Give a whole number from 1 to {MAX_LIMIT}"))
    status, accepted = None, params.get("status") == ACCEPTED
    if params.get("status") and not accepted:
        try:
            status = Status(params["status"])
        except ValueError:
            errors.append(FieldError("status", "Give one of " + ", ".join([*Status, ACCEPTED])))
    practice = params.get("practice_ods") or None
    if practice is not None and not _ODS.fullmatch(practice):
        errors.append(FieldError("practice_ods", "Give a practice's ODS code, like F83001"))
    cursor = params.get("cursor") or None
    if errors:
        raise BadRequest("The list cannot be read as asked", errors)
    return ListRequest(limit, status, practice, cursor, accepted)


@dataclass(frozen=True)
class Edge:
    """One end of a page: read on from here, towards older referrals or back to newer."""

    at: str
    referral_id: str
    newer: bool = False

    @classmethod
    def of(cls, item: Referral, newer: bool) -> Edge:
        return cls(item.created_at, item.referral_id, newer)

    def beyond(self, item: Referral) -> bool:
        """Whether the item lies past this edge, in the direction it reads."""
        key = _order(item)
        return key > (self.at, self.referral_id) if self.newer \
            else key < (self.at, self.referral_id)


def _order(item: Referral) -> tuple[str, str]:
    return item.created_at, item.referral_id


def _refused() -> BadRequest:
    return BadRequest("The cursor is not one this list gave you", [FieldError(
        "cursor", "Use the cursor from the list's last answer, or leave it out to start again")])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Cursors:
    """Signs and checks cursors with a key of their own (derived from a service secret)."""

    key: bytes

    @classmethod
    def derived_from(cls, secret: str) -> Cursors:
        return cls(hmac.new(secret.encode(), b"referral-list-cursor", hashlib.sha256).digest())

    def _mac(self, body: bytes, bound_to: str) -> bytes:
        signed = bound_to.encode() + b"\n" + body
        return hmac.new(self.key, signed, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, edge: Edge, bound_to: str) -> str:
        body = json.dumps([edge.at, edge.referral_id, int(edge.newer)],
                          separators=(",", ":")).encode()
        return f"{_b64(body)}.{_b64(self._mac(body, bound_to))}"

    def decode(self, cursor: str, bound_to: str) -> Edge:
        try:
            body_text, mac_text = cursor.split(".")
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (ValueError, binascii.Error) as error:
            raise _refused() from error
        if not hmac.compare_digest(mac, self._mac(body, bound_to)):
            raise _refused()
        try:  # signed by us, so well formed; checked all the same
            at, referral_id, newer = json.loads(body)
        except (ValueError, TypeError) as error:
            raise _refused() from error
        if not (isinstance(at, str) and _INSTANT.fullmatch(at) and isinstance(referral_id, str)
                and newer in (0, 1)):
            raise _refused()
        return Edge(at, referral_id, bool(newer))


@dataclass(frozen=True)
class Page:
    """Raw items, newest first; `next` reads older ones, `previous` newer ones."""

    items: list[Referral]
    next: str | None = None
    previous: str | None = None


def read_page(store: Store, listings: Sequence[Listing], request: ListRequest,
              cursors: Cursors, bound_to: str, fields: Sequence[str] = ()) -> Page:
    """One page of the union of `listings` (one Query each), newest first; with `fields`,
    only those attributes of each referral."""
    edge = cursors.decode(request.cursor, bound_to) if request.cursor else None
    items, more = _merged(store, listings, edge, request.limit, fields)
    if edge is not None and edge.newer and not more:
        # Back at the start: the first page, full, rather than what is left of it.
        edge = None
        items, more = _merged(store, listings, edge, request.limit, fields)
    ahead = Edge.of(items[-1], newer=False) if items else None
    behind = Edge.of(items[0], newer=True) if items else None
    if behind is None and edge is not None:  # an empty page past the end: back from its edge
        behind = Edge(edge.at, edge.referral_id, newer=True)
    if edge is not None and edge.newer:
        return Page(items, _signed(cursors, ahead, bound_to), _signed(cursors, behind, bound_to))
    return Page(items, _signed(cursors, ahead if more else None, bound_to),
                _signed(cursors, behind if edge else None, bound_to))


def _signed(cursors: Cursors, edge: Edge | None, bound_to: str) -> str | None:
    return None if edge is None else cursors.encode(edge, bound_to)


def _merged(store: Store, listings: Sequence[Listing], edge: Edge | None,
            limit: int, fields: Sequence[str]) -> tuple[list[Referral], bool]:
    """The `limit` items past the edge across the listings, newest first, and whether more
    follow. Each listing is read from the edge's instant included (two more than needed, so
    the edge itself and a referral made in the same microsecond do not cut the page short)."""
    found: dict[str, Referral] = {}
    more = False
    for listing in listings:
        items, has_more = store.lists.page(listing, edge.at if edge else None,
                                             bool(edge and edge.newer), limit + 2, fields)
        more = more or has_more
        found.update((i.referral_id, i) for i in items
                     if edge is None or edge.beyond(i))
    ordered = sorted(found.values(), key=_order, reverse=not (edge and edge.newer))
    page = ordered[:limit]
    more = more or len(ordered) > limit
    return (page[::-1] if edge and edge.newer else page), more


def bound_to(*parts: Any) -> str:
    """What a cursor is for: the caller and the list's filters."""
    return "|".join("" if p is None else str(p) for p in parts)
