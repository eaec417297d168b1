"""The code's shape, as docs/architecture.md §2 draws it: modules form layers, and no module
imports one that imports it back, not even inside a function (a lazy import hides a cycle
from Python, not from the reader)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "workingbetter"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def imported(path: Path, known: set[str]) -> Iterator[str]:
    """Every workingbetter module the file imports, wherever the import statement is."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("workingbetter"):
            module = str(node.module)
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield submodule if submodule in known else module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("workingbetter"))


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {name: {m for m in imported(path, known) if m in known and m != name}
            for name, path in files.items()}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reach = {node: reachable(graph, node) for node in graph}
    looped = [node for node in graph if node in reach[node]]
    groups = {frozenset(m for m in looped if m in reach[n] and n in reach[m]) | {n}
              for n in looped}
    return sorted(sorted(group) for group in groups)


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]



def test_only_the_wiring_and_the_entry_points_read_settings() -> None:
    """Settings are passed to what needs them: nothing else reads them from the environment."""
    readers = {name for name, uses in import_graph().items()
               if "workingbetter.settings" in uses and "get_settings" in
               (PACKAGE.parent / (name.replace(".", "/") + ".py")).read_text()}
    assert readers <= {"workingbetter.wiring"}


# Lower layers never import higher ones (docs/architecture.md §2), and packages side by side in
# a layer do not import each other. The entry points (handlers) are the one place that puts the
# app together: they register the pages' and the FHIR routes' blueprints, which build on what
# every route shares (routing) and on the services the wiring builds.
LAYERS = {"domain": 0, "adapters": 1, "notifications": 2, "services": 3, "reports": 3,
          "wiring": 4, "routing": 5, "web": 6, "fhir": 6, "handlers": 7}
# Read by every layer: the settings' type, logging and metrics. Only the wiring builds things.
SHARED = {"workingbetter.settings", "workingbetter.observability"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else module


def _above_or_beside(used: str, user: str) -> bool:
    level = LAYERS.get(used, len(LAYERS))
    return level > LAYERS[user] or (level == LAYERS[user] and used != user)


def test_each_layer_uses_only_the_layers_below_it() -> None:
    upward = [f"{module} -> {used}" for module, uses in sorted(import_graph().items())
              for used in sorted(uses)
              if layer_of(module) in LAYERS and used not in SHARED
              and _above_or_beside(layer_of(used), layer_of(module))]
    assert upward == []


def test_every_module_is_in_a_layer() -> None:
    loose = {m for m in import_graph() if layer_of(m) not in LAYERS}
    assert loose == {"workingbetter", *SHARED}


def test_pages_and_routes_ask_services_never_the_store_or_the_workflow() -> None:
    """The entry points (the JSON routes, the pages, the FHIR routes) call services, which the
    wiring builds with what they use: none reaches into the store or the workflow itself."""
    reaches = []
    for package in ("handlers", "web", "fhir", "routing"):
        for path in sorted((PACKAGE / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in {"store", "workflow"}:
                    reaches.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
    assert reaches == []
