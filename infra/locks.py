"""Write every lock file again from its inputs, with uv (`make lock`; `make lock UPGRADE=1`).

The inputs are pyproject.toml (the project and its dev tools), functions/requirements*.txt (each
Lambda function's packages, for the runtime in template.yaml: python3.12 on arm64) and
requirements/*.in (uv itself, checkov, the SAM command line). The functions' locks are
constrained by the dev lock, so the tests run exactly the versions that are deployed.
tests/unit/test_locks.py checks the result; docs/dependencies.md says when to run this.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_LOCK = "requirements/dev.lock"
# Lambda's runtime (template.yaml Globals: python3.12, arm64).
LAMBDA = ("--python-version", "3.12", "--python-platform", "aarch64-manylinux_2_28")
# Developers' machines and CI: any platform, the oldest Python the project supports.
DEVELOPERS = ("--universal", "--python-version", "3.11")


@dataclass(frozen=True, slots=True)
class Lock:
    source: str
    output: str
    target: tuple[str, ...]
    extra: tuple[str, ...] = ()


LOCKS = (
    Lock("pyproject.toml", DEV_LOCK, DEVELOPERS, ("--extra", "dev")),
    Lock("requirements/uv.in", "requirements/uv.lock", DEVELOPERS),
    Lock("requirements/checkov.in", "requirements/checkov.lock", DEVELOPERS),
    Lock("requirements/sam.in", "requirements/sam.lock", DEVELOPERS),
    Lock("functions/requirements.txt", "functions/requirements.lock", LAMBDA,
         ("-c", DEV_LOCK)),
    Lock("functions/requirements-api.txt", "functions/requirements-api.lock", LAMBDA,
         ("-c", DEV_LOCK)),
    Lock("functions/requirements-notify.txt", "functions/requirements-notify.lock", LAMBDA,
         ("-c", DEV_LOCK)),
    # Installed with --no-deps (functions/Makefile says why): the package alone.
    Lock("functions/requirements-chalice.txt", "functions/requirements-chalice.lock", LAMBDA,
         ("-c", DEV_LOCK, "--no-deps")),
    Lock("functions/requirements-notify-client.txt",
         "functions/requirements-notify-client.lock", LAMBDA, ("-c", DEV_LOCK, "--no-deps")),
)


def compile_command(lock: Lock, upgrade: bool) -> list[str]:
    uv = str(Path(sys.executable).with_name("uv"))
    return [uv, "pip", "compile", "--quiet", "--generate-hashes", *lock.target, *lock.extra,
            *(["--upgrade"] if upgrade else []), lock.source, "-o", lock.output]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true",
                        help="take the newest releases the inputs allow")
    upgrade = parser.parse_args().upgrade
    # The dev lock first: the functions' locks are constrained by it.
    for lock in LOCKS:
        print(f"Locking {lock.source} -> {lock.output}", flush=True)
        subprocess.run(compile_command(lock, upgrade), cwd=ROOT, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
