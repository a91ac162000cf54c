"""The deployed-shape suite runs only on request, after ``sam build`` (``make deployed-test``).

It needs the built bundles (``.aws-sam/build``), the SAM CLI's Python (aws-sam-translator) and
a bare Lambda Python 3.12 (``.tools/``), all made by ``scripts/sam-build-check.sh``. Without
``DEPLOYED_TEST=1`` the suite is skipped; with it, anything missing is an error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / ".aws-sam" / "build"
SAM_PYTHON = ROOT / ".tools" / "sam" / "bin" / "python"
LAMBDA_PYTHON = ROOT / ".tools" / "lambda-runtime" / "bin" / "python"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DEPLOYED_TEST") == "1":
        missing = [
            p for p in (BUILD_DIR / "template.yaml", SAM_PYTHON, LAMBDA_PYTHON) if not p.exists()
        ]
        if missing:
            raise pytest.UsageError(f"run scripts/sam-build-check.sh first; missing: {missing}")
        return
    skip = pytest.mark.skip(reason="deployed-shape test: run `make deployed-test`")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(skip)
