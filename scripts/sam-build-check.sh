#!/usr/bin/env bash
# `sam build` on this machine (no Docker: the Lambda Python 3.12 comes from pyenv), then import
# every built function's handler from .aws-sam/build/<Function>/ under that Python and invoke it
# with its events/*.json against a moto server on 127.0.0.1 (scripts/invoke_built_handlers.py).
# Prints each bundle's unzipped size and fails if one is over Lambda's 250 MB limit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools-env.sh"
cd "$ROOT"

ensure_sam
RUNTIME_PYTHON="$(lambda_python)"
PATH="$(dirname "$RUNTIME_PYTHON"):$PATH"
export PATH SAM_CLI_TELEMETRY=0

echo "== sam build (python3.12 = $RUNTIME_PYTHON)"
"$TOOLS/sam/bin/sam" build --template-file template.yaml

# Each bundle carries its own boto3 (functions/<name>/requirements.txt), so the stand-in for the
# Lambda runtime is a bare Python 3.12: a bundle missing a package it imports fails here.
tool_venv lambda-runtime ""

echo "== invoke built handlers against moto"
"$ROOT/.venv/bin/python" -m scripts.invoke_built_handlers \
    --runtime-python "$TOOLS/lambda-runtime/bin/python" --build-dir "$ROOT/.aws-sam/build"
