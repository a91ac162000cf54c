# Sourced by scripts/check-template.sh and scripts/sam-build-check.sh: pinned infrastructure
# tools, each in its own virtualenv under .tools/ (they pin conflicting boto3/botocore ranges),
# installed on first use. Never touches the project's .venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CFN_LINT_VERSION=1.58.0
SAM_CLI_VERSION=1.170.0
CHECKOV_VERSION=3.3.30

# The Lambda runtime's Python: pyenv keeps it outside PATH, so look for it explicitly.
lambda_python() {
    local candidate
    for candidate in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "Python 3.12 (the Lambda runtime) not found; install it, e.g. 'pyenv install 3.12'" >&2
    return 1
}

# tool_venv NAME "PACKAGE==VERSION ...": make .tools/NAME with exactly these pins (none: a bare
# venv), unless there. requirements/tools/NAME.txt, when present, pins every dependency too
# (`pip freeze` of a working .tools/NAME): CI installs from a live index, where a new release of
# a dependency would otherwise change the tool under us.
tool_venv() {
    local name="$1" requirement="$2" venv="$TOOLS/$1"
    local constraints="$ROOT/requirements/tools/$1.txt" marker="$2"
    local -a pinned=()
    if [[ -f "$constraints" ]]; then
        pinned=(--constraint "$constraints")
        marker="$requirement $(sha256sum "$constraints" | cut -c1-16)"
    fi
    if [[ -f "$venv/.installed" && "$(cat "$venv/.installed")" == "$marker" ]]; then
        return 0
    fi
    echo "installing $requirement into .tools/$name ..." >&2
    rm -rf "$venv"
    "$(lambda_python)" -m venv "$venv"
    if [[ -n "$requirement" ]]; then
        # shellcheck disable=SC2086 # one or more space-separated pins
        "$venv/bin/pip" install --quiet --disable-pip-version-check "${pinned[@]}" $requirement >&2
    fi
    echo "$marker" >"$venv/.installed"
}

ensure_cfn_lint() { tool_venv cfn-lint "cfn-lint==$CFN_LINT_VERSION"; }
ensure_sam() { tool_venv sam "aws-sam-cli==$SAM_CLI_VERSION"; }
ensure_checkov() { tool_venv checkov "checkov==$CHECKOV_VERSION"; }
