"""The patient's personal data: one item per referral in its own table, read only after an
audit entry, changed only while it exists, erased with everything derived from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import (
    BATCH,
    Attr,
    ConditionFailed,
    Event,
    Item,
    Tables,
    conditional,
    key_of,
)
from workingbetter.adapters.item_codec import decode, encode
from workingbetter.adapters.read_audit import ReadAudit
from workingbetter.adapters.referrals import Referrals
from workingbetter.domain.communication_needs import CommunicationNeed, kinds_of
from workingbetter.domain.records.patient import PersonalData
from workingbetter.domain.records.referral import ReferralChange
from workingbetter.domain.referral import (
    ContactPreference,
)

if TYPE_CHECKING:
    pass


class Patients:
    """The patient's details, their contact and communication needs."""

    def __init__(self, tables: Tables, audit: ReadAudit, referrals: Referrals) -> None:
        self.tables = tables
        self.audit = audit
        self.referrals = referrals

    def read(self, referral_id: str, actor: str,
             purpose: str) -> PersonalData | None:
        """Every read of personal data leaves an audit entry first: who, when, why."""
        self.audit.record(referral_id, actor, purpose)
        found = self.tables.get(keys.personal(referral_id), self.tables.personal)
        return None if found is None else decode(PersonalData, found)

    def for_page(self, referral_ids: list[str], practice_ods: str, actor: str,
                 purpose: str) -> dict[str, PersonalData]:
        """The patients' details for the referrals a page shows (all at one practice): one
        audit record naming them all, then one BatchGetItem (per 100). Erased ones are absent.
        """
        if not referral_ids:
            return {}
        self.audit.page(referral_ids, practice_ods, actor, purpose)
        found: dict[str, PersonalData] = {}
        for start in range(0, len(referral_ids), BATCH):
            wanted = [keys.personal(r) for r in referral_ids[start:start + BATCH]]
            for item in self.tables.batch_get(self.tables.personal_data_table_name, wanted):
                found[str(item["referral_id"])] = decode(PersonalData, item)
        return found

    def expire(self, referral_id: str, epoch_seconds: int) -> None:
        """Retention: DynamoDB's TTL deletes the personal data after this time."""
        for item in self.tables.personal_items(referral_id):  # already erased: nothing to expire
            self._expire(key_of(item), epoch_seconds)

    def _expire(self, key: Item, epoch_seconds: int) -> None:
        conditional(lambda: self.tables.personal.update_item(  # erased meanwhile: nothing to do
            Key=key, UpdateExpression="SET expires_at = :t",
            ConditionExpression=Attr("referral_id").exists(),
            ExpressionAttributeValues={":t": epoch_seconds}))

    def change_contact(self, referral_id: str, contact: Item, event: Event,
                       listed_until: int) -> bool:
        """The patient's new channel and details: the details with the personal data, the
        channel (an enum, which picks how messages go) on the referral, while it is live (a
        fact, see add_fact). False when the referral has ended or its data was erased."""
        landed = conditional(lambda: self.tables.personal.update_item(
            Key=keys.personal(referral_id),
            UpdateExpression="SET patient.phone = :p, patient.email = :e, "
                             "patient.contact_preference = :c",
            ConditionExpression=Attr("referral_id").exists(),
            ExpressionAttributeValues={":p": contact["phone"], ":e": contact["email"],
                                       ":c": contact["contact_preference"]}))
        if not landed:
            return False
        try:
            self.referrals.add_fact(referral_id, event, ReferralChange(
                contact_preference=ContactPreference(contact["contact_preference"])),
                listed_until=listed_until)
        except ConditionFailed:
            return False
        return True

    def communication_needs(self, referral_id: str, actor: str,
                            purpose: str) -> tuple[CommunicationNeed, ...] | None:
        """A patient's communication needs (personal data: the read is audited like every
        other); None once their details were erased. The one reader for whoever meets or
        copies them."""
        found = self.read(referral_id, actor, purpose)
        return None if found is None else found.patient.communication_needs

    def set_communication_needs(self, referral_id: str,
                                needs: tuple[CommunicationNeed, ...]) -> bool:
        """Replace the patient's needs, and beside them on the referral the kinds the reports
        count, in one transaction; False, writing nothing, once the details were erased."""
        return conditional(lambda: self.tables.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": self.tables.personal_data_table_name,
                        "Key": keys.personal(referral_id),
                        "UpdateExpression": "SET patient.communication_needs = :n",
                        "ConditionExpression": "attribute_exists(referral_id)",
                        "ExpressionAttributeValues": {":n": encode(needs)}}},
            {"Update": {"TableName": self.tables.table_name, "Key": keys.referral(referral_id),
                        "UpdateExpression": "SET need_kinds = :k",
                        "ConditionExpression": "attribute_exists(referral_id)",
                        "ExpressionAttributeValues": {":k": list(kinds_of(needs))}}}]))

    def erase(self, referral_id: str, idempotency_record: str | None,
              request_hash: str | None) -> None:
        """Erasure: every personal-data item of the referral and the intake's idempotency
        record; a tombstone keeps a hash of the request's practice and key (never the body)
        so that replaying the erased request is refused rather than storing it again."""
        for item in self.tables.personal_items(referral_id):
            self.tables.personal.delete_item(Key=key_of(item))
        if idempotency_record:
            self.tables.resource().Table(self.tables.idempotency_table_name).delete_item(
                Key={"id": idempotency_record})
        if request_hash:
            self.tables.table.put_item(Item={"pk": f"ERASED#{request_hash}", "sk": "ERASED",
                                      "referral_id": referral_id})

    def erased_request(self, request_hash: str) -> bool:
        """True if the request with this hash belonged to a referral whose data was erased."""
        return self.tables.get(keys.erased(request_hash)) is not None
