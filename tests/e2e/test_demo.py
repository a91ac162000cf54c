"""``make demo``, the README's first command, runs to "Demo OK" (a rejected URL included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts import demo

pytestmark = pytest.mark.e2e


def test_the_demo_ingests_the_samples_and_reports_the_bad_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "DATA_DIR", tmp_path / "demo")
    assert demo.main() == 0
    out = capsys.readouterr().out
    pages = len(list(demo.PAGES.glob("*.html")))
    assert f"Demo OK: {pages} articles ingested and indexed, 2 bad URLs refused." in out
    assert "169.254.169.254" in out.split("Refused or failed")[1]
