# Two commands for a fresh machine (Python 3.11+): `make demo` and `make test`.
# Each installs what it needs, pinned, into .venv/ first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export PYTHONPATH := $(CURDIR):$(CURDIR)/lambda_src

.PHONY: demo test lint unit emulator clean

$(INSTALLED): requirements.txt requirements-lambda.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

## The janitor against the local Bedrock emulator: a dry run, then a real run.
demo: $(INSTALLED)
	$(BIN)/python -m localdev.demo

## Lint, type-check and every test.
test: lint
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lambda_src localdev emulator tests

## The emulator on its own, for the AWS CLI: make emulator ARGS="--port 4567 --seed-demo"
emulator: $(INSTALLED)
	$(BIN)/python -m emulator $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
