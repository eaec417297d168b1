"""The outbox in DynamoDB: one row per message, beside its referral, found by due time.

Rows waiting to go carry `due_pk = "SCHEDULED"` (a sparse index ordered by `due_at`), failed
ones `due_pk = "FAILED"`, and those Notify could not deliver `due_pk = "UNDELIVERED"` (the ops
console counts and lists them); sent and cancelled rows leave the index, but for a coach's
task, which stays under `due_pk = "TASK#<coach>"` while its referral is live (the coach's page
reads them with one Query). Sending claims a row with a conditional write and a lease, so two
overlapping triggers never send the same message twice.

A sent message's delivery receipt moves it on once, never back: sent, then temporary failure,
then delivered or permanent failure (both final). Each step is a conditional write on the
states it may follow, so a receipt repeated or arriving out of order changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import Attr, Item, Key, Tables, conditional
from workingbetter.adapters.item_codec import decode
from workingbetter.adapters.keys import FAILED, SCHEDULED, TASKS, UNDELIVERED, tasks
from workingbetter.adapters.update_expression import update as update_expression
from workingbetter.domain.channels import Channel, FailureReason, State
from workingbetter.domain.notification_kinds import Kind
from workingbetter.domain.records.outbox import OutboxRow

# The states a delivery receipt may move a row on from. SENDING too: a receipt can overtake
# the sender's own "sent" write.
RECEIPT_FOLLOWS: dict[State, tuple[State, ...]] = {
    State.TEMPORARY_FAILURE: (State.SENDING, State.SENT),
    State.DELIVERED: (State.SENDING, State.SENT, State.TEMPORARY_FAILURE),
    State.PERMANENT_FAILURE: (State.SENDING, State.SENT, State.TEMPORARY_FAILURE),
}
REFERENCE_SEPARATOR = "/"  # in no referral id (a UUID) and no notification id


@dataclass(frozen=True)
class Notice:
    referral_id: str
    kind: Kind
    channel: Channel
    due_at: str  # when the sender acts (UTC, ...Z)
    service_due: str  # the service-clock time it stands for: quiet hours are judged on this
    key: str = ""  # what makes it unique for its referral (an appointment time, a step)

    @property
    def notification_id(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else str(self.kind)


def reference(row: OutboxRow) -> str:
    """What Notify carries back in a receipt: the row's ids, nothing personal."""
    return f"{row.referral_id}{REFERENCE_SEPARATOR}{row.notification_id}"


def _row(item: Item) -> OutboxRow:
    """A row as stored; the ByDue partition it is in is its `queue`."""
    return decode(OutboxRow, {**item, "queue": item.get("due_pk")})


def _rows(page: Item) -> list[OutboxRow]:
    return [_row(i) for i in page["Items"]]


def parse_reference(text: str) -> tuple[str, str] | None:
    referral_id, separator, notification_id = text.partition(REFERENCE_SEPARATOR)
    return (referral_id, notification_id) if separator and referral_id and notification_id \
        else None


class Outbox:
    """The messages to send, sent and given up on, and the coaches' tasks: one item each,
    beside the referral."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def schedule(self, notice: Notice) -> bool:
        """Add a message unless the same one (same kind and key) was already scheduled."""
        return conditional(lambda: self.tables.table.put_item(
            Item={**keys.notification(notice.referral_id, notice.notification_id),
                  "notification_id": notice.notification_id,
                  "referral_id": notice.referral_id, "kind": str(notice.kind),
                  "channel": str(notice.channel), "state": str(State.SCHEDULED),
                  "due_at": notice.due_at, "service_due": notice.service_due,
                  "due_pk": SCHEDULED, "attempts": 0},
            ConditionExpression=Attr("pk").not_exists()))

    def due(self, now: str, limit: int = 100) -> list[OutboxRow]:
        return _rows(self.tables.table.query(
            IndexName="ByDue", Limit=limit,
            KeyConditionExpression=Key("due_pk").eq(SCHEDULED) & Key("due_at").lte(now)))

    def scheduled(self, limit: int) -> list[OutboxRow]:
        """Rows waiting to go, due or not, the soonest due first."""
        return _rows(self.tables.table.query(
            IndexName="ByDue", Limit=limit, KeyConditionExpression=Key("due_pk").eq(SCHEDULED)))

    def failed(self) -> list[OutboxRow]:
        return _rows(self.tables.table.query(IndexName="ByDue",
                                            KeyConditionExpression=Key("due_pk").eq(FAILED)))

    def tasks_for(self, coach_id: str, limit: int) -> list[OutboxRow]:
        """A coach's tasks (messages they give by hand, chasers), the latest first."""
        page = self.tables.table.query(
            IndexName="ByDue", Limit=limit, ScanIndexForward=False,
            KeyConditionExpression=Key("due_pk").eq(tasks(coach_id)))
        return _rows(page)

    def undelivered(self, limit: int) -> list[OutboxRow]:
        """Messages Notify could not deliver for good, the latest first."""
        page = self.tables.table.query(
            IndexName="ByDue", Limit=limit, ScanIndexForward=False,
            KeyConditionExpression=Key("due_pk").eq(UNDELIVERED))
        return _rows(page)

    def undelivered_count(self) -> int:
        """How many there are: a count of keys on the index, no item read."""
        return self._count(UNDELIVERED)

    def scheduled_count(self) -> int:
        """How many messages are waiting to go, due or not (the local stack says, on stopping,
        how many it loses)."""
        return self._count(SCHEDULED)

    def _count(self, queue: str) -> int:
        total, kwargs = 0, dict[str, Any]()
        while True:
            page = self.tables.table.query(
                IndexName="ByDue", Select="COUNT",
                KeyConditionExpression=Key("due_pk").eq(queue), **kwargs)
            total += int(page["Count"])
            if "LastEvaluatedKey" not in page:
                return total
            kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def row(self, referral_id: str, notification_id: str) -> OutboxRow | None:
        table = self.tables.table
        found = table.get_item(Key=keys.notification(referral_id, notification_id),
                                          ConsistentRead=True).get("Item")
        return _row(found) if found else None

    def for_referral(self, referral_id: str) -> list[OutboxRow]:
        pk, prefix = keys.notifications_of(referral_id)
        page = self.tables.table.query(
            KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with(prefix))
        return sorted(_rows(page), key=lambda r: r.due_at)

    def claim(self, row: OutboxRow, now: str, lease_until: str) -> bool:
        """Take a due row for sending; False if another trigger has it (or it was cancelled)."""
        condition = (Attr("state").eq(str(State.SCHEDULED)) & Attr("due_at").lte(now)) | (
            Attr("state").eq(str(State.SENDING)) & Attr("lease_until").lt(now))
        return self._change(row, {"state": str(State.SENDING), "lease_until": lease_until},
                            condition=condition)

    def sent(self, row: OutboxRow, at: str, task_for: str | None = None,
             provider_id: str | None = None) -> None:
        """Mark the row sent; a coach's task (`task_for` the coach) stays on their list.
        `provider_id`: Notify's id for the message (for the service desk)."""
        fields = {"state": str(State.SENT), "sent_at": at}
        if task_for:
            # A message that fell to the coach as it went (the patient chose a way with no
            # template for it since it was scheduled) is their task from now on.
            fields.update(due_pk=tasks(task_for), channel=str(Channel.COACH_TASK))
        if provider_id:
            fields["provider_id"] = provider_id
        self._change(row, fields, remove=[] if task_for else ["due_pk"],
                     condition=Attr("state").eq(str(State.SENDING)))

    def refused(self, row: OutboxRow, at: str) -> None:
        """Notify refused it for good when it was sent: undelivered, like a receipt saying so."""
        self._change(row, {"state": str(State.PERMANENT_FAILURE), "due_pk": UNDELIVERED,
                           "sent_at": at, "receipt_at": at},
                     condition=Attr("state").eq(str(State.SENDING)))

    def receipt(self, row: OutboxRow, state: State, at: str) -> bool:
        """A delivery receipt: True if it moved the row on, False if the row was already
        there or further (a repeat, or a receipt that arrived late)."""
        fields: dict[str, Any] = {"state": str(state), "receipt_at": at}
        remove = ["due_pk"]
        if state is State.PERMANENT_FAILURE:
            fields["due_pk"] = UNDELIVERED
            remove = []
        return self._change(row, fields, remove=remove,
                            condition=Attr("state").is_in(
                                [str(s) for s in RECEIPT_FOLLOWS[state]]))

    def retry_at(self, row: OutboxRow, due_at: str, service_due: str, attempts: int) -> None:
        self._change(row, {"state": str(State.SCHEDULED), "due_at": due_at,
                           "service_due": service_due, "attempts": attempts},
                     condition=Attr("state").eq(str(State.SENDING)))

    def give_up(self, row: OutboxRow, attempts: int, reason: FailureReason) -> None:
        self._change(row, {"state": str(State.FAILED), "due_pk": FAILED, "attempts": attempts,
                           "failure_reason": str(reason)},
                     condition=Attr("state").eq(str(State.SENDING)))

    def cancel(self, referral_id: str, kinds: Iterable[Kind] | None = None,
               keep: Iterable[Kind] = ()) -> int:
        """Cancel what has not gone yet (all kinds, or only `kinds`), except `keep`."""
        wanted = None if kinds is None else {str(k) for k in kinds}
        kept = {str(k) for k in keep}
        cancelled = 0
        for row in self.for_referral(referral_id):
            if kinds is None and (row.queue or "").startswith(TASKS):
                # The referral has ended: its coach's tasks leave their list.
                self._change(row, {"state": str(State.SENT)}, remove=["due_pk"],
                             condition=Attr("state").eq(str(State.SENT)))
            if row.state != State.SCHEDULED or row.kind in kept:
                continue
            if wanted is not None and row.kind not in wanted:
                continue
            cancelled += self._change(row, {"state": str(State.CANCELLED)}, remove=["due_pk"],
                                      condition=Attr("state").eq(str(State.SCHEDULED)))
        return cancelled

    def cancel_one(self, referral_id: str, notification_id: str) -> bool:
        """Cancel one message that has not gone yet (a follow-up called off)."""
        return self._change((referral_id, notification_id),
                            {"state": str(State.CANCELLED)}, remove=["due_pk"],
                            condition=Attr("state").eq(str(State.SCHEDULED)))

    def clear_tasks(self, referral_id: str, kinds: Iterable[Kind], key: str = "") -> int:
        """The step these coach's tasks were about is done: they leave the coach's list (all of
        `kinds` for the referral, or only those for `key`)."""
        wanted = {str(k) for k in kinds}
        cleared = 0
        for row in self.for_referral(referral_id):
            is_task = (row.queue or "").startswith(TASKS)
            if is_task and row.kind in wanted and (not key or row.about == key):
                cleared += self._change(row, {"state": str(State.SENT)}, remove=["due_pk"],
                                        condition=Attr("due_pk").eq(row.queue))
        return cleared

    def clear_task(self, referral_id: str, notification_id: str, coach_id: str) -> bool:
        """The coach marks one of their tasks done; False if it is not on their list."""
        return self._change((referral_id, notification_id),
                            {"state": str(State.SENT)}, remove=["due_pk"],
                            condition=Attr("due_pk").eq(tasks(coach_id)))

    def cancel_row(self, row: OutboxRow) -> None:
        self._change(row, {"state": str(State.CANCELLED)}, remove=["due_pk"],
                     condition=Attr("state").eq(str(State.SENDING)))

    def _change(self, row: OutboxRow | tuple[str, str], fields: dict[str, Any], *,
                condition: Any, remove: Iterable[str] = ()) -> bool:
        """One conditional write to a row (or to the row with these ids)."""
        ids = (row.referral_id, row.notification_id) if isinstance(row, OutboxRow) else row
        written = update_expression(fields, remove)
        return conditional(lambda: self.tables.table.update_item(
            Key=keys.notification(*ids),
            ConditionExpression=condition, **written.arguments()))


def public_view(row: OutboxRow) -> Item:
    """What ops may see of a message: never its words or its address."""
    return {"notification_id": row.notification_id, "referral_id": row.referral_id,
            "kind": row.kind, "channel": row.channel, "status": row.state,
            "due_at": row.due_at, "sent_at": row.sent_at, "receipt_at": row.receipt_at,
            "attempts": row.attempts, "failure_reason": row.failure_reason}
