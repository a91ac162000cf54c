"""The API's cold start: importing ``handlers.api`` leaves extraction and the AWS SDK unloaded.

Every API cold start pays for what ``handlers.api`` imports at its top; trafilatura (with lxml
and numpy) is needed only by the routes that fetch or render, and boto3 only once a client is
made. A fresh interpreter shows what the import really loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src"
HEAVY = ("trafilatura", "lxml", "numpy", "py3langid", "boto3", "courlan", "charset_normalizer")


def test_importing_the_api_handler_loads_no_extraction_or_sdk_module() -> None:
    probe = (
        "import json, sys; import handlers.api; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout) == []
