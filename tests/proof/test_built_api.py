"""The deployed build, proved offline (`make proof`; `make test` runs it beside the suite).

`sam build` packs every function for python3.12 on arm64 (.aws-sam/build); the API is packed
again by the same recipe and lock for this machine (.aws-sam/proof), and both must ship the same
files. The API package is then loaded in a clean interpreter with nothing but what it ships and
what Lambda provides (the standard library, boto3 and its dependencies) and the environment
template.yaml's Globals give it, AWS faked by the local stack's moto. It serves API Gateway
proxy events as they arrive through CloudFront, whose origin is the API's stage (public `/login`
is the API's `/live/login`): every link, form, redirect and cookie must work at the public
address, so none may name the stage, the execute-api host or another domain.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from packaging.requirements import Requirement

from benchmarks.cold_start import lambda_environment
from infra.cognito import DEMO_PASSWORD, LOCAL_CODE, Person
from infra.local_stack import StackFile
from infra.template import REGION, LocalTemplate, load
from infra.tokens import local_pool
from tests import local_stack_process
from workingbetter.web import assets

pytestmark = pytest.mark.proof

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / ".aws-sam" / "build"
HOST_BUILT = ROOT / ".aws-sam" / "proof" / "ApiFunction"
PUBLIC_HOST = "workingbetter.northshire.gov.uk"
PUBLIC = f"https://{PUBLIC_HOST}"
ORIGIN_HOST = f"a1b2c3d4e5.execute-api.{REGION}.amazonaws.com"
STAGE = "live"
FORM = "application/x-www-form-urlencoded"
# A native library's name says what it was built for: the same library on either machine.
_NATIVE = re.compile(r"\.cpython-\d+-[a-z0-9_]+-linux-gnu\.so$|\.abi3\.so$")
_LINKED = re.compile(r'(?:href|src|action)="([^"]*)"')

NO_BUILD = ("no build to prove: `make proof` runs sam build (.aws-sam/build) and builds the API "
            "for this machine (.aws-sam/proof) before these tests")


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    """Skipped without a build, except in `make proof`, which has just made one."""
    if not (BUILT / "ApiFunction").is_dir() or not HOST_BUILT.is_dir():
        if os.environ.get("WB_PROOF_BUILT"):
            pytest.fail(NO_BUILD)
        pytest.skip(NO_BUILD)

# What the Lambda runtime does, in a clean interpreter: one event per line in, one answer per
# line out (stdout is kept for answers: the service logs to it). "modules" lists what was
# loaded from anywhere but the package, the runtime's boto3 and the standard library.
CHILD = """
import json, os, sys, types
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
package, runtime = sys.argv[1], sys.argv[2]
sys.path[:0] = [package, runtime]
import workingbetter
assert workingbetter.__file__.startswith(package), workingbetter.__file__
from workingbetter.handlers.api import app
context = types.SimpleNamespace(
    function_name=os.environ["AWS_LAMBDA_FUNCTION_NAME"], function_version="$LATEST",
    memory_limit_in_mb=512, aws_request_id="proof", log_group_name="proof",
    log_stream_name="proof", get_remaining_time_in_millis=lambda: 30000,
    invoked_function_arn="arn:aws:lambda:eu-west-2:123456789012:function:proof")
allowed = (package, runtime, sys.base_prefix)
for line in sys.stdin:
    if line.strip() == "modules":
        found = sorted({m.__file__ for m in list(sys.modules.values())
                        if getattr(m, "__file__", None) and not m.__file__.startswith(allowed)})
        answers.write(json.dumps(found) + "\\n")
    else:
        answers.write(json.dumps(app(json.loads(line), context)) + "\\n")
    answers.flush()
"""


def lambda_provides(into: Path) -> Path:
    """What the python3.12 runtime has beside the standard library: boto3 and what it needs
    (the versions the tests run), linked from this environment."""
    into.mkdir()
    wanted, seen = ["boto3"], set()
    while wanted:
        dist = importlib.metadata.distribution(wanted.pop())
        if dist.metadata["Name"] in seen:
            continue
        seen.add(dist.metadata["Name"])
        for required in map(Requirement, dist.requires or []):
            if required.marker is None or required.marker.evaluate({"extra": ""}):
                wanted.append(required.name)
        for top in {f.parts[0] for f in dist.files or []}:
            if top != ".." and not top.endswith((".dist-info", ".data")) \
                    and not (into / top).exists():
                (into / top).symlink_to(Path(str(dist.locate_file(top))))
    return into


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def links(self) -> list[str]:
        return [link.replace("&amp;", "&") for link in _LINKED.findall(self.body)]


@dataclass(frozen=True)
class Child:
    """The interpreter the built API runs in, and where its log goes."""

    process: subprocess.Popen[str]
    log: Path


@dataclass
class BuiltApi:
    """The built API in its own interpreter, spoken to as CloudFront's origin requests reach
    it: through API Gateway's `live` stage, with the viewer's protocol in the headers."""

    child: Child
    host: str = PUBLIC_HOST
    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        path, _, query = path.partition("?")
        headers = {
            "Host": self.host, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
            "CloudFront-Forwarded-Proto": "https", "CloudFront-Viewer-Country": "GB",
            "Via": "2.0 1a2b3c4d5e6f.cloudfront.net (CloudFront)",
            "X-Forwarded-For": "203.0.113.9, 130.176.1.1", "X-Amz-Cf-Id": "proof",
            "Accept": "text/html", "User-Agent": "Mozilla/5.0 (proof)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            headers["Content-Type"] = FORM
        params = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
        event = {
            "resource": path, "path": path, "httpMethod": method, "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": params or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in params.items()} or None,
            "pathParameters": None, "stageVariables": None,
            "body": urlencode(form) if form is not None else None, "isBase64Encoded": False,
            "requestContext": {
                "resourcePath": path, "httpMethod": method, "path": f"/{STAGE}{path}",
                "stage": STAGE, "domainName": ORIGIN_HOST, "apiId": ORIGIN_HOST.split(".")[0],
                "requestId": str(uuid.uuid4()), "protocol": "HTTP/1.1",
                "identity": {"sourceIp": "130.176.1.1", "userAgent": "Amazon CloudFront"}}}
        reply = self._ask(json.dumps(event))
        headers_out = {k.lower(): str(v) for k, v in (reply.get("headers") or {}).items()}
        multi = {k.lower(): v for k, v in (reply.get("multiValueHeaders") or {}).items()}
        cookies = [*multi.get("set-cookie", []),
                   *([headers_out["set-cookie"]] if "set-cookie" in headers_out else [])]
        for cookie in cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Answer(int(reply["statusCode"]), headers_out, cookies, reply.get("body") or "")

    def modules_from_elsewhere(self) -> list[str]:
        found: list[str] = self._ask("modules")
        return found

    def _ask(self, line: str) -> Any:
        process = self.child.process
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(line + "\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        assert answer, f"the built API stopped:\n{self.child.log.read_text()}"
        return json.loads(answer)


@pytest.fixture(scope="module")
def stack() -> Iterator[local_stack_process.Running]:
    running = local_stack_process.start()
    try:
        yield running
    finally:
        local_stack_process.stop(running)


@pytest.fixture(scope="module")
def environment(stack: local_stack_process.Running) -> dict[str, str]:
    """What a deployed API function has: the runtime's variables and template.yaml's Globals,
    the AWS resources being the local stack's (its moto, its pool, a secret made for this)."""
    secrets = boto3.client("secretsmanager", endpoint_url=stack.aws, region_name=REGION,
                           aws_access_key_id="proof", aws_secret_access_key="proof")
    secret = secrets.create_secret(
        Name=f"proof-{uuid.uuid4()}", SecretString=uuid.uuid4().hex * 2)["ARN"]
    resolved = StackFile.read(stack.stack_file).template_overrides()
    env = lambda_environment()
    env.update(LocalTemplate(load(), overrides={**resolved, "PublicUrl": PUBLIC}).
               function_environment({"WB_NOTIFY_TEMPLATES": env["WB_NOTIFY_TEMPLATES"],
                                     "WB_NHS_HASH_KEY_SECRET_ARN": secret}))
    del env["PYTHONPATH"]
    env.update({"LAMBDA_TASK_ROOT": str(HOST_BUILT), "AWS_ENDPOINT_URL": stack.aws,
                "AWS_ACCESS_KEY_ID": "proof", "AWS_SECRET_ACCESS_KEY": "proof",
                "POWERTOOLS_LOG_LEVEL": "WARNING"})
    return env


@pytest.fixture(scope="module")
def child(environment: dict[str, str],
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Child]:
    here = tmp_path_factory.mktemp("lambda")
    runtime = lambda_provides(here / "runtime")
    # -I -S: no site-packages, no PYTHON* variables, not even the current directory. Its log
    # goes to a file, which a full pipe could not block.
    log = here / "stderr.log"
    with log.open("w") as written:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, the test's own script
            [sys.executable, "-I", "-S", "-c", CHILD, str(HOST_BUILT), str(runtime)],
            env=environment, cwd=here, text=True, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=written)
    try:
        yield Child(process, log)
    finally:
        process.kill()
        process.wait(10)


@pytest.fixture(params=[PUBLIC_HOST, ORIGIN_HOST], ids=["host-public", "host-origin"])
def api(request: pytest.FixtureRequest, child: Child) -> BuiltApi:
    """CloudFront may hand on the viewer's Host or the origin's: the answers must not care."""
    return BuiltApi(child, host=request.param)


def at_the_public_address(answer: Answer) -> None:
    """Every link, form, redirect and cookie of an answer works at the public address."""
    for text in [answer.body, answer.location, *answer.cookies]:
        assert "execute-api" not in text
        assert f"/{STAGE}/" not in text
    for link in [*answer.links(), *([answer.location] if answer.location else [])]:
        assert link.startswith(("/", "#", f"{PUBLIC}/")), link
        assert not link.startswith("//"), link  # another host
        assert not link.startswith(f"/{STAGE}"), link
    for cookie in answer.cookies:
        attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
        assert "secure" in attributes, cookie
        assert not any(a.startswith("domain") for a in attributes), cookie  # host-only
    if answer.status != 303:
        assert answer.headers.get("strict-transport-security"), answer.headers


def test_the_sign_in_page_links_only_within_the_public_address(api: BuiltApi) -> None:
    page = api.send("GET", "/login")

    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    at_the_public_address(page)
    assert 'action="/login"' in page.body


def test_assets_are_linked_root_absolute_and_built_where_deploy_uploads_them(
        api: BuiltApi) -> None:
    """CloudFront sends /assets/* to S3: the page links there, and the files it links (and the
    fonts and images the stylesheet links) are in GOV.UK Frontend's build, as the local
    stack's asset route maps them (web/assets.py, which the deploy uploads by)."""
    page = api.send("GET", "/login")
    linked = [link for link in page.links() if link.startswith("/assets/")]
    assert "/assets/govuk-frontend.min.css" in linked

    stylesheet = assets.asset_file(None, assets.STYLESHEET)
    assert stylesheet is not None
    in_css = re.findall(r"url\(\"?(/assets/[^\")]+)", stylesheet.read_text())
    assert in_css, "the stylesheet links its fonts and images under /assets/"
    for link in {*linked, *in_css}:
        folder, _, name = link.removeprefix("/assets/").rpartition("/")
        assert assets.asset_file(folder or None, name.split("?")[0]) is not None, link


def test_a_page_that_needs_a_sign_in_sends_the_browser_to_the_public_sign_in(
        api: BuiltApi) -> None:
    first = api.send("GET", "/practice")
    assert first.status == 303
    assert first.location.startswith("/session/refresh?next=%2Fpractice")
    at_the_public_address(first)

    then = api.send("GET", first.location)
    assert (then.status, then.location) == (303, "/login")
    at_the_public_address(then)


def test_a_form_sent_with_mistakes_answers_a_gov_uk_error_page(api: BuiltApi) -> None:
    empty = api.send("POST", "/login", {"email": "", "password": ""})
    assert empty.status == 422
    assert 'href="#email"' in empty.body
    assert 'href="#password"' in empty.body
    at_the_public_address(empty)

    wrong = api.send("POST", "/login", {"email": "nobody@northshire.gov.uk",
                                        "password": "not-the-password"})
    assert wrong.status == 401
    assert "Enter a correct email address and password" in wrong.body
    at_the_public_address(wrong)


def test_a_signed_in_form_post_with_its_csrf_token_stays_at_the_public_address(
        api: BuiltApi, stack: local_stack_process.Running) -> None:
    referrer = Person("referrer", practice_ods="F83001")
    local_pool(stack.stack_file).add(referrer)

    asked = api.send("POST", "/login", {"email": referrer.email, "password": DEMO_PASSWORD})
    assert asked.status == 200  # the pool asks everyone for an authenticator code
    at_the_public_address(asked)
    hidden = dict(re.findall(r'name="(email|session)" value="([^"]+)"', asked.body))
    signed_in = api.send("POST", "/login/code", {**hidden, "code": LOCAL_CODE})
    assert (signed_in.status, signed_in.location) == (303, "/practice")
    assert any(c.startswith("wb_token=") for c in signed_in.cookies)
    at_the_public_address(signed_in)

    listed = api.send("GET", "/practice")
    assert listed.status == 200
    at_the_public_address(listed)

    form = api.send("GET", "/referrals/new")
    assert form.status == 200
    keys = dict(re.findall(r'name="(nonce|csrf)" value="([^"]+)"', form.body))
    sent = api.send("POST", "/referrals/new", {**keys, "given_name": ""})
    assert sent.status == 422
    assert "govuk-error-summary" in sent.body
    at_the_public_address(sent)


def test_the_package_runs_on_what_it_ships_and_what_lambda_provides(api: BuiltApi) -> None:
    assert api.send("GET", "/login").status == 200
    assert api.modules_from_elsewhere() == []


def test_the_build_for_this_machine_ships_the_same_files_as_the_deployed_one() -> None:
    """Only the native libraries are built for another machine; everything else is the same."""

    def files(root: Path) -> set[str]:
        return {_NATIVE.sub(".so", str(p.relative_to(root))) for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
                and not (p.parent.name.endswith(".dist-info") and p.name in ("RECORD", "WHEEL"))
                and not p.parent.name.endswith(".libs")}

    deployed, here = files(BUILT / "ApiFunction"), files(HOST_BUILT)
    assert deployed - here == set()
    assert here - deployed == set()
    assert any(name.startswith("workingbetter/web/templates/") for name in deployed)
    assert not any(name.startswith("boto3/") for name in deployed)  # Lambda provides it
    for function in [p for p in BUILT.iterdir() if p.is_dir()]:  # every function has its code
        assert (function / "workingbetter" / "handlers").is_dir(), function.name
