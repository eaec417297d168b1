"""The one place the demo records casework facts the API has no endpoint for yet: employer
contacts, benefits advice given, and a job's pay band and self-employment (the coach's
endpoints are being built on the `casework` branch). At merge, point `record` at them.

Until then it writes the referral item's contract attributes in the running local stack's
DynamoDB (moto, WB_AWS_PORT), as those endpoints will: enums, dates and numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from infra.template import REGION, STACK_NAME

TABLE = f"{STACK_NAME}-ReferralsTable"


@dataclass(frozen=True)
class Casework:
    """What a coach recorded at one review: ISO dates, and a job's pay facts at a job start."""

    employer_contact_dates: tuple[str, ...] = ()
    benefits_advice_on: str | None = None
    pay_band: str | None = None  # "below_nlw" | "nlw" | "llw"
    self_employed: bool | None = None


@cache
def _table(aws_url: str) -> Any:
    import boto3

    # moto takes any credentials; these are not secrets.
    return boto3.resource("dynamodb", endpoint_url=aws_url, region_name=REGION,
                          aws_access_key_id="local",
                          aws_secret_access_key="local").Table(TABLE)  # noqa: S106


def record(aws_url: str, referral_id: str, facts: Casework) -> None:
    sets: list[str] = []
    values: dict[str, Any] = {}
    if facts.employer_contact_dates:
        sets.append("employer_contact_dates = list_append("
                    "if_not_exists(employer_contact_dates, :none), :dates)")
        values.update({":none": [], ":dates": list(facts.employer_contact_dates)})
    if facts.benefits_advice_on:
        sets.append("benefits_advice_on = if_not_exists(benefits_advice_on, :advice)")
        values[":advice"] = facts.benefits_advice_on
    if facts.pay_band is not None:
        sets.append("job.pay_band = :band, job.self_employed = :self")
        values.update({":band": facts.pay_band, ":self": bool(facts.self_employed)})
    if not sets:
        return
    _table(aws_url).update_item(
        Key={"pk": f"REFERRAL#{referral_id}", "sk": "REFERRAL"},
        UpdateExpression="SET " + ", ".join(sets), ExpressionAttributeValues=values,
        ConditionExpression="attribute_exists(pk)" + (" AND attribute_exists(job)"
                                                      if facts.pay_band is not None else ""))
