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

# Build for this machine's architecture: the built handlers are imported and invoked here. The
# template defaults to arm64, for which `sam build` fetches aarch64 wheels that cannot load on x86.
case "$(uname -m)" in aarch64 | arm64) HOST_ARCH=arm64 ;; *) HOST_ARCH=x86_64 ;; esac
echo "== sam build (python3.12 = $RUNTIME_PYTHON, Architecture=$HOST_ARCH)"
"$TOOLS/sam/bin/sam" build --template-file template.yaml --parameter-overrides "Architecture=$HOST_ARCH"

# The Lambda runtime provides boto3; bundles leave it out (src/requirements.txt). Stand in for
# it with the versions the project locks, in a venv that holds nothing else.
RUNTIME_SDK="$(grep -oE '^(boto3|botocore|s3transfer)==[^ ]+' requirements/runtime.lock | tr '\n' ' ')"
tool_venv lambda-runtime "$RUNTIME_SDK"

echo "== invoke built handlers against moto"
"$ROOT/.venv/bin/python" -m scripts.invoke_built_handlers \
    --runtime-python "$TOOLS/lambda-runtime/bin/python" --build-dir "$ROOT/.aws-sam/build"
