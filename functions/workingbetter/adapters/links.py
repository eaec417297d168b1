"""Links people follow without signing in: the patient's one-time link (single use, one live
per referral) and a coach's calendar feed link (one live per coach)."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    Attr,
    Tables,
    conditional,
)

if TYPE_CHECKING:
    pass


class Links:
    """Only hashes of the links are kept."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def set_withdraw_link(self, referral_id: str, token_hash: str) -> None:
        """One live link per referral: a newer message's link replaces the older one."""
        self.tables.table.put_item(Item={**keys.withdraw_link(referral_id),
                                         "token_hash": token_hash})

    def use_withdraw_link(self, referral_id: str, token_hash: str) -> bool:
        """Single use: the link is deleted as it is used; False if unknown, used or expired."""
        return conditional(lambda: self.tables.table.delete_item(
            Key=keys.withdraw_link(referral_id),
            ConditionExpression=Attr("token_hash").eq(token_hash)))

    def withdraw_link_is_live(self, referral_id: str, token_hash: str) -> bool:
        """Read only: showing the patient's page must not use the link up."""
        link = self.tables.get(keys.withdraw_link(referral_id))
        return link is not None and hmac.compare_digest(str(link["token_hash"]), token_hash)

    def drop_withdraw_link(self, referral_id: str) -> None:
        self.tables.table.delete_item(Key=keys.withdraw_link(referral_id))

    def new_calendar_link(self, coach_id: str, key_hash: str, old_hash: str | None) -> bool:
        """Give the coach a new calendar link and end the old one, in one transaction; False
        if another new link was made meanwhile (the coach's link is no longer `old_hash`)."""
        table = self.tables.table_name
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": table,
                     "Item": {**keys.calendar_link(key_hash), "coach_id": coach_id},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": table, "Key": keys.coach(coach_id),
                        "UpdateExpression": "SET calendar_key = :new",
                        "ConditionExpression": "attribute_exists(pk) AND ("
                        + ("calendar_key = :old" if old_hash else
                           "attribute_not_exists(calendar_key)") + ")",
                        "ExpressionAttributeValues": {
                            ":new": key_hash, **({":old": old_hash} if old_hash else {})}}}]
        if old_hash:
            items.append({"Delete": {"TableName": table, "Key": keys.calendar_link(old_hash)}})
        return conditional(lambda: self.tables.client.transact_write_items(TransactItems=items))

    def calendar_owner(self, key_hash: str) -> str | None:
        """The coach whose calendar link has this hash; None for no link (or an ended one)."""
        found = self.tables.get(keys.calendar_link(key_hash))
        return None if found is None else str(found["coach_id"])
