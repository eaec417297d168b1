"""When each person last signed out, so that every token issued before it is refused.

Cognito's GlobalSignOut ends a person's refresh and access tokens, but an ID token it issued
stays valid until it expires (an hour): the app refuses an ID token whose sign-in
(`auth_time`, kept by Cognito through every refresh) is not after the person's last sign-out.
One item per person in the referrals table, keyed by their Cognito `sub` (an opaque id), only
ever moved forward (a conditional write). Times are whole seconds, as tokens carry them: a
sign-in in the same second as a sign-out is refused too.

Every token check reads it, strongly consistent: a sign-out (or an account disabled) holds in
every container at once. A container once kept what it read for 30 s, so a token went on
working in the others for that long after its person signed out; found when the local stack's
API came to run in two processes, as Lambda runs many containers.
"""

from __future__ import annotations

from typing import Any, Protocol


class SignOuts(Protocol):
    def signed_out_at(self, subject: str) -> int | None:
        """When the person last signed out (epoch seconds), if they ever have."""
        ...

    def record(self, subject: str, at: int) -> None: ...


class TableSignOuts:
    def __init__(self, table: Any) -> None:
        self.table = table

    @staticmethod
    def _key(subject: str) -> dict[str, str]:
        return {"pk": f"SIGNOUT#{subject}", "sk": "SIGNED_OUT"}

    def signed_out_at(self, subject: str) -> int | None:
        item = self.table.get_item(Key=self._key(subject), ConsistentRead=True,
                                   ProjectionExpression="signed_out_at").get("Item")
        return int(item["signed_out_at"]) if item else None

    def record(self, subject: str, at: int) -> None:
        from botocore.exceptions import ClientError

        try:
            self.table.update_item(
                Key=self._key(subject), UpdateExpression="SET signed_out_at = :at",
                ConditionExpression="attribute_not_exists(signed_out_at) OR signed_out_at < :at",
                ExpressionAttributeValues={":at": at})
        except ClientError as error:  # a later sign-out is recorded already: it stands
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
