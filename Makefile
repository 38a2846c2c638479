# Two commands for a fresh machine (Python 3.11+, Node/npm): `make demo` and `make test`.
# Each installs what it needs, pinned, into .venv/ and node_modules/ first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
# checkov pins an old boto3, so it lives in a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_INSTALLED := $(CHECKOV_VENV)/.installed
export PYTHONPATH := $(CURDIR):$(CURDIR)/lambda_src
# The pinned CDK CLI under the pinned Node 22 (no end-of-life banners), the venv's python3 for
# cdk.json's "app", and the CLI's state kept inside the repo.
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/node_modules/node/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CDK_HOME := $(CURDIR)/.cdk
export CDK_DISABLE_CLI_TELEMETRY := true
CDK := $(CURDIR)/node_modules/.bin/cdk

# CONTEXT="-c key=value ...", the CDK context of synth and deploy. A value the shell would read as
# syntax (scheduleExpression=cron(0 4 * * ? *), rate(1 day)) is quoted for it, each -c 'key=value';
# a CONTEXT with quotes of its own, or not made of -c pairs, is passed as written.
empty :=
space := $(empty) $(empty)
lparen := (
rparen := )
SHELL_SYNTAX := $(lparen) $(rparen) * ? [ ] ; & | < > ~ ! { }
context_quoted = $(subst @@-c$(space),-c ',$(subst $(space)-c$(space),' -c ',@@$(strip $(CONTEXT))))'
context_has_syntax = $(strip $(foreach c,$(SHELL_SYNTAX),$(findstring $(c),$(CONTEXT))))
context_as_written = $(findstring ',$(CONTEXT))$(findstring ",$(CONTEXT))$(findstring @@,$(context_quoted))
CDK_CONTEXT = $(if $(context_has_syntax),$(if $(context_as_written),$(CONTEXT),$(context_quoted)),$(CONTEXT))

# make bench UPDATE_FIGURES=1 (or bench-quick, bench-retry-layers, bench-organization) writes the
# committed figures in benchmarks/results/; without it, results go to .bench/, ignored by git.
BENCH_OUTPUT = $(if $(filter 1 yes true,$(UPDATE_FIGURES)), --update-committed)

.PHONY: demo test lint docs emulator bench bench-quick bench-retry-layers bench-organization synth bootstrap deploy destroy clean

$(INSTALLED): requirements.txt requirements-lambda.txt requirements-dev.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	# The bedrock-eval-janitor command (janitor_cli/), editable: it runs this checkout's code.
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps -e .
	touch $@

$(CHECKOV_INSTALLED): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -qq --disable-pip-version-check -r requirements-checkov.txt
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The janitor against the local Bedrock emulator: a dry run, then a real run.
demo: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m localdev.demo

## Lint, type-check and every test.
test: lint $(NODE_INSTALLED) $(CHECKOV_INSTALLED)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app.py infra lambda_src janitor_cli localdev emulator tests benchmarks

## The documentation site (docs/, mkdocs.yml) into site/; any warning fails it. Material's banner about
## MkDocs 2.0 is turned off: it is not a warning about these docs.
docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

## The emulator on its own, for the AWS CLI: make emulator ARGS="--port 4567 --seed-demo"
emulator: $(INSTALLED)
	$(BIN)/python -m emulator $(ARGS)

## The janitor against naive boto3 scripts and the API's lower bound (under 10 minutes; not in make test).
## Results in .bench/; UPDATE_FIGURES=1 writes the committed ones in benchmarks/results/ instead.
bench: $(INSTALLED)
	$(BIN)/python -m benchmarks$(BENCH_OUTPUT)

## A reduced set, about a minute.
bench-quick: $(INSTALLED)
	$(BIN)/python -m benchmarks --quick$(BENCH_OUTPUT)

## What each retry layer buys: the janitor with one layer off at a time (about 6 minutes).
bench-retry-layers: $(INSTALLED)
	$(BIN)/python -m benchmarks.retry_layers$(BENCH_OUTPUT)

## One organization run of 100 member accounts x 2 Regions on moto's Step Functions (about a minute).
bench-organization: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m benchmarks.organization_run$(BENCH_OUTPUT)

## The CloudFormation template, checked by cdk-nag (during synth) and cfn-lint.
synth: $(INSTALLED) $(NODE_INSTALLED)
	$(CDK) synth --quiet $(CDK_CONTEXT)
	$(BIN)/cfn-lint cdk.out/BedrockEvaluationJanitor.template.json

## Once per account and region, before the first deploy.
bootstrap: $(INSTALLED) $(NODE_INSTALLED)
	$(CDK) bootstrap

## Deploy to the account and region of your AWS credentials: make deploy CONTEXT="-c olderThanDays=14"
## (a schedule as written: CONTEXT="-c scheduleExpression=cron(0 4 * * ? *)")
## A plain cdk deploy: the stack itself creates the console's lambda-testevent-schemas registry
## where it is missing (infra/console_test_events.py), so nothing is asked of the account first.
deploy: $(INSTALLED) $(NODE_INSTALLED)
	$(CDK) deploy --require-approval never $(CDK_CONTEXT) BedrockEvaluationJanitor

destroy: $(INSTALLED) $(NODE_INSTALLED)
	$(CDK) destroy --force BedrockEvaluationJanitor

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules cdk.out .build .cdk .pytest_cache .mypy_cache .ruff_cache .hypothesis site dist build .demo .bench
