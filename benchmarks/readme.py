"""Copies benchmarks/results.md into docs/benchmarks.md, between its two bench markers, so the
docs show the latest `make bench` as it ran (the results' own title is left out)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- bench:start (python -m benchmarks.readme) -->", "<!-- bench:end -->"


def with_results(readme: str, results: str) -> str:
    if START not in readme or END not in readme:
        raise ValueError(f"docs/benchmarks.md has no {START} … {END} section")
    # Its title goes; its sections sit under the page's own "Results" heading.
    body = "\n".join("#" + line if line.startswith("## ") else line
                     for line in results.strip().splitlines() if not line.startswith("# "))
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{body.strip()}\n{END}{after}"


def main() -> int:
    readme, results = ROOT / "docs" / "benchmarks.md", ROOT / "benchmarks" / "results.md"
    readme.write_text(with_results(readme.read_text(), results.read_text()))
    print(f"{readme.name}: the benchmark section now shows {results.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
