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
# The SAM command line (`make proof`) pins its own boto3, cfn-lint and more: own venv, own lock.
SAM := .venv-sam
SAM_STAMP := $(SAM)/.installed-$(shell cat requirements/sam.lock | cksum | cut -d' ' -f1)
export TZ := UTC
export SAM_CLI_TELEMETRY := 0

NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint install clean browser package report demo bench lock deploy smoke proof seed \
	screenshots

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

$(SAM_STAMP): $(STAMP)
	@test -d $(SAM) || $(PYTHON) -m venv $(SAM)
	@$(BIN)/uv pip sync --quiet --python $(SAM)/bin/python requirements/sam.lock
	@rm -f $(SAM)/.installed-* && touch $@

# The deployed build, proved offline. sam validates the template (cfn-lint) and builds every
# function as a deploy does (functions/Makefile: python3.12 on arm64, no container), into
# .aws-sam/build. The API is built again by the same recipe for this machine (.aws-sam/proof),
# and tests/proof loads it with nothing but what it ships and what Lambda provides (boto3),
# serving requests shaped as CloudFront hands them on; it checks the two builds ship the same
# files. `make test` runs this beside the suite.
# Each lock is installed once per platform into build/deps and copied into every function that
# uses it (functions/Makefile): ten functions, five locks.
PROOF_API := $(abspath .aws-sam/proof/ApiFunction)
proof: export DEPS := $(abspath build/deps)
proof: install $(SAM_STAMP)
	@$(SAM)/bin/sam validate --lint --region eu-west-2 --template-file template.yaml
	@mkdir -p .aws-sam && $(SAM)/bin/sam build --template-file template.yaml \
		>.aws-sam/build.log 2>&1 || { cat .aws-sam/build.log; exit 1; }
	@rm -rf $(PROOF_API)
	@$(MAKE) -s -C functions build-ApiFunction ARTIFACTS_DIR=$(PROOF_API) \
		PLATFORM=manylinux2014_$$(uname -m) \
		LAMBDA_PYTHON=$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
		>.aws-sam/proof-build.log 2>&1 || { cat .aws-sam/proof-build.log; exit 1; }
	@WB_PROOF_BUILT=1 $(BIN)/pytest -p no:cacheprovider -q -n 0 -m proof tests/proof


# Quiet by default (warnings, errors and a line a minute); VERBOSE=1 prints every line.
run: install
	$(BIN)/python -m infra.local_stack $(if $(VERBOSE),--verbose)

# Against the running `make run` (where its stack file says): the outcome report as plain-text
# tables, and a demo population walked along the pathway through the HTTP API (start the stack
# with a fast clock for it: WB_SECONDS_PER_DAY=0.5 make run). DEMO_REFERRALS sets how many (300).
report: install
	$(BIN)/python -m infra.report

demo: install
	$(BIN)/python -m infra.demo --referrals $(or $(DEMO_REFERRALS),300)

# The service's template and the CloudFront WAF's (infra/us-east-1.yaml).
TEMPLATES := template.yaml infra/us-east-1.yaml

# checkov's venv (first run only) installs while ruff, mypy and cfn-lint run. cfn-lint's
# informational checks too (I3011: every stateful resource says what happens to it on delete).
# actionlint checks the pipeline (.github/workflows).
lint: install
	@$(MAKE) --no-print-directory $(CHECKOV_STAMP) & installing=$$!; \
	$(BIN)/ruff check . && \
	$(BIN)/mypy functions infra statemachines tests benchmarks && \
	$(BIN)/cfn-lint --include-checks I -- $(TEMPLATES) && \
	$(BIN)/actionlint; checked=$$?; \
	wait $$installing && [ $$checked = 0 ] && \
	$(CHECKOV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
		$(addprefix -f ,$(TEMPLATES))

# Into the council's AWS account (docs/deploy.md): the CloudFront WAF in us-east-1, sam build and
# sam deploy --config-env $(ENV) (samconfig.toml) with the parameters the council keeps outside
# git (~/.working-better/$(ENV).json or $$WB_DEPLOY_PARAMETERS), GOV.UK Frontend's files to the
# assets bucket, then a smoke check at the public address. DRY_RUN=1 prints the commands.
# Needs the AWS CLI and SAM CLI on PATH, signed in to the account.
SAM ?= sam

deploy: install
	@test -n "$(ENV)" || { echo "Say which: make deploy ENV=staging (or ENV=production)"; exit 1; }
	@SAM=$(SAM) $(BIN)/python -m infra.deploy --env $(ENV) $(if $(DRY_RUN),--dry-run)

# The smoke check alone (after DNS points at CloudFront, on a first deploy).
smoke: install
	@test -n "$(ENV)" || { echo "Say which: make smoke ENV=staging (or ENV=production)"; exit 1; }
	@$(BIN)/python -m infra.deploy --env $(ENV) --smoke-only

# The council's practices and coaches into the deployed stack (docs/deploy.md, "Practices and
# coaches"): every row is checked first, then it shows what it adds, changes and leaves alone
# and writes that (DRY_RUN=1: shows it, writes nothing). Running it again changes nothing.
seed: install
	@test -n "$(ENV)" -a -n "$(FILE)" || \
		{ echo "Say which: make seed ENV=staging FILE=practices.json"; exit 1; }
	@$(BIN)/python -m infra.seed --env $(ENV) --file $(FILE) $(if $(DRY_RUN),--dry-run)

# Two workers (the files spread between them; a file's tests stay together for its fixtures).
# A third measured the same (16 min 16 s against 16 min 20 s on a clean clone) on more CPU.
# The linters and the proof of the deployed build run beside them: the suite leaves a core idle
# while its runs wait on the service clock. Their output follows the suite's; any failing fails
# `make test`. (The proof's own tests run in `make proof`, once it has built what they load.)
test: install browser
	@log=$$(mktemp); $(MAKE) --no-print-directory lint >$$log 2>&1 & linting=$$!; \
	proved=$$(mktemp); $(MAKE) --no-print-directory proof >$$proved 2>&1 & proving=$$!; \
	$(BIN)/pytest -n 2 --dist loadfile -m "not proof" --durations=25; tested=$$?; \
	wait $$linting; linted=$$?; echo "== make lint"; cat $$log; rm -f $$log; \
	wait $$proving; proof=$$?; echo "== make proof"; cat $$proved; rm -f $$proved; \
	[ $$tested = 0 ] && [ $$linted = 0 ] && [ $$proof = 0 ]

# Each function's deployment package as `sam build` makes it (functions/Makefile), without SAM
# or Docker, in build/lambda/<function>, and its unzipped size. Uses $(PYTHON)'s pip, not .venv.
package:
	@$(MAKE) -s -C functions package PYTHON=$(PYTHON) DEPS=$(abspath build/deps)

# Every benchmark (journey, intake, scale to 10,000 referrals, pages in process and over HTTP,
# cold starts, make demo, make test on a clean clone, package sizes), niced: well over an hour on
# 2 cores. Writes benchmarks/results.md (headline figures beside the last run's, kept in
# benchmarks/history.json); docs/benchmarks.md shows it.
bench: install package
	nice -n 19 $(BIN)/python -m benchmarks.bench
	$(BIN)/python -m benchmarks.readme

# The README's tour: PNGs of the key pages in docs/screenshots/, taken in Chromium from a local
# stack of its own with made-up patients (about a minute). Not part of `make test`.
screenshots: install browser
	$(BIN)/python -m benchmarks.screenshots

clean:
	rm -rf build $(VENV) $(CHECKOV) $(SAM) .aws-sam .pytest_cache .mypy_cache .ruff_cache node_modules test-artifacts
