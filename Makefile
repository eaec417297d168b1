# Two commands for a newcomer: `make run` starts the whole service locally, `make test` checks it.
# Both create .venv and install the project on first use (Python 3.11+ needed as python3).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# checkov pins versions of boto3 and packaging that clash with the service's: own venv.
CHECKOV := .venv-checkov
export TZ := UTC

.PHONY: run test lint install clean

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed as $(PYTHON)"; exit 1; }
	@echo "Installing into $(VENV) (first run only)…"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(CHECKOV)/.installed:
	@test -d $(CHECKOV) || $(PYTHON) -m venv $(CHECKOV)
	@$(CHECKOV)/bin/python -m pip install --quiet --upgrade pip
	@$(CHECKOV)/bin/python -m pip install --quiet 'checkov>=3.2,<4'
	@touch $@

run: install
	$(BIN)/python -m infra.local_stack

lint: install $(CHECKOV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy functions infra tests benchmarks
	$(BIN)/cfn-lint template.yaml
	$(CHECKOV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
		-f template.yaml

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) $(CHECKOV) .pytest_cache .mypy_cache .ruff_cache
