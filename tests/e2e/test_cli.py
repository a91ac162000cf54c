"""The installed ``article-ingest`` command, driven as a user would, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_URL
from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e
CLI = str(Path(sys.executable).with_name("article-ingest"))
SEED_TITLE = "L’Iran et la Russie insistent sur la fin du carnage d’Israël à Gaza"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def env(tmp_path: Path, page_server: PageServer) -> dict[str, str]:
    return {
        **os.environ,
        "ARTICLE_INGEST_DATA_DIR": str(tmp_path / "data"),
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([80, 443, page_server.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
        "ARTICLE_INGEST_PER_HOST_CONCURRENCY": "4",
    }


def test_extract_seed_page_and_bad_files(pages_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_text("")
    result = cli(
        "extract",
        str(pages_dir / "presstv-fr-gaza.html"),
        str(tmp_path / "missing.html"),
        str(tmp_path / "empty.html"),
        str(pages_dir / "huerto-urbano-es.html"),
        "--url",
        SEED_URL,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["source"]).name for line in lines] == [
        "presstv-fr-gaza.html",
        "missing.html",
        "empty.html",
        "huerto-urbano-es.html",
    ]
    seed, missing, empty, spanish = lines
    assert (seed["title"], seed["language"], seed["date"], seed["sitename"]) == (
        SEED_TITLE,
        "fr",
        "2023-10-28",
        "French Press TV",
    )
    assert missing["error"]["code"] == "unreadable"
    assert empty["error"]["code"] == "empty_file"
    assert spanish["language"] == "es"
    assert result.returncode == 1  # some inputs failed, all were reported


def test_ingest_get_search_and_restart(env: dict[str, str], page_server: PageServer) -> None:
    good = [page_server.url("presstv-fr-gaza.html"), page_server.url("harbour-solar-ferry-en.html")]
    metadata = f"http://169.254.169.254:{page_server.port}/latest/meta-data/"
    bad = [page_server.url("missing.html"), metadata, "ftp://x/"]
    result = cli("ingest", "--json", *good, *bad, env=env)
    assert result.returncode == 1, result.stderr
    by_url = {a["url"]: a for a in map(json.loads, result.stdout.splitlines())}
    assert set(by_url) == set(good + bad)
    for url in good:
        assert by_url[url]["status"] == "indexed", by_url[url]
    assert (by_url[bad[0]]["status"], by_url[bad[0]]["error"]["code"]) == ("failed", "http_error")
    # Refused before any fetch: rejected (no article, no id), as the API answers.
    assert (by_url[bad[1]]["status"], by_url[bad[1]]["id"]) == ("rejected", None)
    assert by_url[bad[1]]["error"]["code"] == "blocked_address"
    assert (by_url[bad[2]]["status"], by_url[bad[2]]["error"]["code"]) == (
        "rejected",
        "invalid_url",
    )

    # A new process (a restart) sees everything that was stored.
    seed_id = by_url[good[0]]["id"]
    stored = json.loads(cli("get", seed_id, env=env).stdout)
    assert stored["title"] == SEED_TITLE
    assert stored["language"] == "fr"
    raw_path = Path(stored["raw_html_uri"].removeprefix("file://"))
    assert raw_path.is_file()
    assert raw_path.name.endswith(".html.gz")
    hits = json.loads(cli("search", "Russie Gaza", env=env).stdout)
    assert hits
    assert hits[0]["id"] == seed_id
    assert cli("get", "0" * 32, env=env).returncode == 1

    # Failing again later never loses what is stored.
    page_server_down = {**env, "ARTICLE_INGEST_ALLOWED_PORTS": "[1]"}
    assert cli("ingest", good[0], env=page_server_down).returncode == 1
    assert json.loads(cli("get", seed_id, env=env).stdout)["status"] == "indexed"


def test_two_processes_share_one_data_dir(env: dict[str, str], page_server: PageServer) -> None:
    names = sorted(
        p.name for p in (Path(__file__).parent.parent / "fixtures" / "pages").glob("*.html")
    )
    urls = [page_server.url(name) for name in names]
    procs = [
        subprocess.Popen(
            [CLI, "ingest", "--json", *urls],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, stderr
        assert len(stdout.splitlines()) == len(urls)
    for article in map(json.loads, outputs[0][0].splitlines()):
        stored = json.loads(cli("get", article["id"], env=env).stdout)
        assert stored["status"] == "indexed"
        assert Path(stored["raw_html_uri"].removeprefix("file://")).is_file()


def test_ingest_reports_unreadable_urls_file(env: dict[str, str], tmp_path: Path) -> None:
    result = cli("ingest", "--urls-file", str(tmp_path / "nope.txt"), env=env)
    assert result.returncode == 2
    assert "cannot read --urls-file" in result.stderr
