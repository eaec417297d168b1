# Two commands for a newcomer: `make run` starts the whole service locally, `make test` checks it.
# Both create .venv and install the project on first use (Python 3.11+ needed as python3).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every Python package comes from a lock file with hashes (requirements/*.lock, made by uv from
# pyproject.toml: docs/dependencies.md). Nothing is resolved at install time, so a release on
# PyPI cannot change what a clean clone runs.
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
# checkov pins versions of boto3 and packaging that clash with the service's: own venv, own lock.
CHECKOV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV)/.installed-$(shell cat requirements/checkov.lock | cksum | cut -d' ' -f1)
export TZ := UTC

NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint install clean browser package report demo bench lock

# uv itself comes from its own hashed lock (pip can check hashes; it then does the rest, fast):
# `uv pip sync` makes the venv exactly the lock, removing anything else.
$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed as $(PYTHON)"; exit 1; }
	@echo "Installing into $(VENV) from $(LOCK) (first run only)…"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		--no-deps -r requirements/uv.lock
	@$(BIN)/uv pip sync --quiet --python $(BIN)/python $(LOCK)
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

# After editing pyproject.toml's dependencies (or to take newer releases: `make lock UPGRADE=1`):
# every lock file again, from the same inputs. tests/unit/test_locks.py fails until this is run.
lock: $(STAMP)
	@PYTHON=$(BIN)/python $(BIN)/python -m infra.locks $(if $(UPGRADE),--upgrade)

# GOV.UK Frontend (styles served by the local stack) and axe-core (browser tests), from npm.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)"; exit 1; }
	@echo "Installing node_modules (npm ci)…"
	@npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-* && touch $@

install: $(STAMP) $(NODE_STAMP)

# The browser tests drive Debian's Chromium; nothing downloads a browser of its own.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; \
		else echo "Chromium is missing and this user cannot install it: run" \
			"'apt-get install chromium' as root. The browser tests will be skipped."; exit 0; fi; \
		echo "Installing Chromium for the browser tests (apt-get, first run only)…"; \
		$$SUDO apt-get update -q >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q \
			chromium >/dev/null; \
	fi

$(CHECKOV_STAMP): $(STAMP)
	@test -d $(CHECKOV) || $(PYTHON) -m venv $(CHECKOV)
	@$(BIN)/uv pip sync --quiet --python $(CHECKOV)/bin/python requirements/checkov.lock
	@rm -f $(CHECKOV)/.installed-* && touch $@

run: install
	$(BIN)/python -m infra.local_stack

# Against the running `make run` (where its stack file says): the outcome report as plain-text
# tables, and a demo population walked along the pathway through the HTTP API (start the stack
# with a fast clock for it: WB_SECONDS_PER_DAY=0.5 make run). DEMO_REFERRALS sets how many (300).
report: install
	$(BIN)/python -m infra.report

demo: install
	$(BIN)/python -m infra.demo --referrals $(or $(DEMO_REFERRALS),300)

# checkov's venv (first run only) installs while ruff, mypy and cfn-lint run.
lint: install
	@$(MAKE) --no-print-directory $(CHECKOV_STAMP) & installing=$$!; \
	$(BIN)/ruff check . && \
	$(BIN)/mypy functions infra statemachines tests benchmarks && \
	$(BIN)/cfn-lint template.yaml; checked=$$?; \
	wait $$installing && [ $$checked = 0 ] && \
	$(CHECKOV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
		-f template.yaml

# Two workers (the files spread between them; a file's tests stay together for its fixtures).
# The linters run beside them: the suite leaves a core idle while its runs wait on the service
# clock. Their output follows the suite's; either failing fails `make test`.
test: install browser
	@log=$$(mktemp); $(MAKE) --no-print-directory lint >$$log 2>&1 & linting=$$!; \
	$(BIN)/pytest -n 2 --dist loadfile; tested=$$?; \
	wait $$linting; linted=$$?; echo "== make lint"; cat $$log; rm -f $$log; \
	[ $$tested = 0 ] && [ $$linted = 0 ]

# Each function's deployment package as `sam build` makes it (functions/Makefile), without SAM
# or Docker, in build/lambda/<function>, and its unzipped size. Uses $(PYTHON)'s pip, not .venv.
package:
	@$(MAKE) -s -C functions package PYTHON=$(PYTHON)

# Every benchmark (journey, intake, scale to 10,000 referrals, pages, cold starts, package
# sizes), niced: over an hour on 2 cores. Writes benchmarks/results.md; README shows it.
bench: install package
	nice -n 19 $(BIN)/python -m benchmarks.bench
	$(BIN)/python -m benchmarks.readme

clean:
	rm -rf build $(VENV) $(CHECKOV) .pytest_cache .mypy_cache .ruff_cache node_modules test-artifacts
