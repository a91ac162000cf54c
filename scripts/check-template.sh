#!/usr/bin/env bash
# Static checks of template.yaml: cfn-lint, `sam validate --lint` and checkov.
# The tools are pinned and installed on first use into .tools/ (see scripts/tools-env.sh).
# checkov skips live in the template, each with its reason (Metadata.checkov.skip[].comment).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools-env.sh"
cd "$ROOT"

ensure_cfn_lint
ensure_sam
ensure_checkov
export SAM_CLI_TELEMETRY=0
# `sam` runs under the Lambda Python; it finds it on PATH.
PATH="$(dirname "$(lambda_python)"):$PATH"
export PATH

echo "== cfn-lint $CFN_LINT_VERSION"
"$TOOLS/cfn-lint/bin/cfn-lint" template.yaml

echo "== sam validate --lint (aws-sam-cli $SAM_CLI_VERSION)"
# Validation is offline; the region only selects the resource specification.
"$TOOLS/sam/bin/sam" validate --lint --template-file template.yaml --region us-east-1

echo "== checkov $CHECKOV_VERSION"
# --skip-download: offline, no guideline download (the checks ship with the package).
"$TOOLS/checkov/bin/checkov" -f template.yaml --framework cloudformation --compact --quiet --skip-download

echo "template checks passed"
