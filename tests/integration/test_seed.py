"""Loading a council's practices and coaches into a deployed stack (`python -m infra.seed`):
the stack's tables are found from CloudFormation, every row is checked before anything is
written, a dry run writes nothing, a second run changes nothing, and a coach's caseload (the
service's) is never reset. Against moto's CloudFormation, with the template's own tables."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import seed
from infra.template import load
from workingbetter.adapters.dynamo import ConditionFailed
from workingbetter.adapters.store import Store
from workingbetter.domain.records.directory import PracticeStatus, Session, SurgerySession

pytestmark = pytest.mark.integration

STACK = "working-better-staging"
_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


@dataclass
class Deployed:
    cloudformation: Any
    store: Store
    folder: Path

    def run(self, practices: dict[str, Any], *options: str) -> int:
        """`python -m infra.seed --stack … --file …` with this file."""
        path = self.folder / "practices.json"
        path.write_text(json.dumps(practices))
        return seed.main(["--stack", STACK, "--file", str(path), *options],
                         cloudformation=self.cloudformation)

    def items(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.store.tables.table.scan()["Items"]
        return sorted(found, key=lambda i: (i["pk"], i["sk"]))


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[Deployed]:
    """A stack made by CloudFormation with template.yaml's three tables (named as
    CloudFormation names them), and nothing in them."""
    declared = load()["Resources"]
    tables = {name: {"Type": "AWS::DynamoDB::Table", "Properties": {
        k: v for k, v in declared[name]["Properties"].items() if k in _TABLE_KEYS}}
        for name in seed.TABLES}
    with mock_aws():
        cloudformation = boto3.client("cloudformation")
        cloudformation.create_stack(StackName=STACK,
                                    TemplateBody=json.dumps({"Resources": tables}))
        store = seed.stack_store(STACK, cloudformation)
        assert store.tables.table_name.startswith(f"{STACK}-ReferralsTable-")
        yield Deployed(cloudformation, store, tmp_path)


def pilot() -> dict[str, Any]:
    return copy.deepcopy(seed.pilot())


def test_a_dry_run_shows_each_practice_and_coach_it_would_add_and_writes_nothing(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    assert deployed.run(pilot(), "--dry-run") == 0
    shown = capsys.readouterr().out
    assert "F83001    City Road Medical Centre" in shown
    assert "coach-amara  Amara Okafor   F83001    Monday" in shown
    assert shown.splitlines()[-1] == \
        "Dry run, nothing written: it would be 13 added, 0 changed, 0 unchanged."
    assert deployed.items() == []


def test_loading_the_same_file_again_changes_nothing(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    assert deployed.run(pilot()) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "13 added, 0 changed, 0 unchanged."
    loaded = deployed.items()
    assert [p.practice_ods for p in deployed.store.directory.practices()] == [
        "F83001", "F83002", "F83003", "F83004", "F83005", "F83006"]

    assert deployed.run(pilot()) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 added, 0 changed, 13 unchanged."
    assert deployed.items() == loaded


def test_a_coach_with_clients_keeps_their_caseload_when_the_file_changes_their_session(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    assert deployed.run(pilot()) == 0
    # The running service has given coach-amara seven clients.
    deployed.store.tables.table.update_item(Key={"pk": "COACH#coach-amara", "sk": "COACH"},
                                     UpdateExpression="SET active = :n",
                                     ExpressionAttributeValues={":n": 7})
    changed = pilot()
    changed["practices"][0]["coaches"][0].update(weekday=2, name="Amara Okafor-Reid")
    capsys.readouterr()

    assert deployed.run(changed) == 0
    shown = capsys.readouterr().out
    assert "coach-amara  Amara Okafor-Reid  F83001    Wednesday  7         change weekday, name" \
        in shown
    assert "F83001    City Road Medical Centre      change sessions" in shown
    assert shown.splitlines()[-1] == "0 added, 2 changed, 11 unchanged."
    coach = deployed.store.directory.coach("coach-amara")
    assert coach is not None
    assert (coach.active, coach.weekday, coach.name) == (7, 2, "Amara Okafor-Reid")
    practice = deployed.store.directory.practice("F83001")
    assert practice is not None
    assert [(s.coach_id, s.weekday) for s in practice.sessions] == [
        ("coach-amara", 2), ("coach-bilal", 3)]


def test_a_file_with_mistakes_is_refused_by_row_and_field_and_nothing_is_written(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    assert deployed.run(pilot()) == 0
    loaded = deployed.items()
    wrong = pilot()
    wrong["practices"][0]["name"] = "City Road Surgery"  # a good change, among the mistakes
    wrong["practices"][1]["coaches"][0]["weekday"] = 6
    wrong["practices"][2]["practice_ods"] = "F8300"
    del wrong["practices"][3]["phone"]
    wrong["practices"][4]["coaches"].append(dict(wrong["practices"][0]["coaches"][0]))
    capsys.readouterr()

    assert deployed.run(wrong) == 1
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err.splitlines() == [
        f"{deployed.folder / 'practices.json'} has mistakes: nothing was written.",
        "  practice 2 (F83002), coach 1 (coach-chloe): weekday: Enter the day of the coach's "
        "session as 0 (Monday) to 4 (Friday)",
        "  practice 3 (F8300): practice_ods: Enter a practice ODS code, like F83004",
        "  practice 4 (F83004): phone: This field is required",
    ]
    assert deployed.items() == loaded

    del wrong["practices"][3]
    wrong["practices"][1]["coaches"][0]["weekday"] = 1
    wrong["practices"][2]["practice_ods"] = "F83003"
    assert deployed.run(wrong) == 1  # each row is right on its own: now the repeat
    assert capsys.readouterr().err.splitlines()[1:] == [
        "  practice 4 (F83005), coach 2 (coach-amara): coach_id: already listed at practice 1 "
        "(F83001), coach 1 (a coach has one weekly session, at one practice)"]
    assert deployed.items() == loaded


def test_a_change_made_while_it_runs_is_not_overwritten(deployed: Deployed) -> None:
    assert deployed.run(pilot()) == 0
    changed = pilot()
    changed["practices"][0]["coaches"][0]["name"] = "Amara O."
    planned = seed.plan(deployed.store, seed.read(json.dumps(changed)))
    was = deployed.store.directory.coach("coach-amara")
    assert was is not None
    deployed.store.directory.put_coach(replace(was, name="Amara Okafor (by someone else)"), was)

    with pytest.raises(ConditionFailed):
        seed.apply(deployed.store, planned)
    coach = deployed.store.directory.coach("coach-amara")
    assert coach is not None
    assert coach.name == "Amara Okafor (by someone else)"


def test_the_tables_are_found_from_the_stack_and_a_missing_stack_is_named(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    names = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in
             deployed.cloudformation.describe_stack_resources(StackName=STACK)["StackResources"]}
    assert deployed.store.tables.table_name == names["ReferralsTable"]
    assert deployed.store.tables.personal_data_table_name == names["PersonalDataTable"]
    assert deployed.store.tables.idempotency_table_name == names["IdempotencyTable"]

    path = deployed.folder / "practices.json"
    path.write_text(json.dumps(pilot()))
    # `make seed ENV=staging` names the environment: samconfig.toml names its stack.
    assert seed.main(["--env", "staging", "--file", str(path), "--dry-run"],
                     cloudformation=deployed.cloudformation) == 0
    capsys.readouterr()
    assert seed.main(["--stack", "working-better-stagin", "--file", str(path)],
                     cloudformation=deployed.cloudformation) == 1
    said = capsys.readouterr().err
    assert said.startswith("The stack working-better-stagin's tables were not found: ")
    assert deployed.items() == []


def test_loading_the_file_again_keeps_what_the_manager_set_on_pages(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    """Rooms and a pause are the service manager's (on /manage/practices): not the file's."""
    assert deployed.run(pilot()) == 0
    held = deployed.store.directory.practice("F83001")
    assert held is not None
    paused = replace(held, rooms=("Room 4",), status=PracticeStatus.PAUSED,
                     paused_reason="Staff shortage")
    deployed.store.directory.put_practice(paused, held)
    changed = pilot()
    changed["practices"][0]["name"] = "City Road Surgery"
    capsys.readouterr()

    assert deployed.run(changed) == 0

    assert capsys.readouterr().out.splitlines()[-1] == "0 added, 1 changed, 12 unchanged."
    assert deployed.store.directory.practice("F83001") == replace(paused, name="City Road Surgery")


def test_a_coach_row_may_give_the_sessions_times_and_days_and_a_row_without_keeps_them(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    assert deployed.run(pilot()) == 0  # rows without times: the usual day, five days
    timed = pilot()
    timed["practices"][1]["coaches"][0].update(start="9:30am", end="16:30", minutes=45,
                                               days_a_week=2)

    assert deployed.run(timed) == 0
    chloe = deployed.store.directory.coach("coach-chloe")
    assert chloe is not None
    assert chloe.surgery_sessions == (SurgerySession("F83002", 1, "09:30", "16:30", 45),)
    assert chloe.cap(20) == 8
    assert deployed.run(pilot()) == 0  # a row without times leaves what is held
    assert deployed.store.directory.coach("coach-chloe") == chloe
    amara = deployed.store.directory.coach("coach-amara")
    assert amara is not None
    assert (amara.sessions, amara.cap(20)) == (None, 20)

    wrong = pilot()
    wrong["practices"][1]["coaches"][0].update(start="4pm", end="9am")
    capsys.readouterr()
    assert deployed.run(wrong) == 1
    assert "  practice 2 (F83002), coach 1 (coach-chloe): end: The end must be after the " \
        "start" in capsys.readouterr().err.splitlines()


def test_a_coach_and_their_practices_change_together_and_only_over_what_was_read(
        deployed: Deployed) -> None:
    """The store's write behind the coach pages: the coach and each practice whose list of
    coaches changes, in one transaction, each conditional on what was read."""
    assert deployed.run(pilot()) == 0
    store = deployed.store
    goodinge = store.directory.practice("F83002")
    amara, bilal = store.directory.coach("coach-amara"), store.directory.coach("coach-bilal")
    assert goodinge is not None and amara is not None and bilal is not None  # noqa: PT018
    thursdays = SurgerySession("F83002", 3, "09:00", "12:00")

    store.directory.put_coach(replace(amara, sessions=(*amara.surgery_sessions, thursdays)), amara,
                    [(goodinge, replace(goodinge, sessions=(*goodinge.sessions,
                                                            Session("coach-amara", 3))))])
    with pytest.raises(ConditionFailed):  # the practice changed since it was read
        store.directory.put_coach(replace(bilal, sessions=(replace(thursdays, weekday=4),)), bilal,
                        [(goodinge, replace(goodinge, sessions=(*goodinge.sessions,
                                                                Session("coach-bilal", 4))))])
    with pytest.raises(ConditionFailed):  # the coach changed since they were read
        store.directory.put_coach(replace(amara, name="Amara O."), amara)

    assert store.directory.coach("coach-bilal") == bilal  # nothing of the refused write landed
    held = store.directory.coach("coach-amara")
    assert held is not None
    assert (held.name, held.surgery_sessions[-1]) == ("Amara Okafor", thursdays)
    after = store.directory.practice("F83002")
    assert after is not None
    assert after.coach_ids == ("coach-chloe", "coach-amara")
