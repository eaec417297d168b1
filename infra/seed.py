"""Practices and coaches into a stack's table, from a file the council writes (the pilot's,
with demo values, is infra/pilot_practices.json; docs/deploy.md, "Practices and coaches"):

    python -m infra.seed --stack working-better-staging --file practices.json [--dry-run]
    make seed ENV=staging FILE=practices.json [DRY_RUN=1]

Every row is checked before anything is read or written: a file with a mistake is refused
whole, each mistake named by its row and field. Then it reads what the table holds and shows,
practice by practice and coach by coach, what it adds, changes and leaves alone; `--dry-run`
stops there. It writes through the service's own store, each write conditional on what it read
(a change made meanwhile is refused, never overwritten). It writes only what the file gives: a
coach's caseload count is the service's and is never reset, and nothing is ever deleted (a
coach left out of the file keeps their clients and sessions: the pages remove those). Running it
again changes nothing. The local stack and the tests load the pilot's file through the same
import (`seed`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, Self, TypeVar

from botocore.exceptions import ClientError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from workingbetter.adapters.dynamo import ConditionFailed
from workingbetter.adapters.store import Store
from workingbetter.domain.coaches import practice_sessions
from workingbetter.domain.parsing import field_errors
from workingbetter.domain.records.directory import Coach, Practice, Session, SurgerySession
from workingbetter.domain.slots import WEEKDAYS
from workingbetter.domain.text import EmailAddress, Line, Name
from workingbetter.services.coaches import Clock, DaysAWeek, NewSession, coach_id_checked
from workingbetter.services.intake import OdsCode

PILOT = Path(__file__).with_name("pilot_practices.json")
# The stack's tables, by their logical ids in template.yaml (the store takes all three).
TABLES = ("ReferralsTable", "PersonalDataTable", "IdempotencyTable")
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _weekday(value: int) -> int:
    if not 0 <= value < len(WEEKDAYS):
        raise ValueError(f"Enter the day of the coach's session as 0 (Monday) to "
                         f"{len(WEEKDAYS) - 1} (Friday)")
    return value


class CoachRow(BaseModel):
    """A coach and their weekly session at the practice they are listed under: from `start`
    to `end` ("9:30am", "16:30") with appointments of `minutes`, or without times the usual
    day (records.directory.USUAL_DAY). Without times, sessions set on the pages are kept; without
    `days_a_week`, what is held (5 for a new coach)."""

    model_config = _STRICT

    coach_id: Annotated[str, AfterValidator(coach_id_checked)]
    weekday: Annotated[int, AfterValidator(_weekday)]
    name: Name
    start: Clock | None = None
    end: Clock | None = None
    minutes: int = 60
    days_a_week: DaysAWeek | None = None

    @model_validator(mode="after")
    def _times(self) -> Self:
        if (self.start is None) != (self.end is None):
            raise ValueError("end: Give both the start and the end of the session, or neither")
        if self.start is not None:
            NewSession(practice_ods="", weekday=self.weekday, start=self.start,
                       end=str(self.end), minutes=self.minutes)  # its rules, its words
        return self

    def coach(self, practice_ods: str, was: Coach | None) -> Coach:
        """As the file gives them, with what the service keeps (their caseload count, and
        the sessions and days set on the pages when the row gives none)."""
        sessions = (SurgerySession(practice_ods, self.weekday, self.start, self.end,
                                   self.minutes),) if self.start and self.end else \
            (was.sessions if was else None)
        days = self.days_a_week or (was.days_a_week if was else 5)
        return Coach(self.coach_id, practice_ods, self.weekday, was.active if was else 0,
                     self.name, sessions=sessions, days_a_week=days)


class PracticeRow(BaseModel):
    model_config = _STRICT

    practice_ods: OdsCode
    name: Line
    email: EmailAddress  # its generic mailbox: feedback and the practice's messages
    address: Line  # where patients go to their appointments
    phone: Line  # whom patients call
    coaches: list[CoachRow] = Field(default_factory=list)
    # The local stack's made-up member of staff who signs in (infra/cognito.py): not stored.
    staff: str = ""

    def practice(self, was: Practice | None = None,
                 coaches: Sequence[Coach] = ()) -> Practice:
        """As the file gives it, with what the service manager keeps on pages (its rooms,
        whether it takes referrals, coaches added there) as `was` holds them: a seed never
        resumes a paused one. Its list of sessions follows the file's `coaches`."""
        kept = Practice("", "") if was is None else was
        sessions: tuple[Session, ...] = practice_sessions(self.practice_ods, kept.sessions,
                                                          coaches)
        return Practice(self.practice_ods, self.name, sessions, self.email, self.address,
                        self.phone, kept.rooms, kept.status, kept.paused_reason)


class SeedFile(BaseModel):
    model_config = _STRICT

    note: str = ""
    practices: list[PracticeRow] = Field(min_length=1)
    # The local stack's made-up ops, service manager and commissioner (infra/cognito.py): people
    # who sign in, not records the import stores.
    ops: str = ""
    manager: str = ""
    commissioner: str = ""


class Refused(Exception):
    """The file cannot be loaded: every line says which row and field, and what to do."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def _row(body: Any, index: int, coach: int | None = None) -> str:
    """`practice 3 (F83003)`, or `practice 3 (F83003), coach 1 (coach-dev)`: 1-based, with
    the row's own id when it has one."""
    practice = body["practices"][index] if _at(body, "practices", index) else {}
    where = f"practice {index + 1}{_named(practice, 'practice_ods')}"
    if coach is None:
        return where
    row = practice["coaches"][coach] if _at(practice, "coaches", coach) else {}
    return f"{where}, coach {coach + 1}{_named(row, 'coach_id')}"


def _at(body: Any, key: str, index: int) -> bool:
    return (isinstance(body, dict) and isinstance(body.get(key), list)
            and 0 <= index < len(body[key]))


def _named(row: Any, key: str) -> str:
    value = row.get(key) if isinstance(row, dict) else None
    return f" ({value.strip()})" if isinstance(value, str) and value.strip() else ""


def _problem(body: Any, field: str, message: str) -> str:
    """One mistake as `<row>: <field>: <message>` from pydantic's path (practices.2.name)."""
    parts = field.split(".")
    if parts[:1] != ["practices"] or len(parts) < 3 or not parts[1].isdigit():
        return f"{field}: {message}"
    index, rest = int(parts[1]), parts[2:]
    if rest[:1] == ["coaches"] and len(rest) >= 3 and rest[1].isdigit():
        return f"{_row(body, index, int(rest[1]))}: {'.'.join(rest[2:])}: {message}"
    return f"{_row(body, index)}: {'.'.join(rest)}: {message}"


def _repeats(rows: list[PracticeRow]) -> list[str]:
    """A practice listed twice, or a coach listed twice (a coach has one session a week, at
    one practice: their record holds one)."""
    problems: list[str] = []
    practices: dict[str, int] = {}
    coaches: dict[str, str] = {}
    for p, practice in enumerate(rows):
        if practice.practice_ods in practices:
            problems.append(f"practice {p + 1} ({practice.practice_ods}): practice_ods: "
                            f"already listed as practice {practices[practice.practice_ods]}")
        practices.setdefault(practice.practice_ods, p + 1)
        for c, coach in enumerate(practice.coaches):
            at = f"practice {p + 1} ({practice.practice_ods}), coach {c + 1}"
            if coach.coach_id in coaches:
                problems.append(f"{at} ({coach.coach_id}): coach_id: already listed at "
                                f"{coaches[coach.coach_id]} (a coach has one weekly session, "
                                "at one practice)")
            coaches.setdefault(coach.coach_id, at)
    return problems


def read(text: str) -> list[PracticeRow]:
    """The file's practices, or Refused naming every mistake in it."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise Refused([f"line {error.lineno}: not JSON: {error.msg}"]) from None
    if not isinstance(body, dict):
        raise Refused(['Write a JSON object: {"practices": [...]}'])
    try:
        rows = SeedFile.model_validate(body).practices
    except ValidationError as error:
        raise Refused([_problem(body, e.field, e.message)
                       for e in field_errors(error)]) from None
    problems = _repeats(rows)
    if problems:
        raise Refused(problems)
    return rows


# -- what changes ------------------------------------------------------------------------------

R = TypeVar("R", Practice, Coach)


@dataclass(frozen=True)
class Change(Generic[R]):
    """One record as the file gives it (`new`) beside the table's (`was`: None if absent)."""

    new: R
    was: R | None

    @property
    def action(self) -> str:
        if self.was is None:
            return "add"
        changed = [f for f in _FIELDS[type(self.new)]
                   if getattr(self.new, f) != getattr(self.was, f)]
        return f"change {', '.join(changed)}" if changed else "unchanged"


# What a seed file owns of each record (a coach's `active`, their caseload, is the service's).
_FIELDS: dict[type, tuple[str, ...]] = {
    Practice: ("name", "sessions", "email", "address", "phone"),
    Coach: ("practice_ods", "weekday", "name", "sessions", "days_a_week"),
}


@dataclass(frozen=True)
class Plan:
    practices: list[Change[Practice]]
    coaches: list[Change[Coach]]
    coaches_not_in_file: int  # of the practices in the file; left as they are

    def count(self, action: str) -> int:
        actions = [c.action for c in self.practices] + [c.action for c in self.coaches]
        return sum(a.startswith(action) for a in actions)

    def summary(self) -> str:
        return (f"{self.count('add')} added, {self.count('change')} changed, "
                f"{self.count('unchanged')} unchanged")


def plan(store: Store, rows: list[PracticeRow]) -> Plan:
    """What loading `rows` would do to the table: two reads, no writes."""
    held = {p.practice_ods: p for p in store.directory.practices()}
    wanted = [c.coach_id for row in rows for c in row.coaches]
    coaches = {c.coach_id: c for c in store.directory.coaches(
        [*wanted, *(s.coach_id for r in rows if r.practice_ods in held
                    for s in held[r.practice_ods].sessions)])}
    coach_changes = [Change(c.coach(row.practice_ods, coaches.get(c.coach_id)),
                            coaches.get(c.coach_id)) for row in rows for c in row.coaches]
    listed_coaches = [c.new for c in coach_changes]
    practice_changes = [Change(row.practice(held.get(row.practice_ods), listed_coaches),
                               held.get(row.practice_ods)) for row in rows]
    listed = set(wanted)
    left = {c.coach_id for c in coaches.values() if c.coach_id not in listed}
    return Plan(practice_changes, coach_changes, len(left))


def apply(store: Store, planned: Plan) -> None:
    """Write what the plan adds or changes, each conditional on what it read."""
    for p in planned.practices:
        if p.action != "unchanged":
            store.directory.put_practice(p.new, p.was)
    for c in planned.coaches:
        if c.action != "unchanged":
            store.directory.put_coach(c.new, c.was)


def load(store: Store, text: str) -> Plan:
    """Check, plan and write: the whole import, as the command runs it without --dry-run."""
    planned = plan(store, read(text))
    apply(store, planned)
    return planned


# -- what it shows -----------------------------------------------------------------------------


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def report(planned: Plan) -> str:
    """A table a person reads: each practice and coach, and what happens to it."""
    practices = [("ODS code", "Practice", "What happens")] + [
        (p.new.practice_ods, p.new.name, p.action) for p in planned.practices]
    coaches = [("Coach id", "Name", "Practice", "Session", "Caseload", "What happens")] + [
        (c.new.coach_id, c.new.name, c.new.practice_ods, WEEKDAYS[c.new.weekday].capitalize(),
         str(c.new.active), c.action) for c in planned.coaches]
    lines = ["Practices", *_columns(practices), "Coaches", *_columns(coaches)]
    if planned.coaches_not_in_file:
        lines.append(f"{planned.coaches_not_in_file} coach(es) at these practices are not in "
                     "the file: left as they are, sessions and clients (a session is removed "
                     "on /manage/coaches)")
    return "\n".join(lines)


# -- the local stack, and a deployed stack -----------------------------------------------------


def pilot() -> dict[str, Any]:
    """The pilot's practices, their coaches, and the made-up people who sign in."""
    found: dict[str, Any] = json.loads(PILOT.read_text())
    return found


def pilot_practices() -> list[dict[str, Any]]:
    return list(pilot()["practices"])


def seed(store: Store) -> Plan:
    """The pilot's practices and coaches (the local stack's and the tests' initial import)."""
    return load(store, PILOT.read_text())


def stack_store(stack: str, cloudformation: Any) -> Store:
    """The store over a deployed stack's tables, found by their logical ids."""
    names = [cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=table)
             ["StackResourceDetail"]["PhysicalResourceId"] for table in TABLES]
    return Store(*names)


def main(argv: Sequence[str] | None = None, cloudformation: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.seed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="the stack's name, e.g. working-better-staging")
    where.add_argument("--env", help="staging or production (samconfig.toml names the stack)")
    parser.add_argument("--region", help="the stack's region (with --stack; else AWS's own)")
    parser.add_argument("--file", required=True, type=Path, help="the practices file (JSON)")
    parser.add_argument("--dry-run", action="store_true", help="show what it would do; write "
                        "nothing")
    args = parser.parse_args(argv)
    try:
        rows = read(args.file.read_text())
    except Refused as refused:
        print(f"{args.file} has mistakes: nothing was written.", *refused.problems,
              sep="\n  ", file=sys.stderr)
        return 1
    stack, cloudformation = _stack(args.stack, args.env, args.region, cloudformation)
    try:
        store = stack_store(stack, cloudformation)
    except ClientError as error:  # AWS's own words: a stack's name, never anyone's data
        print(f"The stack {stack}'s tables were not found: "
              f"{error.response.get('Error', {}).get('Message', error)}", file=sys.stderr)
        return 1
    planned = plan(store, rows)
    print(report(planned))
    if args.dry_run:
        print(f"Dry run, nothing written: it would be {planned.summary()}.")
        return 0
    try:
        apply(store, planned)
    except ConditionFailed as lost:
        print(f"{lost} was changed by someone else while this ran: not overwritten. "
              "Run it again to see the difference.", file=sys.stderr)
        return 1
    print(planned.summary() + ".")
    return 0


def _stack(stack: str | None, environment: str | None, region: str | None,
           cloudformation: Any) -> tuple[str, Any]:
    """The stack's name, and a CloudFormation client in its region."""
    if environment is not None:
        from infra.deploy import target  # samconfig.toml: the stack and region of each env

        found = target(environment)
        stack, region = found.stack, found.region
    if cloudformation is None:
        import boto3

        session = boto3.Session(region_name=region) if region else boto3.Session()
        boto3.setup_default_session(region_name=session.region_name)  # the store's too
        cloudformation = session.client("cloudformation")
    return str(stack), cloudformation


if __name__ == "__main__":
    sys.exit(main())

