"""Build what template.yaml describes on moto: the tables, the functions, the state machine,
the user pool (infra/cognito.py).

Works the same against moto in-process (tests) and moto's server (the local stack): it only
uses boto3, pointed wherever the environment points it.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

from infra.cognito import LocalPool, create_pool
from infra.template import LocalTemplate

_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


@dataclass(frozen=True)
class Built:
    state_machine_arn: str
    tables: dict[str, str]
    functions: dict[str, str]
    pool: LocalPool


def _placeholder_zip() -> bytes:
    """Lambda wants code; the dispatch imports the real handler, so this is never run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "Handlers run in-process from functions/; see infra/.")
    return buffer.getvalue()


def build(template: LocalTemplate) -> Built:
    """Everything the template declares; afterwards the template resolves the pool's Refs."""
    pool = create_pool(template)
    dynamodb = boto3.client("dynamodb")
    tables = {}
    for logical_id, resource in template.of_type("AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        name = template.table_name(logical_id)
        spec: dict[str, Any] = {k: props[k] for k in _TABLE_KEYS if k in props}
        dynamodb.create_table(TableName=name, **spec)
        if "TimeToLiveSpecification" in props:
            dynamodb.update_time_to_live(TableName=name,
                                         TimeToLiveSpecification=props["TimeToLiveSpecification"])
        tables[logical_id] = name

    sns = boto3.client("sns")
    for logical_id in template.of_type("AWS::SNS::Topic"):
        sns.create_topic(Name=str(template.resolve({"Ref": logical_id})).rsplit(":", 1)[-1])

    role = boto3.client("iam").create_role(
        RoleName="working-better-local",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    lambda_client = boto3.client("lambda")
    runtime = template.document["Globals"]["Function"]["Runtime"]
    functions = {}
    for logical_id, handler in template.functions().items():
        lambda_client.create_function(
            FunctionName=template.function_name(logical_id), Runtime=runtime, Role=role,
            Handler=handler, Code={"ZipFile": _placeholder_zip()}, Timeout=30,
        )
        functions[logical_id] = handler

    name, definition = template.state_machine()
    arn = boto3.client("stepfunctions").create_state_machine(
        name=name, definition=definition, roleArn=role, type="STANDARD"
    )["stateMachineArn"]
    return Built(state_machine_arn=arn, tables=tables, functions=functions, pool=pool)
