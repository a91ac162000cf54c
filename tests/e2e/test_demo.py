"""``make demo``, one of the README's two quickstart commands, runs to its end: every sample
page ingested and indexed, the two bad URLs refused each with its own error, search finds
the French article."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_runs_to_its_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.demo", "--data-dir", str(tmp_path / "d")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Demo OK: 6 articles ingested and indexed, 2 bad URLs refused." in done.stdout
    assert "169.254.169.254" in done.stdout  # the metadata address, refused before any fetch
    assert "Russie" in done.stdout.split("article-ingest search")[1]
