# article-ingest — every entry point a developer or CI needs.
# `make demo` and `make test` work on a fresh clone: they create .venv and install the locked deps.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
# Lambda runs Python 3.12; use it locally when present (pyenv keeps it outside PATH), else python3.
PYTHON ?= $(shell for p in python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.13 python3; do \
            $$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
# --compile-bytecode: the installed modules' bytecode now, not at each start (uv writes none by
# default, and where PYTHONDONTWRITEBYTECODE is set every process compiled trafilatura & co.
# again: the extract command ~1 s more CPU; docs/extraction.md, "What the command's time is made of")
UVPIP := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

.PHONY: install demo test lint typecheck unit pr bench lock clean serve template-check sam-build \
	deployed-test api-fuzz

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/dev.lock
	@test -n "$(PYTHON)" || { echo "need Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UVPIP) --require-hashes -r requirements/dev.lock
	$(UVPIP) --no-deps -e .
	$(BIN)/python -m compileall -q src
	@touch $@

demo: install
	$(BIN)/python -m scripts.demo

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q tests/unit

test: lint typecheck
	$(BIN)/pytest -q -n 2

pr: test api-fuzz template-check sam-build deployed-test

# schemathesis with every check and phase against `serve` on a fresh data dir that never
# fetches (tests/e2e/api_fuzz.py, settings in tests/e2e/schemathesis.toml). ARGS: more options.
api-fuzz: install
	$(BIN)/python -m tests.e2e.api_fuzz $(ARGS)

bench: install
	$(BIN)/python -m bench.run

serve: install
	$(BIN)/article-ingest serve

# Re-resolve the dependency set, export the hashed lock files and derive each Lambda function's
# functions/<name>/requirements.txt from the runtime lock (needs uv on PATH or in .venv).
lock:
	$(BIN)/uv lock
	$(BIN)/uv export --frozen --no-emit-project --all-groups --no-header -o requirements/dev.lock >/dev/null
	$(BIN)/uv export --frozen --no-emit-project --no-dev --no-header -o requirements/runtime.lock >/dev/null
	$(BIN)/python -m scripts.lambda_requirements

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache .aws-sam

# cfn-lint, sam validate --lint and checkov (pinned, each in its own venv under .tools/).
template-check:
	bash scripts/check-template.sh

# sam build with the Lambda Python, then invoke every built handler with events/*.json on moto.
sam-build: install
	bash scripts/sam-build-check.sh

# The deployed shape (after sam-build): the template created in moto's CloudFormation, each built
# bundle run as Lambda runs it, driven end to end (tests/deployed). Logs: DEPLOYED_LOGS=dir.
deployed-test: install
	DEPLOYED_TEST=1 DEPLOYED_TEST_LOGS=$(DEPLOYED_LOGS) \
	    $(BIN)/pytest -q -W ignore::UserWarning tests/deployed
