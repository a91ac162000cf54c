"""``article-ingest extract``: worker processes, input order kept, hostile files fail alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from article_ingest.cli import main
from core.extraction_pool import PoolLimits, available_cores
from core.settings import Settings
from tests.integration import hostile_pages

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def test_the_commands_default_budgets_are_the_settings() -> None:
    settings = Settings()
    limits = PoolLimits(size=1)
    assert (limits.wall_s, limits.cpu_s, limits.memory_mb) == (
        settings.extraction_timeout_s,
        settings.extraction_cpu_s,
        settings.extraction_memory_mb,
    )
    assert PoolLimits.from_settings(settings) == PoolLimits(size=available_cores())


def test_one_worker_and_one_spare_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "worker")
    assert (
        PoolLimits.from_settings(Settings()).size,
        PoolLimits.from_settings(Settings()).spare,
    ) == (1, 1)
    chosen = PoolLimits.from_settings(Settings(extraction_workers=3, extraction_spare_workers=0))
    assert (chosen.size, chosen.spare) == (3, 0)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_lines_in_input_order_and_hostile_files_fail_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    files = []
    for i, page in enumerate(sorted(PAGES.glob("*.html"))):
        files.append(tmp_path / f"{i:02d}-{page.name}")
        files[-1].write_bytes(page.read_bytes())
        if i == 2:
            files.append(tmp_path / f"{i:02d}-z-attributes.html")
            files[-1].write_bytes(hostile_pages.many_attributes())
    code = main(["extract", "--jobs", jobs, *map(str, files)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [line["source"] for line in lines] == [str(f) for f in files]
    failed = [line for line in lines if line["status"] == "failed"]
    assert [(f["source"], f["error"]["code"]) for f in failed] == [(str(files[3]), "too_complex")]
    assert all(line["text"] for line in lines if line["status"] != "failed")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_command_imports_neither_trafilatura_nor_pydantic(jobs: str) -> None:
    """Its process only reads file names and prints what the workers send back."""
    probe = (
        "import sys\n"
        "from article_ingest.cli import main\n"
        f"main(['extract', '--jobs', '{jobs}', {str(PAGES / 'huerto-urbano-es.html')!r}])\n"
        "heavy = [m for m in ('trafilatura', 'lxml', 'pydantic', 'numpy') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True
    )
    assert json.loads(done.stdout)["language"] == "es"
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_with_one_job_a_page_over_its_budget_fails_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--jobs 1`` extracts in one worker process too: a page that needs about fifteen
    seconds of CPU is stopped at its budget, and the next file is extracted."""
    monkeypatch.setenv("ARTICLE_INGEST_EXTRACTION_CPU_S", "1")
    monkeypatch.setenv("ARTICLE_INGEST_EXTRACTION_TIMEOUT_S", "30")
    heavy, normal = tmp_path / "heavy.html", tmp_path / "normal.html"
    heavy.write_bytes(hostile_pages.attribute_heavy())
    normal.write_bytes(hostile_pages.normal_page())
    code = main(["extract", "--jobs", "1", str(heavy), str(normal)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [(line["status"], (line["error"] or {}).get("code")) for line in lines] == [
        ("failed", "extraction_timeout"),
        ("extracted", None),
    ]


def test_a_file_the_command_does_not_read_ahead_is_read_by_its_worker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the command's read-ahead limit (a page it will not decompress in its own process,
    which has no memory ceiling) or unreadable, a file is read by the worker: extracted as
    usual, or failed with the reason."""
    import gzip

    from article_ingest import offline

    page = (PAGES / "huerto-urbano-es.html").read_bytes()
    big, bad = tmp_path / "big.html.gz", tmp_path / "bad.html.gz"
    big.write_bytes(gzip.compress(page))
    bad.write_bytes(b"\x1f\x8bnot really gzip")
    monkeypatch.setattr(offline, "READ_AHEAD_LIMIT", len(page) - 1)
    assert offline.read_ahead(big) is None
    code = main(["extract", "--jobs", "1", str(big), str(bad)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert (lines[0]["status"], lines[0]["language"]) == ("extracted", "es")
    assert lines[1]["error"]["code"] == "unreadable"
    assert lines[1]["error"]["message"].startswith(f"cannot read {bad}")
