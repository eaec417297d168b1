"""A referral's item as the workflow table holds it: the record read back, the attributes a
change writes, the condition that it still holds what a writer read, the list keys and the
status counters it moves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import MISSING, fields
from typing import TYPE_CHECKING, Any

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import Attr, Item
from workingbetter.adapters.item_codec import decode, encode
from workingbetter.domain.records import field_names
from workingbetter.domain.records.referral import Referral, ReferralChange
from workingbetter.domain.referral import COUNTED_STALLED, Status

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import ConditionBase

BUCKETS = (*(str(s) for s in Status), COUNTED_STALLED)
NO_CHANGE = ReferralChange()


def referral_or_none(item: Item | None) -> Referral | None:
    return None if item is None else as_referral(item)


def as_referral(item: Item) -> Referral:
    """The referral an item holds; the waitlist it is on is its index key."""
    return decode(Referral, {**item, "waitlist": keys.waitlisted_at(item.get("waitlist_pk"))})



# A list's records always have these fields, however few it asks for.
_ALWAYS = tuple(f.name for f in fields(Referral) if f.default is MISSING)


def projection(fields: Iterable[str]) -> Item:
    """A Query's ProjectionExpression for `fields` of Referral (nothing when none are asked
    for: the whole item)."""
    wanted = list(dict.fromkeys(fields))
    if not wanted:
        return {}
    unknown = set(wanted) - field_names(Referral)
    if unknown:
        raise ValueError(f"not fields of a referral: {sorted(unknown)}")
    names = {f"#p{i}": name for i, name in enumerate(dict.fromkeys([*wanted, *_ALWAYS]))}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def listed(referral: Item) -> Item:
    return keys.listed(str(referral["practice_ods"]), str(referral["created_at"]),
                       str(referral["status"]))


def count_change(old: str | None, new: str | None, table_name: str) -> Item:
    """One counter item's part of a transaction: one referral out of `old` or into `new`."""
    bucket, step = (new, 1) if new else (old, -1)
    return {"Update": {"TableName": table_name, "Key": keys.counter(str(bucket)),
                       "UpdateExpression": "ADD n :step",
                       "ExpressionAttributeValues": {":step": step}}}


def attributes(change: ReferralChange) -> tuple[dict[str, Any], list[str]]:
    """A change as attributes to SET and to REMOVE; the sparse list keys follow what they
    index (the waitlist is its index key)."""
    sets: dict[str, Any] = {}
    removes: list[str] = []
    for name, value in change.given().items():
        if name == "waitlist":
            name, value = "waitlist_pk", None if value is None else keys.waitlist(value)
        if value is None:
            removes.append(name)
        else:
            sets[name] = encode(value)
    if "attention" in sets:
        sets["attention_pk"] = keys.ATTENTION
    if "attention" in removes:
        removes.append("attention_pk")
    if "status" in sets and Status(sets["status"]).terminal:
        removes.append("coach_live_pk")
    return sets, removes


def expected(only_if: ReferralChange) -> ConditionBase:
    """The condition that the referral holds these values (None: has no such field)."""
    condition: ConditionBase = Attr("pk").exists()
    for name, value in only_if.given().items():
        if name == "waitlist":
            name, value = "waitlist_pk", None if value is None else keys.waitlist(value)
        condition = condition & (
            Attr(name).not_exists() if value is None else Attr(name).eq(encode(value)))
    return condition
