"""What managers did to people's accounts, practices and coaches, and when each person last
signed in, in the referrals table (staff records, never a patient's: ids, enums and times only).

- An audit entry per change, under the person's id (`PEOPLE_AUDIT#<sub>`), sorted by time: a
  put that cannot overwrite (a fresh sort key, conditional), so a change is recorded once.
- A person's last sign-in (`STAFF#<sub>`, `LAST_SIGN_IN`), moved only forward, written when
  they sign in at /login: Cognito keeps no last sign-in on the account (its auth events need
  threat protection's API, which moto lacks), and the app's own record reads the same
  deployed and locally, one BatchGetItem for a page of people.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from workingbetter.domain.auth import Role
from workingbetter.domain.coaches import CoachAuditEntry, CoachChange
from workingbetter.domain.people import AuditEntry, Change
from workingbetter.domain.practices import PracticeAuditEntry, PracticeChange

E = TypeVar("E")

_BATCH = 100  # BatchGetItem's most keys


def _audit_key(person_id: str) -> str:
    return f"PEOPLE_AUDIT#{person_id}"


def _sign_in_key(person_id: str) -> dict[str, str]:
    return {"pk": f"STAFF#{person_id}", "sk": "LAST_SIGN_IN"}


def _record_once(table: Any, pk: str, at: datetime, fields: dict[str, Any]) -> str:
    """An audit entry under `pk`, sorted by its time: a put that cannot overwrite (a fresh sort
    key, conditional), so a change is recorded once. Its sort key, to take it back."""
    sort_key = f"{at.isoformat()}#{uuid.uuid4().hex[:8]}"
    table.put_item(Item={"pk": pk, "sk": sort_key, **fields},
                   ConditionExpression="attribute_not_exists(pk)")
    return sort_key


def _latest_first(table: Any, pk: str) -> list[tuple[datetime, dict[str, Any]]]:
    """The entries under `pk` with their times, the latest first (a handful: one Query page)."""
    from boto3.dynamodb.conditions import Key

    items = table.query(KeyConditionExpression=Key("pk").eq(pk),
                        ScanIndexForward=False)["Items"]
    return [(datetime.fromisoformat(str(i["sk"]).rsplit("#", 1)[0]), i) for i in items]


class ManagerAudit(Generic[E]):
    """What managers did to one kind of record (`<prefix><its id>`): the change, who and when;
    ids, enums and times only. `entry` makes an entry of (id, at, change, by)."""

    def __init__(self, table: Any, prefix: str,
                 entry: Callable[[str, datetime, str, str], E]) -> None:
        self.table = table
        self.prefix = prefix
        self.entry = entry

    def record(self, subject: str, at: datetime, change: str, by: str) -> str:
        """The entry, written once; its sort key, to take it back if the change fails."""
        return _record_once(self.table, f"{self.prefix}{subject}", at,
                            {"change": change, "by": by})

    def take_back(self, subject: str, sort_key: str) -> None:
        self.table.delete_item(Key={"pk": f"{self.prefix}{subject}", "sk": sort_key})

    def entries(self, subject: str) -> list[E]:
        """The latest first."""
        return [self.entry(subject, at, str(i["change"]), str(i["by"]))
                for at, i in _latest_first(self.table, f"{self.prefix}{subject}")]


PracticeAudit = ManagerAudit[PracticeAuditEntry]
CoachAudit = ManagerAudit[CoachAuditEntry]


def practice_audit(table: Any) -> PracticeAudit:
    return ManagerAudit(table, "PRACTICE_AUDIT#", lambda ods, at, change, by:
                        PracticeAuditEntry(ods, at, PracticeChange(change), by))


def coach_audit(table: Any) -> CoachAudit:
    return ManagerAudit(table, "COACH_AUDIT#", lambda coach_id, at, change, by:
                        CoachAuditEntry(coach_id, at, CoachChange(change), by))


class PeopleAudit:
    def __init__(self, table: Any) -> None:
        self.table = table

    def record(self, entry: AuditEntry) -> str:
        """The entry, written once; its sort key, to take it back if the change fails."""
        item: dict[str, Any] = {"change": str(entry.change), "by": entry.by}
        if entry.role is not None:
            item["role"] = str(entry.role)
        if entry.scope:
            item["scope"] = entry.scope
        return _record_once(self.table, _audit_key(entry.person_id), entry.at, item)

    def take_back(self, person_id: str, sort_key: str) -> None:
        """The change it recorded did not happen (compensation)."""
        self.table.delete_item(Key={"pk": _audit_key(person_id), "sk": sort_key})

    def entries(self, person_id: str) -> list[AuditEntry]:
        """The person's audit, the latest first (a handful a person: one Query page)."""
        return [AuditEntry(person_id=person_id, at=at,
                           change=Change(str(i["change"])), by=str(i["by"]),
                           role=Role(str(i["role"])) if i.get("role") else None,
                           scope=str(i["scope"]) if i.get("scope") else None)
                for at, i in _latest_first(self.table, _audit_key(person_id))]

    def signed_in(self, person_id: str, at: int) -> None:
        from botocore.exceptions import ClientError

        try:
            self.table.update_item(
                Key=_sign_in_key(person_id), UpdateExpression="SET signed_in_at = :at",
                ConditionExpression="attribute_not_exists(signed_in_at) OR signed_in_at < :at",
                ExpressionAttributeValues={":at": at})
        except ClientError as error:  # a later sign-in is recorded already: it stands
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def last_sign_ins(self, person_ids: Iterable[str]) -> dict[str, datetime]:
        wanted = sorted(set(person_ids))
        found: dict[str, datetime] = {}
        for start in range(0, len(wanted), _BATCH):
            for item in self._batch_get([_sign_in_key(p) for p in wanted[start:start + _BATCH]]):
                person_id = str(item["pk"]).removeprefix("STAFF#")
                found[person_id] = datetime.fromtimestamp(int(item["signed_in_at"]), UTC)
        return found

    def _batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        """The items (the table's resource client speaks Python values), backing off before
        asking again for keys DynamoDB left unprocessed, as it asks."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {self.table.name: {"Keys": keys}}
        for attempt in range(8):
            answer = self.table.meta.client.batch_get_item(RequestItems=request)
            items += answer["Responses"].get(self.table.name, [])
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                return items
            time.sleep(0.05 * 2 ** attempt)
        raise RuntimeError("BatchGetItem left keys unprocessed after retries")
