"""Step Functions adapter: start a referral's run, answer its human steps, end it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

from workingbetter.logs import logger

WITHDRAWN_ERROR = "Referral.Withdrawn"


class TokenExpired(Exception):
    """The run is no longer waiting on this token (timed out, or already answered)."""


class Workflow:
    def __init__(self, state_machine_arn: str) -> None:
        self.state_machine_arn = state_machine_arn
        self.client = boto3.client("stepfunctions")

    def execution_arn(self, referral_id: str) -> str:
        prefix = self.state_machine_arn.replace(":stateMachine:", ":execution:")
        return f"{prefix}:{referral_id}"

    def start(self, referral_id: str) -> str:
        """Start the referral's run; the name is the referral id, so a repeat cannot fork it."""
        try:
            result = self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=referral_id,
                input=json.dumps({"referral_id": referral_id}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return self.execution_arn(referral_id)
            raise
        return result["executionArn"]

    def send_success(self, token: str, output: Mapping[str, Any]) -> None:
        try:
            self.client.send_task_success(taskToken=token, output=json.dumps(output))
        except ClientError as error:
            if error.response["Error"]["Code"] in {"TaskTimedOut", "InvalidToken",
                                                   "TaskDoesNotExist"}:
                raise TokenExpired from error
            raise

    def send_failure(self, token: str, error: str) -> None:
        try:
            self.client.send_task_failure(taskToken=token, error=error)
        except ClientError as failure:
            if failure.response["Error"]["Code"] not in {"TaskTimedOut", "InvalidToken",
                                                         "TaskDoesNotExist"}:
                raise

    def stop(self, referral_id: str, error: str) -> None:
        """Best effort: a run that cannot be stopped ends itself at its next task, since every
        task refuses a withdrawn referral. (moto also fails to stop a run in its first
        milliseconds; AWS may throttle.) So a failure here is logged, never raised."""
        try:
            self.client.stop_execution(executionArn=self.execution_arn(referral_id), error=error)
        except Exception as failure:
            logger.warning("could not stop the run; it will end at its next task",
                           referral_id=referral_id, error=type(failure).__name__)

    def status(self, referral_id: str) -> str:
        result = self.client.describe_execution(executionArn=self.execution_arn(referral_id))
        return str(result["status"])
