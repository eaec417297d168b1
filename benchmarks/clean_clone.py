"""How long `make test` takes on a clean clone, as a newcomer or CI first runs it.

Clones this repository's HEAD (what is committed, nothing else) into a new directory, then
times `make install` (the venv from the lock files, node_modules) and `make test` there, and
deletes the clone. The headline is the two together: `make test` on a clean clone installs
first. Its output is kept in a log beside the clone until then; pytest's summary is printed (and the
log's end, when it failed).

    python -m benchmarks.clean_clone [--dry-run]

--dry-run clones and asks make what `make install` would run (`make -n install`: `make -n
test` would run its sub-makes), timing nothing worth reporting: a smoke run of this benchmark.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import figures

ROOT = Path(__file__).resolve().parents[1]
SHOWN = 30  # lines of the log's end, when it failed


def timed(what: list[str], where: Path, log: Path) -> tuple[int, float]:
    """The command's exit code and minutes, its output appended to the log."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WB_", "VIRTUAL_ENV", "PYTEST_"))}
    started = time.monotonic()
    with log.open("a") as out:
        done = subprocess.run(what, cwd=where, env=env, stdout=out,  # noqa: S603 - make, git
                              stderr=subprocess.STDOUT, check=False)
    return done.returncode, (time.monotonic() - started) / 60


def shown(lines: list[str], failed: bool) -> list[str]:
    """pytest's headings and summary and make's section lines ("=" first); the end of the log
    too when it failed."""
    return [line for line in lines if line.startswith("=")][-12:] + (
        lines[-SHOWN:] if failed else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="make -n install: a smoke run")
    parser.add_argument("--figures", type=Path, help="write the headline figures here (JSON)")
    args = parser.parse_args()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,  # noqa: S607
                          capture_output=True, text=True, check=True).stdout.strip()
    place = Path(tempfile.mkdtemp(prefix="wb-clean-clone-"))
    clone, log = place / "working-better", place / "make.log"
    try:
        code, _ = timed(["git", "clone", "-q", str(ROOT), str(clone)], place, log)
        if code != 0:
            print(f"git clone failed:\n{log.read_text()[-3000:]}")
            return code
        steps = [["make", "-n", "install"]] if args.dry_run else [["make", "install"],
                                                              ["make", "test"]]
        minutes: list[float] = []
        for step in steps:
            print(f"  {' '.join(step)} in a clean clone of {head}…", file=sys.stderr,
                  flush=True)
            code, took = timed(step, clone, log)
            minutes.append(took)
            if code != 0:
                break
        tail = shown(log.read_text().splitlines(), failed=code != 0)
    finally:
        shutil.rmtree(place, ignore_errors=True)
    whole = sum(minutes)
    if not args.dry_run:
        figures.write(args.figures, {"make_test_minutes": whole if code == 0 else None})
    split = ", ".join(f"`{' '.join(s)}` {m:.1f}" for s, m in zip(steps, minutes, strict=False))
    print(f"A clean clone of {head}: **{whole:.1f} minutes** ({split}; "
          f"{'passed' if code == 0 else f'exit {code}'}), load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. What it said:\n")
    print("\n".join(f"    {line}" for line in tail))
    return code


if __name__ == "__main__":
    sys.exit(main())
