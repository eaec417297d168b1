"""A patient's requests for a copy of what is held about them, in the referrals table (ids,
dates and enums only: domain/access_requests.py).

Three items per request, written in one transaction: the request beside its referral, the
referral's marker of its one open request (a conditional put, so asking twice finds the first
rather than making a second), and a row in the open requests' partition sorted by due date
(ops's list reads one Query). Producing the copy fulfils the request once: the request is
marked, the marker and the row go, in one transaction conditional on it being open.
"""

from __future__ import annotations

from workingbetter.adapters import keys
from workingbetter.adapters.dynamo import Item, Key, conditional
from workingbetter.adapters.item_codec import decode, encode
from workingbetter.adapters.store import Store
from workingbetter.domain.records.access import AccessRequest


class AccessRequests:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, request: AccessRequest) -> tuple[AccessRequest, bool]:
        """The request, and True; or the referral's open one, and False, if it has one."""
        table = self.store.tables.table_name
        item = encode(request)
        if not conditional(lambda: self.store.tables.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                         "Item": {**keys.open_access_marker(request.referral_id),
                                  "request_id": request.request_id}}},
                {"Put": {"TableName": table, "Item": {
                    **item, **keys.access_request(request.referral_id, request.request_id)}}},
                {"Put": {"TableName": table, "Item": {**item, **keys.open_access_request(
                    request.due_on, request.referral_id, request.request_id)}}}])):
            already = self.open_for(request.referral_id)
            if already is None:  # fulfilled a moment ago: this one is new after all
                return self.add(request)
            return already, False
        return request, True

    def open_for(self, referral_id: str) -> AccessRequest | None:
        marker = self.store.tables.table.get_item(Key=keys.open_access_marker(referral_id),
                                           ConsistentRead=True).get("Item")
        return None if marker is None else self.get(referral_id, str(marker["request_id"]))

    def get(self, referral_id: str, request_id: str) -> AccessRequest | None:
        found = self.store.tables.table.get_item(Key=keys.access_request(referral_id, request_id),
                                          ConsistentRead=True).get("Item")
        return None if found is None else decode(AccessRequest, found)

    def for_referral(self, referral_id: str) -> list[AccessRequest]:
        """The referral's requests, oldest first."""
        pk, prefix = keys.access_requests_of(referral_id)
        return [decode(AccessRequest, i) for i in self._query(
            Key("pk").eq(pk) & Key("sk").begins_with(prefix))]

    def still_open(self) -> list[AccessRequest]:
        """Every open request, soonest due first (a few a month: one Query)."""
        return [decode(AccessRequest, i) for i in self._query(
            Key("pk").eq(keys.OPEN_ACCESS_REQUESTS))]

    def fulfil(self, request: AccessRequest, at: str, by: str) -> bool:
        """Mark the request fulfilled, once; False if it was already."""
        table = self.store.tables.table_name
        return conditional(lambda: self.store.tables.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": table,
                        "Key": keys.access_request(request.referral_id, request.request_id),
                        "UpdateExpression": "SET fulfilled_at = :at, fulfilled_by = :by",
                        "ConditionExpression": "attribute_exists(pk) AND "
                                               "attribute_not_exists(fulfilled_at)",
                        "ExpressionAttributeValues": {":at": at, ":by": by}}},
            {"Delete": {"TableName": table, "Key": keys.open_access_marker(request.referral_id)}},
            {"Delete": {"TableName": table, "Key": keys.open_access_request(
                request.due_on, request.referral_id, request.request_id)}}]))

    def _query(self, condition: object) -> list[Item]:
        tables = self.store.tables
        return list(tables.pages(tables.table, KeyConditionExpression=condition,
                                 ConsistentRead=True))
