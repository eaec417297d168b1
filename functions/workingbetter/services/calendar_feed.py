"""A coach's diary in their own calendar app: an iCalendar feed behind a secret link.

A calendar app cannot sign in, so the link is the key: an unguessable secret, of which only the
SHA-256 is stored (a leaked table gives no working link). Making a new link ends the old one
in the same transaction. The feed carries references, times and places, never anything
personal, and each read of it is audited like a page that names referrals.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime, timedelta

from workingbetter.adapters.store import Store
from workingbetter.domain import diary, ical, slots
from workingbetter.domain.auth import Principal, Role
from workingbetter.domain.errors import Conflict, NotFound
from workingbetter.domain.records.directory import Coach, Practice
from workingbetter.services.follow_ups import Entry, FollowUps

FEED_PATH = "/calendar/"  # + the secret: the address a calendar app subscribes to
SHOWN_BEFORE = timedelta(weeks=4)  # the feed's past, so last month's appointments stay put
SHOWN_AHEAD = diary.BOOK_AHEAD  # as far as anything can be booked
APPOINTMENT = timedelta(hours=1)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{40,60}$")
MODE_PLACES = {"phone": "By phone", "video": "By video"}


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeeds:
    def __init__(self, store: Store, follow_ups: FollowUps) -> None:
        self.store = store
        self.follow_ups = follow_ups

    def new_link(self, principal: Principal) -> str:
        """A new secret for the coach's calendar link (the old link stops working)."""
        principal.require(Role.COACH)
        coach = self.store.directory.coach(str(principal.coach_id))
        if coach is None:
            raise NotFound("No coach record for you: ask the service manager")
        secret = secrets.token_urlsafe(32)
        if not self.store.links.new_calendar_link(coach.coach_id, key_hash(secret),
                                            coach.calendar_key):
            raise Conflict("A new link was made at the same moment: make a new link again")
        return secret

    def feed(self, secret: str, now: datetime | None = None) -> str:
        """The coach's calendar (NotFound for a secret that is no link, or an ended one)."""
        coach_id = self.store.links.calendar_owner(key_hash(secret)) \
            if _SECRET.match(secret) else None
        coach = self.store.directory.coach(coach_id) if coach_id else None
        if coach is None or coach.calendar_key != key_hash(secret):
            raise NotFound("No calendar at this link: the coach may have made a new one")
        now = now or datetime.now(UTC)
        start = diary.monday_of((now - SHOWN_BEFORE).astimezone(slots.UK).date())
        end = (now + SHOWN_AHEAD).astimezone(slots.UK).date()
        entries, _ = self.follow_ups.between(coach.coach_id, diary.week_bounds(start)[0],
                                             diary.week_bounds(diary.monday_of(end))[1])
        ids = list(dict.fromkeys(e.referral_id for e in entries))
        if ids:
            self.store.audit.page(ids, coach.practice_ods, f"coach:{coach.coach_id}",
                                  "GET /calendar/{secret}")
        places = {p.practice_ods: p for p in self.store.directory.practices()}
        place = places.get(coach.practice_ods)
        events = _sessions(coach, places, start, end)
        references = self.store.lists.references(ids)
        events += [_appointment(e, references.get(e.referral_id), place) for e in entries]
        events.sort(key=lambda e: e.start)
        return ical.calendar("Working Better diary", events, now)


def _where(place: Practice | None) -> str:
    if place is None:
        return ""
    return f"{place.name}, {place.address}" if place.address else place.name


def _sessions(coach: Coach, places: dict[str, Practice], start: date,
              end: date) -> list[ical.Event]:
    """Each surgery session as an event from its start to its end (none on a bank holiday)."""
    sessions = coach.surgery_sessions
    found = []
    for day in slots.session_days((s.weekday for s in sessions), start):
        if day > end:
            break
        for session in sorted((s for s in sessions if s.weekday == day.weekday()),
                              key=lambda s: s.start):
            first = datetime.combine(day, slots.clock(session.start), tzinfo=slots.UK)
            ends = datetime.combine(day, slots.clock(session.end), tzinfo=slots.UK)
            uid = f"session-{coach.coach_id}-{day:%Y%m%d}-{session.start.replace(':', '')}"
            found.append(ical.Event(uid, first, ends, "Surgery session",
                                    _where(places.get(session.practice_ods))))
    return found


def _appointment(entry: Entry, reference: str | None, place: Practice | None) -> ical.Event:
    begins = slots.parse_iso(entry.start)
    how = MODE_PLACES.get(entry.mode)
    kind = "First appointment" if entry.first else \
        f"Follow-up {how.lower() if how else 'in surgery'}"
    outcome = f" ({entry.outcome.replace('_', ' ')})" if entry.outcome else ""
    return ical.Event(f"appointment-{entry.referral_id}-{diary.follow_up_id(entry.start)}",
                      begins, begins + APPOINTMENT,
                      f"{kind}: {reference or 'a referral'}{outcome}", how or _where(place))
