"""Who read personal data, when and why: an entry per read, and one per page view naming
every referral it showed (kept by practice). Written before the data is read."""

from __future__ import annotations

import uuid

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import Attr, Key, Tables, now_iso
from workingbetter.adapters.item_codec import decode
from workingbetter.domain.records.audit import AuditRead


class ReadAudit:
    """The audit of reads of personal data."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def record(self, referral_id: str, actor: str, purpose: str) -> None:
        """One read of a referral's personal data, before it is read."""
        at = now_iso()
        self.tables.table.put_item(Item={
            "pk": keys.audit(referral_id), "sk": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at, "actor": actor, "purpose": purpose,
        })

    def page(self, referral_ids: list[str], practice_ods: str, actor: str,
             purpose: str) -> None:
        """One audit record naming the referrals a view showed (kept by practice, so a
        referral's trail finds it: see `trail`)."""
        at = now_iso()
        self.tables.table.put_item(Item={
            "pk": keys.practice_audit(practice_ods), "sk": f"{at}#{uuid.uuid4().hex[:8]}",
            "at": at, "actor": actor, "purpose": purpose, "referral_ids": referral_ids})

    def trail(self, referral_id: str, practice_ods: str | None = None,
              since: str = "") -> list[AuditRead]:
        """Who read the referral's personal data: its own reads, and the page views at its
        practice since it was made that named it (one record per page view, many ids)."""
        page = self.tables.table.query(KeyConditionExpression=Key("pk").eq(keys.audit(referral_id)))
        reads = list(page["Items"])
        if practice_ods:
            reads += self.tables.pages(
                self.tables.table,
                KeyConditionExpression=Key("pk").eq(keys.practice_audit(practice_ods))
                & Key("sk").gte(since),
                FilterExpression=Attr("referral_ids").contains(referral_id))
        return sorted((decode(AuditRead, i) for i in reads), key=lambda read: read.at)
