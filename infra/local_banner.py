"""What `make run` prints when it starts: where everything is, the practices and their coaches,
a person to sign in as for every role, tokens for the API as lines a shell can paste, and how
to watch the runs."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person
from infra.seed import pilot_practices
from infra.template import REGION
from workingbetter.domain.slots import WEEKDAYS

if TYPE_CHECKING:
    from infra.local_stack import LocalSettings, Stack


def _practices() -> dict[str, dict[str, Any]]:
    return {p["practice_ods"]: p for p in pilot_practices()}


def _days(weekday: int) -> str:
    return f"{WEEKDAYS[weekday].capitalize()}s"


def _role(person: Person, practices: dict[str, dict[str, Any]]) -> str:
    """What a person does and where: "coach at City Road Medical Centre (F83001), Mondays"."""
    if person.role == "referrer" and person.practice_ods in practices:
        return (f"practice staff at {practices[person.practice_ods]['name']} "
                f"({person.practice_ods})")
    for ods, practice in practices.items():
        for coach in practice["coaches"]:
            if person.role == "coach" and coach["coach_id"] == person.coach_id:
                return f"coach at {practice['name']} ({ods}), {_days(coach['weekday'])}"
    return {"ops": "service manager (ops)", "manager": "people manager (invites, disables)"
            }.get(person.role, person.role)


def _coaches(practices: dict[str, dict[str, Any]]) -> list[str]:
    """Which coach works where, and on which day."""
    return [f"  {p['name']} ({ods}): " + ", ".join(
                f"{c['name']} ({c['coach_id']}) on {_days(c['weekday'])}" for c in p["coaches"])
            for ods, p in practices.items()]


def shell_lines(api_url: str, tokens: dict[str, str], curl_as: str = "OPS") -> list[str]:
    """Lines a shell runs as pasted: each token as a variable, then a request that uses one."""
    return [*(f"export {name}={shlex.quote(token)}" for name, token in tokens.items()),
            f'curl -s -H "Authorization: Bearer ${curl_as}" {api_url}/practices']


def banner(stack: Stack, settings: LocalSettings) -> str:
    practices = _practices()
    people = {p.role: p for p in reversed(stack.people)}  # the first of each role
    width = max(len(p.name) for p in stack.people)
    roles = {p: _role(p, practices) for p in stack.people}
    role_width = max(map(len, roles.values()))
    tokens = {"REFERRER": people["referrer"], "COACH": people["coach"], "OPS": people["ops"],
              "MANAGER": people["manager"]}
    lines = [
        "",
        "Working Better is running locally.",
        f"  Web pages      {stack.api_url}/login",
        f"  API            {stack.api_url}   (with a token: see the lines below)",
        f"  Outcomes       {stack.api_url}/reports   (ops or the commissioner; `make report`)",
        f"  Messages       {stack.api_url}/dev/messages   (what was sent: texts, emails, "
        "letters)",
        f"  Notify (local) {stack.notify.url}",
        f"  AWS (moto)     {stack.aws_url}",
        f"  Processes      {stack.processes}",
        f"  State machine  {stack.built.state_machine_arn}",
        f"  User pool      {stack.built.pool.pool_id} (moto's Cognito)",
        f"  Service day    {settings.seconds_per_day:g} s (WB_SECONDS_PER_DAY)",
        *[f"  Schedule       {s.name}: every {s.every:g} s" for s in stack.scheduler.schedules],
        "",
        "The practices and their coaches (each holds one surgery session a week there):",
        *_coaches(practices),
        "",
        f"Sign in at /login as any of these, password {DEMO_PASSWORD}:",
        *[f"  {p.name:<{width}}  {roles[p]:<{role_width}}  {p.email}" for p in stack.people],
        f"  then an authenticator code: locally any 6 digits, e.g. {LOCAL_CODE}",
        "",
        "ID tokens for the API, for an hour (`python -m infra.tokens --help` prints fresh "
        "ones): " + ", ".join(f"{name} is {p.name}'s" for name, p in tokens.items()) + ".",
        "Paste these lines into a shell:",
        *[f"  {line}" for line in shell_lines(stack.api_url, {
            name: stack.built.pool.id_token(person) for name, person in tokens.items()})],
        "",
        "Watch the runs with the AWS CLI:",
        f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws stepfunctions list-executions"
        f" --endpoint-url {stack.aws_url} --region {REGION}"
        f" --state-machine-arn {stack.built.state_machine_arn}",
        "",
        "Everything is kept in memory: Ctrl-C stops the stack and loses every referral,",
        "run and message. The log below shows warnings, errors and a line a minute;",
        "`make run VERBOSE=1` (or WB_VERBOSE=1) shows every line.",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


