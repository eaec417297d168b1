"""The lists of referrals: index partitions paged by when they were made (`Listing`), a
patient's referrals at a practice, the waitlist, and ops' counts by status (counter items)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    BATCH,
    Attr,
    Key,
    Tables,
)
from workingbetter.adapters.referral_codec import (
    BUCKETS,
    as_referral,
    projection,
)
from workingbetter.domain.records.referral import Referral
from workingbetter.domain.referral import (
    Status,
)

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import ConditionBase


_AFTER_EVERY = "\uffff"  # sorts after any created_at under a range-key prefix


@dataclass(frozen=True)
class Listing:
    """One index partition of referrals, ordered by when they were made.

    The range key is `prefix` + created_at: the prefix (a practice or a coach, and "#") keeps a
    status partition's referrals of one practice or coach together.
    """

    index: str
    key: str
    value: str
    range: str = "created_at"
    prefix: str = ""

    @classmethod
    def everyone(cls, status: Status | None = None) -> Listing:
        return cls("ByStatus", "status", str(status)) if status else \
            cls("Latest", "ops_pk", keys.LATEST)

    @classmethod
    def practice(cls, practice_ods: str, status: Status | None = None) -> Listing:
        if status:
            return cls("ByPracticeStatus", "status", str(status), "practice_created",
                       f"{practice_ods}#")
        return cls("ByPractice", "practice_pk", keys.practice_partition(practice_ods))

    @classmethod
    def coach(cls, coach_id: str, status: Status | None = None) -> Listing:
        if status:
            return cls("ByCoachStatus", "status", str(status), "coach_created", f"{coach_id}#")
        return cls("ByCoach", "coach_pk", keys.coach_partition(coach_id))

    @classmethod
    def attention(cls) -> Listing:
        """Referrals flagged for ops (a sparse index: only while flagged)."""
        return cls("ByAttention", "attention_pk", keys.ATTENTION)

    @classmethod
    def caseload(cls, coach_id: str) -> Listing:
        """The coach's referrals while they are live."""
        return cls("ByCoachLive", "coach_live_pk", keys.coach_partition(coach_id))

    def condition(self, boundary: str | None, newer: bool) -> ConditionBase:
        """The partition, from `boundary` (a created_at, included) on, in the reading order."""
        condition: ConditionBase = Key(self.key).eq(self.value)
        if boundary is None:
            return condition & Key(self.range).begins_with(self.prefix) if self.prefix \
                else condition
        edge = Key(self.range)
        if not self.prefix:  # (a key may not be empty, so no open-ended BETWEEN)
            return condition & (edge.gte(boundary) if newer else edge.lte(boundary))
        return condition & (edge.between(self.prefix + boundary, self.prefix + _AFTER_EVERY)
                            if newer else edge.between(self.prefix, self.prefix + boundary))


class ReferralLists:
    """Reads over many referrals; none reads every referral."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _query_all(self, index: str, key: str, value: str) -> list[Referral]:
        return [as_referral(i) for i in self.tables.pages(
            self.tables.table, IndexName=index, KeyConditionExpression=Key(key).eq(value),
            ScanIndexForward=False)]

    def for_practice(self, practice_ods: str) -> list[Referral]:
        return self._query_all("ByPractice", "practice_pk", keys.practice_partition(practice_ods))

    def for_patient(self, practice_ods: str, patient_key: str,
                    fields: Iterable[str] = ()) -> list[Referral]:
        """A practice's referrals for one patient (by the keyed hash of their NHS number),
        newest first: one Query on ByPatient, which holds only that patient's referrals."""
        page = self.tables.table.query(
            IndexName="ByPatient", ScanIndexForward=False,
            KeyConditionExpression=Key("patient_key").eq(patient_key),
            FilterExpression=Attr("practice_ods").eq(practice_ods),
            **projection(fields))
        return [as_referral(i) for i in page["Items"]]

    def born_on(self, birth_key: str,
                fields: Iterable[str] = ()) -> list[Referral]:
        """A practice's referrals of patients born on one day (by the keyed hash of the
        practice and the day), newest first: one Query on ByBirthDate, sparse like ByPatient."""
        return [as_referral(i) for i in self.tables.pages(
            self.tables.table, IndexName="ByBirthDate", ScanIndexForward=False,
            KeyConditionExpression=Key("birth_key").eq(birth_key), **projection(fields))]

    def for_coach(self, coach_id: str) -> list[Referral]:
        return self._query_all("ByCoach", "coach_pk", keys.coach_partition(coach_id))

    def page(self, listing: Listing, boundary: str | None, newer: bool,
             count: int, fields: Iterable[str] = ()) -> tuple[list[Referral], bool]:
        """Up to `count` referrals of the listing from `boundary` (a created_at, included) on:
        newest first, or oldest first when reading back towards newer ones. Also whether more
        follow. One Query, unless DynamoDB's 1 MB page cuts it short. With `fields`, only
        those attributes come back (a list rarely needs the timeline, the bulk of an item)."""
        items: list[Referral] = []
        kwargs: dict[str, Any] = {"IndexName": listing.index, "ScanIndexForward": newer,
                                  "KeyConditionExpression": listing.condition(boundary, newer),
                                  **projection(fields)}
        while True:
            page = self.tables.table.query(**kwargs, Limit=count - len(items) + 1)
            items += [as_referral(i) for i in page["Items"]]
            if len(items) > count:
                return items[:count], True
            if "LastEvaluatedKey" not in page:
                return items, False
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def made(self, listing: Listing, start: str, end: str,
             fields: Iterable[str]) -> Iterator[Referral]:
        """Every referral of the listing made from `start` up to `end` (created_at strings,
        end excluded), oldest first: one Query paged by DynamoDB, projected to `fields`."""
        kwargs: dict[str, Any] = {
            "IndexName": listing.index, "ScanIndexForward": True,
            "KeyConditionExpression": Key(listing.key).eq(listing.value)
            & Key(listing.range).between(listing.prefix + start, listing.prefix + end),
            **projection(fields)}
        while True:
            page = self.tables.table.query(**kwargs)
            for item in page["Items"]:
                if str(item["created_at"]) < end:
                    yield as_referral(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def flagged(self, count: int, fields: Iterable[str] = ()) -> tuple[list[Referral], bool]:
        """Referrals flagged for ops (newest first), and whether there are more."""
        return self.page(Listing.attention(), None, False, count, fields)

    def status_counts(self) -> dict[str, int]:
        """Referrals in each row of ops's status table: the counter items, one read."""
        counters = [keys.counter(bucket) for bucket in BUCKETS]
        counted = {str(i["sk"]): int(i.get("n", 0))
                   for i in self.tables.batch_get(self.tables.table_name, counters)}
        return {bucket: counted.get(bucket, 0) for bucket in BUCKETS}

    def waitlist(self, practice_ods: str) -> list[str]:
        """Waitlisted referral ids at a practice, longest-waiting first."""
        page = self.tables.table.query(IndexName="ByWaitlist", ScanIndexForward=True,
                                KeyConditionExpression=Key("waitlist_pk").eq(
                                    keys.waitlist(practice_ods)))
        return [keys.referral_of(str(i["pk"])) for i in page["Items"]]

    def references(self, referral_ids: Sequence[str]) -> dict[str, str]:
        """The short references of these referrals, by id (one BatchGetItem per 100, reading
        the reference alone); a referral with none, or none stored, is left out."""
        wanted = list(dict.fromkeys(referral_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH):
            batch = [keys.referral(r) for r in wanted[start:start + BATCH]]
            for item in self.tables.batch_get(self.tables.table_name, batch, "pk, #r",
                                              {"#r": "reference"}):
                if item.get("reference"):
                    found[keys.referral_of(str(item["pk"]))] = str(item["reference"])
        return found
