"""Step Functions adapter: start a referral's run, answer its human steps, end it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

from workingbetter.observability import logger

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

    def exists(self, referral_id: str) -> bool:
        try:
            self.client.describe_execution(executionArn=self.execution_arn(referral_id))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return False
            raise
        return True

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

    # -- for ops: runs and their histories, never their input or output ----------------------

    def run(self, referral_id: str) -> dict[str, Any] | None:
        """The run's status, times and error name (not its cause, which may quote an
        exception); None if the referral never had one."""
        try:
            run = self.client.describe_execution(executionArn=self.execution_arn(referral_id))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise
        return {"status": run["status"], "started": run["startDate"],
                "stopped": run.get("stopDate"), "error": run.get("error")}

    def history(self, referral_id: str) -> list[dict[str, Any]]:
        """Each event of the run: when, what, and the state's name where it has one."""
        pages = self.client.get_paginator("get_execution_history").paginate(
            executionArn=self.execution_arn(referral_id), includeExecutionData=False)
        events: list[dict[str, Any]] = []
        for event in (e for page in pages for e in page["events"]):
            details: Mapping[str, Any] = event.get("stateEnteredEventDetails") or \
                event.get("stateExitedEventDetails") or {}
            events.append({"at": event["timestamp"], "type": event["type"],
                           "state": details.get("name")})
        return events

    def ended_badly(self) -> list[dict[str, Any]]:
        """Runs that failed or timed out, newest first: referral id, status and times."""
        paginator = self.client.get_paginator("list_executions")
        runs = [{"referral_id": r["name"], "status": r["status"], "started": r["startDate"],
                 "stopped": r.get("stopDate")}
                for status in ("FAILED", "TIMED_OUT")
                for page in paginator.paginate(stateMachineArn=self.state_machine_arn,
                                               statusFilter=status)
                for r in page["executions"]]
        return sorted(runs, key=lambda r: r["stopped"] or r["started"], reverse=True)
