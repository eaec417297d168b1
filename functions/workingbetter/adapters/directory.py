"""The participating practices and the coaches, as the service manager or a seed file sets
them: each change conditional on what was read, so a change made meanwhile is never
overwritten (ConditionFailed instead)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    BATCH,
    Attr,
    ConditionFailed,
    Key,
    Tables,
    is_condition_failure,
    transact_update,
)
from workingbetter.adapters.item_codec import decode, encode
from workingbetter.adapters.update_expression import update as update_expression
from workingbetter.domain.records.directory import Coach, Practice

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import ConditionBase


def _as_read(was: Practice | Mapping[str, Any] | None) -> ConditionBase:
    """The item is absent (`was` None), or still holds these fields as they were read (a field
    read as empty may be absent: an item written before the field was)."""
    if was is None:
        return Attr("pk").not_exists()
    read = encode(was) if isinstance(was, Practice) else dict(was)
    condition: ConditionBase = Attr("pk").exists()
    for name, value in read.items():
        same = Attr(name).eq(value)
        unset = value in ("", []) or _PRACTICE_DEFAULTS.get(name) == value
        condition &= (same | Attr(name).not_exists()) if unset else same
    return condition


# A practice's fields as an item written before they were has them (absent): its status.
_PRACTICE_DEFAULTS = encode(Practice("", ""))
# What a seed file or the service manager sets of a coach (their caseload count and calendar
# link are the service's), and the record's defaults, which an older item may lack.
_COACH_OWNED = ("practice_ods", "weekday", "name", "sessions", "days_a_week")
_COACH_DEFAULTS = Coach("", "", 0)


def _coach_as_read(was: Coach | None) -> ConditionBase:
    """The coach is absent (`was` None), or still holds what was read of the fields a
    manager sets (a field read as its default may be absent: an item from before it was)."""
    if was is None:
        return Attr("pk").not_exists()
    condition: ConditionBase = Attr("pk").exists()
    for name in _COACH_OWNED:
        value = getattr(was, name)
        if value is None:
            condition &= Attr(name).not_exists()
            continue
        same = Attr(name).eq(encode(value))
        unset = value == getattr(_COACH_DEFAULTS, name) or value in ("", ())
        condition &= (same | Attr(name).not_exists()) if unset else same
    return condition


class Directory:
    """Practices and coaches."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def practices(self) -> list[Practice]:
        page = self.tables.table.query(KeyConditionExpression=Key("pk").eq(keys.PRACTICES))
        return [decode(Practice, i) for i in page["Items"]]

    def practice(self, practice_ods: str) -> Practice | None:
        found = self.tables.get(keys.practice(practice_ods))
        return None if found is None else decode(Practice, found)

    def coach(self, coach_id: str) -> Coach | None:
        found = self.tables.get(keys.coach(coach_id))
        return None if found is None else decode(Coach, found)

    def coaches(self, coach_ids: Sequence[str]) -> list[Coach]:
        """These coaches (one BatchGetItem per 100); ids with no coach are left out."""
        wanted = [keys.coach(c) for c in dict.fromkeys(coach_ids)]
        return [decode(Coach, item) for start in range(0, len(wanted), BATCH)
                for item in self.tables.batch_get(self.tables.table_name,
                                                  wanted[start:start + BATCH])]

    def put_practice(self, practice: Practice, was: Practice | None = None) -> None:
        """A participating practice (see `Practice`): sets the fields the seed file gives,
        and only those."""
        try:
            self.tables.table.update_item(Key=keys.practice(practice.practice_ods),
                                   ConditionExpression=_as_read(was),
                                   **update_expression(encode(practice)).arguments())
        except ClientError as error:
            if is_condition_failure(error):
                raise ConditionFailed(practice.practice_ods) from None
            raise

    def put_coach(self, coach: Coach, was: Coach | None = None,
                  practices: Sequence[tuple[Practice, Practice]] = ()) -> None:
        """A coach's name, sessions and days a week (the fields a seed file or the service
        manager gives), with each practice's list of its coaches' sessions (`practices`:
        (as read, as it becomes)), in one transaction, each conditional on what was read.
        A new coach's caseload is empty; an existing coach's count (the service's) and
        calendar link are never touched."""
        owned = {"coach_id": coach.coach_id,
                 **{name: encode(getattr(coach, name)) for name in _COACH_OWNED
                    if getattr(coach, name) is not None}}
        items: list[dict[str, Any]] = [
            transact_update(self.tables.table_name, keys.coach(coach.coach_id),
                             update_expression(owned, add={"active": 0}), _coach_as_read(was)),
            {"Put": {"TableName": self.tables.table_name,
                     "Item": keys.coach_listed(coach.coach_id)}}]
        items += [transact_update(self.tables.table_name, keys.practice(read.practice_ods),
                                   update_expression({"sessions": encode(becomes.sessions)}),
                                   _as_read({"sessions": encode(read.sessions)}))
                  for read, becomes in practices]
        try:
            self.tables.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if is_condition_failure(error):
                raise ConditionFailed(coach.coach_id) from None
            raise

    def coach_ids(self) -> list[str]:
        """Every coach in the coaches' list (those added before it was kept are in their
        practices' sessions)."""
        return [str(i["sk"]) for i in self.tables.pages(
            self.tables.table, KeyConditionExpression=Key("pk").eq(keys.COACHES))]
