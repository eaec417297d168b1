"""The lock files are the only source of installed packages: they must agree with what the
project asks for, pin moto exactly, carry hashes, and give the tests the deployed versions.

When one of these fails after editing pyproject.toml or functions/requirements*.txt, run
`make lock` (docs/dependencies.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.locks import DEV_LOCK, LOCKS, Lock

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])] = match[2]
    return found


def requirements_of(source: str) -> list[Requirement]:
    if source == "pyproject.toml":
        with (ROOT / source).open("rb") as handle:
            project = tomllib.load(handle)["project"]
        lines = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    else:
        lines = [line.split("#", 1)[0].strip() for line in (ROOT / source).read_text().splitlines()]
        lines = [line for line in lines if line and not line.startswith("-r ")]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.output)
def test_every_requirement_is_pinned_in_its_lock_within_what_is_asked(lock: Lock) -> None:
    pinned = pins(lock.output)
    for requirement in requirements_of(lock.source):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in {lock.output}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock.output} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`")


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.output)
def test_every_pin_carries_hashes(lock: Lock) -> None:
    text = (ROOT / lock.output).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, f"{block.splitlines()[0]} has no hash"


def test_moto_is_pinned_exactly_because_the_patches_read_its_internals() -> None:
    dev = [r for r in requirements_of("pyproject.toml") if r.name == "moto"]
    assert len(dev) == 1
    assert str(dev[0].specifier).startswith("=="), "moto must be pinned with ==, not a range"
    import moto
    assert moto.__version__ == str(dev[0].specifier)[2:], (
        "the installed moto is not the locked one: `make install`")


def test_each_function_ships_the_versions_the_tests_ran() -> None:
    dev = pins(DEV_LOCK)
    for lock in LOCKS:
        if lock.output.startswith("functions/"):
            for name, version in pins(lock.output).items():
                assert dev.get(name) == version, (
                    f"{lock.output} ships {name}=={version}; the tests run {dev.get(name)}")


def test_uv_is_bootstrapped_at_the_version_the_dev_lock_holds() -> None:
    assert pins("requirements/uv.lock")["uv"] == pins(DEV_LOCK)["uv"]


def test_the_makefiles_install_only_from_locks() -> None:
    top = (ROOT / "Makefile").read_text()
    functions = (ROOT / "functions" / "Makefile").read_text()
    assert "--upgrade pip" not in top
    editable = [line for line in top.splitlines() if re.search(r"-e '?\.", line)]
    assert editable
    assert all("--no-deps" in line for line in editable), "the project: --no-deps"
    assert "requirements.txt" not in re.sub(r"#[^\n]*", "", functions)
    assert "--require-hashes" in functions


def test_the_moto_patches_were_checked_against_the_locked_moto() -> None:
    from tests.unit.moto_internals import CHECKED_AGAINST
    assert pins(DEV_LOCK)["moto"] == CHECKED_AGAINST, (
        "moto moved: re-take the patches' fingerprints (docs/dependencies.md, 'A new moto')")
