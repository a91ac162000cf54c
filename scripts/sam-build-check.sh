#!/usr/bin/env bash
# `sam build` on this machine (no Docker: the Lambda Python 3.12 comes from pyenv), then import
# every built function's handler from .aws-sam/build/<Function>/ under that Python and invoke it
# with its events/*.json against a moto server on 127.0.0.1 (scripts/invoke_built_handlers.py).
# Prints each bundle's unzipped size and fails if one is over Lambda's 250 MB limit.
#
# Lambda runs x86_64 or arm64; this machine runs one of them. The bundles that are run here are
# built for this machine (.aws-sam/build, used by `make deployed-test` too); the same template is
# also built for the other architecture (.aws-sam/build-<arch>) from prebuilt wheels only, and
# every binary in it is checked to be for that architecture (scripts/bundle_arch.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools-env.sh"
cd "$ROOT"

ensure_sam
RUNTIME_PYTHON="$(lambda_python)"
PATH="$(dirname "$RUNTIME_PYTHON"):$PATH"
export PATH SAM_CLI_TELEMETRY=0
case "$(uname -m)" in
    x86_64) HOST_ARCH=x86_64 OTHER_ARCH=arm64 ;;
    aarch64 | arm64) HOST_ARCH=arm64 OTHER_ARCH=x86_64 ;;
    *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p .aws-sam

for arch in "$HOST_ARCH" "$OTHER_ARCH"; do
    build_dir=.aws-sam/build
    [[ "$arch" == "$HOST_ARCH" ]] || build_dir=".aws-sam/build-$arch"
    echo "== sam build for $arch into $build_dir (python3.12 = $RUNTIME_PYTHON)"
    "$ROOT/.venv/bin/python" -m scripts.bundle_arch retarget template.yaml "$arch" \
        ".aws-sam/template-$arch.yaml"
    "$TOOLS/sam/bin/sam" build --template-file ".aws-sam/template-$arch.yaml" \
        --build-dir "$build_dir"
    "$ROOT/.venv/bin/python" -m scripts.bundle_arch check "$build_dir" "$arch"
done

# Each bundle carries its own boto3 (functions/<name>/requirements.txt), so the stand-in for the
# Lambda runtime is a bare Python 3.12: a bundle missing a package it imports fails here.
tool_venv lambda-runtime ""

echo "== invoke built handlers against moto"
"$ROOT/.venv/bin/python" -m scripts.invoke_built_handlers \
    --runtime-python "$TOOLS/lambda-runtime/bin/python" --build-dir "$ROOT/.aws-sam/build"
