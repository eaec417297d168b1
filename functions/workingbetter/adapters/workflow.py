"""Step Functions adapter: start a referral's runs, answer their human steps, end them.

A referral's first run is named by its id. Support is time-unlimited but a Standard execution
lasts at most a year, so support goes on in new runs: at a job start (`<id>-in-work`), at 26
weeks in work and before a run's year is up (`<id>-next-<8 hex of the run handing over>`).
A stalled or failed referral that is resumed goes on in a run of its own (`<id>-resume-<n>`),
so ops see every run side by side. The referral item lists its runs (`runs`), oldest first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from workingbetter.observability import logger

if TYPE_CHECKING:
    from workingbetter.domain.records.referral import Referral

WITHDRAWN_ERROR = "Referral.Withdrawn"
IN_WORK = "-in-work"
RESUME = "-resume-"
NEXT = "-next-"
_SUFFIX = re.compile(
    rf"({re.escape(IN_WORK)}|{re.escape(RESUME)}\d+|{NEXT}[0-9a-f]{{8}})$")


def run_names(referral_id: str) -> list[str]:
    """A referral's first run and its in-work run (the runs every referral may have)."""
    return [referral_id, f"{referral_id}{IN_WORK}"]


def runs_of(item: Referral) -> list[str]:
    """Every run the referral has had, oldest first."""
    return list(item.runs or [item.referral_id])


def referral_of(run_name: str) -> str:
    return _SUFFIX.sub("", run_name)


class TokenExpired(Exception):
    """The run is no longer waiting on this token (timed out, or already answered)."""


class Workflow:
    def __init__(self, state_machine_arn: str) -> None:
        import boto3  # when the first request needs it, not at init (see store.Key)

        self.state_machine_arn = state_machine_arn
        self.client = boto3.client("stepfunctions")

    def execution_arn(self, run_name: str) -> str:
        prefix = self.state_machine_arn.replace(":stateMachine:", ":execution:")
        return f"{prefix}:{run_name}"

    def start(self, referral_id: str) -> str:
        """Start the referral's run; the name is the referral id, so a repeat cannot fork it."""
        return self._start(referral_id, {"referral_id": referral_id})

    def continue_in_new_run(self, referral_id: str, parent: str, phase: str,
                            plan: Mapping[str, Any]) -> str:
        """Start the run that takes over from `parent` (ids, an enum and the run's time
        limits as input); named after the parent, so a retry cannot fork it."""
        if phase == "in_work" and parent == referral_id:
            name = run_names(referral_id)[1]
        else:
            name = f"{referral_id}{NEXT}{hashlib.sha256(parent.encode()).hexdigest()[:8]}"
        self._start(name, {"referral_id": referral_id, "phase": phase, "plan": dict(plan)})
        return name

    def resume(self, referral_id: str, number: int, payload: Mapping[str, Any]) -> str:
        """Start a run that picks a stalled or failed referral up where it stopped (the
        payload says where: ids, enums and numbers only). A repeat cannot fork it."""
        name = f"{referral_id}{RESUME}{number}"
        self._start(name, {"referral_id": referral_id, **payload})
        return name

    def _start(self, name: str, payload: Mapping[str, Any]) -> str:
        try:
            result = self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return self.execution_arn(name)  # a retry: the run is already there
            raise
        return str(result["executionArn"])

    def exists(self, run_name: str) -> bool:
        try:
            self.client.describe_execution(executionArn=self.execution_arn(run_name))
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

    def stop(self, run_name: str, error: str) -> None:
        """Best effort: a run that cannot be stopped ends itself at its next task, since every
        task refuses a withdrawn referral. (moto also fails to stop a run in its first
        milliseconds; AWS may throttle.) So a failure here is logged, never raised."""
        try:
            self.client.stop_execution(executionArn=self.execution_arn(run_name), error=error)
        except Exception as failure:  # any failure: see the docstring
            logger.warning("could not stop the run; it will end at its next task",
                           run=run_name, error=type(failure).__name__)


    def stop_all(self, run_names: list[str], error: str) -> None:
        """End every run of a referral that is still going: no run outlasts its referral."""
        for name in run_names:
            found = self.describe(name)
            if found is not None and found["status"] == "RUNNING":
                self.stop(name, error)

    # -- for ops: runs and their histories, never their input or output ----------------------

    def describe(self, name: str) -> dict[str, Any] | None:
        """One run: status, times and error name (not its cause, which may quote an
        exception); None if there is no such run."""
        try:
            run = self.client.describe_execution(executionArn=self.execution_arn(name))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise
        return {"name": name, "status": run["status"], "started": run["startDate"],
                "stopped": run.get("stopDate"), "error": run.get("error")}

    def run(self, run_names: list[str]) -> dict[str, Any] | None:
        """The latest of these runs that exists; None if the referral never had one."""
        found = None
        for name in run_names:
            found = self.describe(name) or found
        return found

    def history(self, run_names: list[str]) -> list[dict[str, Any]]:
        """Each event of the referral's runs: when, what, and the state's name where it has
        one (never the input or output). A run Step Functions has forgotten (90 days after
        it ended, perhaps between two calls) has none."""
        events: list[dict[str, Any]] = []
        for name in run_names:
            events.extend(self._history(name))
        return events

    def _history(self, name: str) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("get_execution_history").paginate(
            executionArn=self.execution_arn(name), includeExecutionData=False)
        events: list[dict[str, Any]] = []
        try:
            for event in (e for page in pages for e in page["events"]):
                details: Mapping[str, Any] = event.get("stateEnteredEventDetails") or \
                    event.get("stateExitedEventDetails") or {}
                events.append({"at": event["timestamp"], "type": event["type"],
                               "state": details.get("name"), "run": name})
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionDoesNotExist":
                raise
            return []
        return events

    def ended_badly(self) -> list[dict[str, Any]]:
        """Runs that failed or timed out, newest first: referral id, status and times."""
        paginator = self.client.get_paginator("list_executions")
        runs = [{"referral_id": referral_of(r["name"]), "status": r["status"],
                 "started": r["startDate"],
                 "stopped": r.get("stopDate")}
                for status in ("FAILED", "TIMED_OUT")
                for page in paginator.paginate(stateMachineArn=self.state_machine_arn,
                                               statusFilter=status)
                for r in page["executions"]]
        return sorted(runs, key=lambda r: r["stopped"] or r["started"], reverse=True)
