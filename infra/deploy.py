"""`make deploy ENV=staging|production`: the whole service into the council's AWS account.

1. The edge stack (infra/us-east-1.yaml, the CloudFront WAF) in us-east-1, where CloudFront's
   web ACLs must live; its WebAclArn goes to the service's stack as EdgeWebAclArn.
2. `sam build` and `sam deploy --config-env ENV` (samconfig.toml: stack name, region, tags),
   with the council's parameters from a file kept outside git: ~/.working-better/<ENV>.json,
   or the file WB_DEPLOY_PARAMETERS names, a JSON object of template.yaml's parameters.
3. GOV.UK Frontend's stylesheet, fonts and images (node_modules, the version package-lock.json
   pins) into the stack's assets bucket under assets/, and CloudFront told to fetch them again.
4. A smoke check at the public address: the sign-in page, the stylesheet, and API Gateway's own
   address refusing a request that did not come through CloudFront.

`--dry-run` prints the commands instead of running them (and checks the parameters file).
Nothing here reads a secret: the Notify key goes into Secrets Manager by hand (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infra.template import ROOT, load

ENVIRONMENTS = ("staging", "production")
EDGE_TEMPLATE = "infra/us-east-1.yaml"
EDGE_REGION = "us-east-1"  # CloudFront's web ACLs and certificates live there
FRONTEND = Path("node_modules/govuk-frontend/dist/govuk")
ASSET_FOLDERS = ("fonts", "images")  # what web/assets.py serves locally, besides the CSS
STYLESHEET = "govuk-frontend.min.css"
ASSET_CACHE = "public, max-age=86400"
# Set by infra/deploy.py itself, never by the council's file.
DERIVED = {"Environment", "EdgeWebAclArn"}

Runner = Callable[[list[str]], str]


class Refused(Exception):
    """The deploy cannot start: the message says what to fix."""


@dataclass(frozen=True)
class Target:
    environment: str
    stack: str
    region: str

    @property
    def edge_stack(self) -> str:
        return f"{self.stack}-edge"


def target(environment: str) -> Target:
    if environment not in ENVIRONMENTS:
        raise Refused(f"ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    with (ROOT / "samconfig.toml").open("rb") as handle:
        deploy = tomllib.load(handle)[environment]["deploy"]["parameters"]
    return Target(environment, str(deploy["stack_name"]), str(deploy["region"]))


def parameters_file(environment: str) -> Path:
    given = os.environ.get("WB_DEPLOY_PARAMETERS")
    return Path(given) if given else Path.home() / ".working-better" / f"{environment}.json"


@functools.cache
def _declared() -> dict[str, dict[str, object]]:
    parameters: dict[str, dict[str, object]] = load()["Parameters"]
    return parameters


def read_parameters(path: Path) -> dict[str, str]:
    """The council's parameters, checked against template.yaml's before anything runs."""
    if not path.is_file():
        raise Refused(f"No parameters file at {path}: docs/deploy.md, 'Your parameters'")
    given = json.loads(path.read_text())
    if not isinstance(given, dict):
        raise Refused(f"{path} must hold one JSON object of template.yaml's parameters")
    declared = _declared()
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise Refused(f"{path}: template.yaml has no parameter {', '.join(unknown)}")
    derived = sorted(set(given) & DERIVED)
    if derived:
        raise Refused(f"{path}: make deploy sets {', '.join(derived)} itself; remove it")
    missing = sorted(name for name, p in declared.items()
                     if "Default" not in p and name not in given and name not in DERIVED)
    if missing:
        raise Refused(f"{path} is missing {', '.join(missing)}: docs/deploy.md, "
                      "'Your parameters'")
    # NotifyTemplates may be written as an object; the stack takes it as a JSON string.
    return {name: value if isinstance(value, str) else json.dumps(value)
            for name, value in given.items()}


def sam_override(name: str, value: str) -> str:
    """One `--parameter-overrides` item as sam reads it: quoted, with inner quotes escaped
    (sam unescapes only \\" and \\', so a backslash could not arrive intact)."""
    if "\\" in value:
        raise Refused(f"{name} holds a backslash, which sam cannot pass on; remove it")
    return f'{name}="{value.replace(chr(34), chr(92) + chr(34))}"'


def stack_output(run: Runner, stack: str, region: str, key: str) -> str:
    return run(["aws", "cloudformation", "describe-stacks", "--region", region,
                "--stack-name", stack, "--output", "text", "--query",
                f"Stacks[0].Outputs[?OutputKey=='{key}'].OutputValue"]).strip()


def deploy(run: Runner, where: Target, parameters: dict[str, str], in_ci: bool) -> None:
    run(["aws", "cloudformation", "deploy", "--region", EDGE_REGION,
         "--stack-name", where.edge_stack, "--template-file", EDGE_TEMPLATE,
         "--no-fail-on-empty-changeset", "--tags", "service=working-better",
         f"environment={where.environment}"])
    web_acl = stack_output(run, where.edge_stack, EDGE_REGION, "WebAclArn")
    sam = os.environ.get("SAM", "sam")  # make deploy passes its SAM (the sam on PATH)
    run([sam, "build", "--config-env", where.environment])
    overrides = {**parameters, "Environment": where.environment, "EdgeWebAclArn": web_acl}
    run([sam, "deploy", "--config-env", where.environment,
         *(["--no-confirm-changeset"] if in_ci else []),
         "--parameter-overrides", *(sam_override(k, v) for k, v in overrides.items())])
    copy_assets(run, where)


def copy_assets(run: Runner, where: Target) -> None:
    bucket = stack_output(run, where.stack, where.region, "AssetsBucketName")
    # Only the folders the pages use; the stylesheet is copied on its own, after them (it
    # is left alone by the sync's --delete, which only looks at what it includes).
    run(["aws", "s3", "sync", "--region", where.region, str(FRONTEND / "assets"),
         f"s3://{bucket}/assets",
         "--delete", "--exclude", "*", *(f for d in ASSET_FOLDERS
                                          for f in ("--include", f"{d}/*")),
         "--cache-control", ASSET_CACHE])
    run(["aws", "s3", "cp", "--region", where.region, str(FRONTEND / STYLESHEET),
         f"s3://{bucket}/assets/{STYLESHEET}",
         "--content-type", "text/css; charset=utf-8", "--cache-control", ASSET_CACHE])
    distribution = stack_output(run, where.stack, where.region, "DistributionId")
    run(["aws", "cloudfront", "create-invalidation", "--distribution-id", distribution,
         "--paths", "/assets/*"])


def smoke_check(public_url: str, api_url: str) -> list[str]:
    """What a person would see first; an empty list when all is well."""
    problems = []
    for path, wanted, kind in (("/login", 200, "text/html"),
                               (f"/assets/{STYLESHEET}", 200, "text/css")):
        status, content_type = _get(public_url + path)
        if status != wanted or not content_type.startswith(kind):
            problems.append(f"{public_url}{path} answered {status} {content_type}")
    status, _ = _get(f"{api_url}/login")
    if status != 403:
        problems.append(f"API Gateway's own address answered {status}, not 403: requests "
                        "that skip CloudFront must be refused")
    return problems


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as answer:  # noqa: S310 - https from our outputs
            return int(answer.status), str(answer.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return int(error.code), str(error.headers.get("Content-Type", ""))


def _run(command: list[str]) -> str:
    print("+", shlex.join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE,  # noqa: S603
                          text=True).stdout


def _dry_run(command: list[str]) -> str:
    """Print the command; a stack's output is shown as <its name>."""
    print(shlex.join(command))
    output = re.search(r"OutputKey=='(\w+)'", command[-1])
    return f"<{output[1]}>" if output else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    parser.add_argument("--smoke-only", action="store_true",
                        help="only check the deployed service (after DNS points at it)")
    args = parser.parse_args()
    try:
        where = target(args.env)
        parameters = read_parameters(parameters_file(args.env))
        if not args.smoke_only:
            deploy(_dry_run if args.dry_run else _run, where, parameters,
                   in_ci=os.environ.get("CI") == "true")
    except Refused as refused:
        sys.exit(str(refused))
    if args.dry_run:
        return
    api_url = stack_output(_run, where.stack, where.region, "ApiUrl")
    problems = smoke_check(parameters["PublicUrl"], api_url)
    for problem in problems:
        print("smoke check:", problem, file=sys.stderr)
    if problems:
        sys.exit("The stack is deployed but not yet answering as it should. On a first deploy, "
                 "point DNS at the CloudFrontDomainName output, wait, then run "
                 f"make smoke ENV={where.environment} (docs/deploy.md).")


if __name__ == "__main__":
    main()
