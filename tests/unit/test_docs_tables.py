"""The docs' tables that describe the code are checked against it, so they cannot drift: the
README once listed /ops three times with rows that disagreed, a setting that did not exist, and
a layer table the import test did not hold. Each test names what is missing from a doc and what
a doc names that the code does not have."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

from benchmarks.readme import with_results
from infra import engine, template_keys
from infra.local_stack import LocalSettings
from tests.unit.test_import_graph import LAYERS
from tests.unit.test_openapi import json_routes
from workingbetter.handlers.api import app
from workingbetter.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
METHODS = "GET|POST|PUT|PATCH|DELETE"
# A route as the docs write it in a table's first column: `GET, POST /referrals/{referral_id}`.
ROUTE = re.compile(rf"`((?:{METHODS})(?:, (?:{METHODS}))*) (/[^`\s]*)`")
CODE = re.compile(r"`([^`]+)`")
SEPARATOR = re.compile(r"\|[|:\- ]+")
Routes = set[tuple[str, str]]


def cells(line: str) -> list[str]:
    """A Markdown table row's cells (a `\\|` inside a cell is not a border)."""
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def rows(doc: str, heading: str | None = None) -> list[list[str]]:
    """Every body row of every table in the doc, or only under `heading` (up to the next
    heading of the same or a higher level)."""
    text = (DOCS / doc).read_text()
    if heading is not None:
        level = heading.split(" ", 1)[0]
        start = text.index(f"\n{heading}\n")
        end = re.search(rf"\n#{{1,{len(level)}}} ", text[start + 1:])
        text = text[start:start + 1 + end.start()] if end else text[start:]
    lines = [*text.splitlines(), ""]
    return [cells(line) for line, after in pairwise(lines)
            if line.startswith("|") and not SEPARATOR.fullmatch(line)
            and not SEPARATOR.fullmatch(after)]


def documented_routes(doc: str) -> Routes:
    return {(method, path) for row in rows(doc) for methods, path in ROUTE.findall(row[0])
            for method in methods.split(", ")}


def api_routes() -> Routes:
    return {(method, path) for path, method in json_routes()}


def app_routes() -> Routes:
    return {(method, path) for path, entries in app.routes.items() for method in entries}


def test_every_json_route_is_in_the_api_doc_and_nothing_else_is() -> None:
    documented = documented_routes("api.md")
    assert api_routes() - documented == set(), "routes missing from docs/api.md"
    assert documented - api_routes() == set(), "docs/api.md names routes that are no JSON route"


def test_every_page_is_in_the_pages_doc_and_nothing_else_is() -> None:
    # A page is a route whose handler is in the pages' package: every route the app has that
    # is not a JSON route (the line tests/unit/test_openapi.py draws).
    pages, documented = app_routes() - api_routes(), documented_routes("pages.md")
    assert pages, "the app has pages to compare"
    assert pages - documented == set(), "pages missing from docs/pages.md"
    assert documented - pages == set(), "docs/pages.md names routes that are no page"


def test_a_route_is_documented_once() -> None:
    written = [(method, path) for doc in ("api.md", "pages.md") for row in rows(doc)
               for methods, path in ROUTE.findall(row[0]) for method in methods.split(", ")]
    assert sorted({r for r in written if written.count(r) > 1}) == []


def variables(heading: str) -> dict[str, str]:
    """`WB_…` in the first column of the settings doc's table under `heading`: its default."""
    return {CODE.findall(row[0])[0]: row[1] for row in rows("settings.md", heading)}


def written(default: object) -> str:
    if isinstance(default, Path):
        return default.name
    if isinstance(default, float) and default.is_integer() and default >= 1000:
        return str(int(default))
    return str(default)


def test_every_service_setting_is_documented_with_its_default() -> None:
    documented = variables("## The service's settings (`Settings`)")
    fields = {f"WB_{name.upper()}": field for name, field in Settings.model_fields.items()}
    assert set(fields) - set(documented) == set(), "settings missing from docs/settings.md"
    assert set(documented) - set(fields) == set(), "docs/settings.md names settings that are not"
    for name, field in fields.items():
        said = documented[name]
        if field.is_required():
            assert said == "required", name
        elif field.default_factory is None and field.default is None:
            assert said == "unset", name
        elif field.default_factory is None:
            assert said == f"`{written(field.default)}`", name


def test_every_local_stack_setting_is_documented() -> None:
    documented = variables("## The local stack's own settings (`make run`)")
    fields = {f"WB_{name.upper()}": field for name, field in LocalSettings.model_fields.items()}
    assert set(fields) - set(documented) == set()
    assert set(documented) - set(fields) == set()
    for name in ("WB_PORT", "WB_AWS_PORT", "WB_NOTIFY_PORT", "WB_STACK_FILE"):
        assert documented[name] == f"`{written(fields[name].default)}`", name


def variables_in_the_code() -> set[str]:
    sources = [*(ROOT / "functions").rglob("*.py"), *(ROOT / "infra").glob("*.py"),
               *(ROOT / "benchmarks").glob("*.py"), ROOT / "Makefile", ROOT / "template.yaml"]
    return {name for source in sources
            for name in re.findall(r"\bWB_[A-Z0-9_]*[A-Z0-9]\b", source.read_text())}


def test_every_wb_variable_the_code_names_is_documented_and_no_other() -> None:
    documented = {*variables("## The service's settings (`Settings`)"),
                  *variables("## The local stack's own settings (`make run`)"),
                  *variables("## Other variables")}
    assert variables_in_the_code() - documented == set(), "missing from docs/settings.md"
    # A setting can be read only by pydantic (WB_ + the field's name): those are checked above.
    others = set(variables("## Other variables"))
    assert others - variables_in_the_code() == set(), "documented variables nothing reads"


def test_the_notify_templates_table_is_the_list_the_deploy_needs() -> None:
    documented = {CODE.findall(row[0])[0]: row
                  for row in rows("message-kinds.md", "## Notify templates")}
    needed = {t.key: t for t in template_keys.template_keys()}
    assert set(needed) - set(documented) == set(), "template keys missing from the docs"
    assert set(documented) - set(needed) == set(), "the docs list keys not needed"
    for key, t in needed.items():
        _, channel, to, fields, _ = documented[key]
        assert (channel, to, tuple(CODE.findall(fields))) == (t.channel, t.to, t.fields), key
    assert "  NotifyTemplates:" in (ROOT / "template.yaml").read_text()


def test_every_moto_patch_is_in_the_local_engine_doc_with_its_test() -> None:
    documented = {CODE.findall(row[0])[0]: CODE.findall(row[3])[0]
                  for row in rows("local-engine.md", "## Every patch of moto")}
    patches = {f"infra/{patch.__name__.rsplit('.', 1)[1]}.py" for patch in engine.PATCHES}
    assert patches - set(documented) == set(), "patches missing from docs/local-engine.md"
    assert set(documented) - patches == set(), "docs/local-engine.md names no patch"
    assert [test for test in documented.values() if not (ROOT / test).exists()] == []


def test_the_architecture_layer_table_is_the_one_the_import_test_holds() -> None:
    documented = {package.rstrip("/").removesuffix(".py"): int(rank)
                  for rank, packages, *_ in rows("architecture.md", "## 2. The shape")
                  if rank.isdigit() for package in CODE.findall(packages)}
    assert documented == LAYERS


def test_the_benchmark_results_shown_are_the_latest_written() -> None:
    shown = (DOCS / "benchmarks.md").read_text()
    assert with_results(shown, (ROOT / "benchmarks" / "results.md").read_text()) == shown


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in doc.read_text().splitlines()
            if re.match(r"#{1,6} ", line)}


def test_every_link_between_the_docs_reaches_its_file_and_heading() -> None:
    broken = []
    for doc in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"", doc.read_text()):
            link = "".join(target)
            if re.match(r"[a-z]+:", link):
                continue  # a web address
            path, _, anchor = link.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists() or (anchor and file.suffix == ".md"
                                     and anchor not in anchors(file)):
                broken.append(f"{doc.relative_to(ROOT)}: {link}")
    assert broken == []


def test_the_readme_is_short_and_links_every_doc() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300
    assert [doc.name for doc in sorted(DOCS.glob("*.md"))
            if f"](docs/{doc.name})" not in readme] == []
