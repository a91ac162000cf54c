"""``article-ingest list``, ``export`` and ``get`` by URL, run as a user runs them (a new
process each time) over a data directory filled by ``ingest`` from pages on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.models import Article, ArticleStatus
from core.services import Services
from core.settings import Settings
from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e
PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
HOSTILE_TITLE = "=cmd|' /C calc'!A0"
CSV_HEADER = [
    "id",
    "url",
    "final_url",
    "status",
    "title",
    "author",
    "date",
    "language",
    "sitename",
    "hostname",
    "word_count",
    "duplicate_of",
    "fetched_at",
    "updated_at",
    "error_code",
    "error_message",
]
#: The pages ingested, by name: (publication date, language) once extracted.
STORED = {
    "hostile.html": ("2024-06-01", "en"),
    "harbour-solar-ferry-en.html": ("2024-05-14", "en"),
    "huerto-urbano-es.html": ("2024-03-02", "es"),
    "presstv-fr-gaza.html": ("2023-10-28", "fr"),
}


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "article_ingest", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_usage_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    """Exit 2, nothing on stdout, no traceback, one ``error:`` line holding each part."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    for part in parts:
        assert part in errors[0], result.stderr


def hostile_page() -> str:
    """The English fixture, retitled with a spreadsheet formula and dated later."""
    html = (PAGES / "harbour-solar-ferry-en.html").read_text()
    html = html.replace(
        "Harbour town launches its first solar-powered ferry | Coastline Courier", HOSTILE_TITLE
    )
    html = html.replace("Harbour town launches its first solar-powered ferry", HOSTILE_TITLE)
    html = html.replace("2024-05-14T07:30:00Z", "2024-06-01T07:30:00Z")
    html = html.replace("2024/05/14/solar-ferry", "2024/06/01/formula")
    return html.replace("Westmere", "Eastmere").replace("sixty", "eighty")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    root = tmp_path_factory.mktemp("site")
    for name in STORED:
        if name != "hostile.html":
            shutil.copy(PAGES / name, root / name)
    (root / "hostile.html").write_text(hostile_page(), encoding="utf-8")
    with PageServer(root) as server:
        yield server


def cli_env(data_dir: Path, site: PageServer) -> dict[str, str]:
    """The environment of a CLI on ``data_dir`` that may fetch from ``site`` (on 127.0.0.1)."""
    return {
        **os.environ,
        "ARTICLE_INGEST_DATA_DIR": str(data_dir),
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([site.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
    }


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, site: PageServer) -> dict[str, str]:
    """An environment whose data directory holds the four pages and one failure (read only)."""
    env = cli_env(tmp_path_factory.mktemp("listing") / "data", site)
    urls = [site.url(name) for name in [*STORED, "missing.html"]]
    done = cli("ingest", *urls, env=env)
    assert done.returncode == 1, done.stderr  # missing.html: 404
    assert "4 ok, 1 failed" in done.stderr
    return env


def lines(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def names(items: list[dict[str, object]]) -> list[str]:
    return [str(item["url"]).rsplit("/", 1)[1] for item in items]


def test_list_prints_json_lines_newest_first(env: dict[str, str]) -> None:
    listed = lines(cli("list", env=env))
    assert names(listed) == [*STORED, "missing.html"]  # newest first, the undated failure last
    assert [(item["date"], item["language"]) for item in listed[:4]] == list(STORED.values())
    assert all("text" not in item for item in listed)
    assert listed[0]["title"] == HOSTILE_TITLE  # JSON keeps a title as it is
    with_text = lines(cli("list", "--with-text", "--language", "fr", env=env))
    assert "Gaza" in str(with_text[0]["text"])


def test_list_limit_and_all(env: dict[str, str]) -> None:
    first = cli("list", "--limit", "2", env=env)
    assert names(lines(first)) == list(STORED)[:2]
    assert "more match: --all" in first.stderr
    everything = cli("list", "--all", env=env)
    assert names(lines(everything)) == [*STORED, "missing.html"]
    assert "more match" not in everything.stderr


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["--status", "failed"], ["missing.html"]),
        (
            ["--status", "indexed", "--language", "en"],
            ["hostile.html", "harbour-solar-ferry-en.html"],
        ),
        (["--site", "Diario del Ebro"], ["huerto-urbano-es.html"]),
        (
            ["--site", "127.0.0.1", "--until", "2023-12-31", "--language", "fr"],
            ["presstv-fr-gaza.html"],
        ),
        (["--since", "2024-03-02", "--until", "2024-05-14"], list(STORED)[1:3]),
        (["--language", "de"], []),
        (["--page-type", "article", "--language", "es"], ["huerto-urbano-es.html"]),
        (["--page-type", "forum"], []),
    ],
)
def test_list_filters_as_get_articles_does(
    env: dict[str, str], filters: list[str], expected: list[str]
) -> None:
    result = cli("list", *filters, env=env)
    assert names(lines(result)) == expected
    if not expected:
        assert "no article matches" in result.stderr


def test_export_csv_defuses_a_formula_title(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "articles.csv"
    result = cli("export", "--format", "csv", "--with-text", "--output", str(target), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"exported 5 article(s) to {target}" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p != target]  # no partial file left
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*CSV_HEADER, "text"]
    by_name = {row[1].rsplit("/", 1)[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(by_name) == [*STORED, "missing.html"]
    assert by_name["hostile.html"]["title"] == "'" + HOSTILE_TITLE
    # The multi-line text stays in its cell and reads back exactly as stored.
    stored = json.loads(cli("get", by_name["presstv-fr-gaza.html"]["id"], env=env).stdout)
    assert "\n" in stored["text"]
    assert by_name["presstv-fr-gaza.html"]["text"] == stored["text"]
    failed = by_name["missing.html"]
    assert (failed["status"], failed["error_code"], failed["title"]) == ("failed", "http_error", "")
    assert by_name["harbour-solar-ferry-en.html"]["sitename"] == "Coastline Courier"


def test_export_jsonl_to_stdout_is_list_all(env: dict[str, str]) -> None:
    exported = cli("export", "--format", "jsonl", "--status", "indexed", env=env)
    assert exported.stdout == cli("list", "--all", "--status", "indexed", env=env).stdout
    assert names(lines(exported)) == list(STORED)
    assert "exported 4 article(s) to stdout" in exported.stderr


def test_export_csv_filters_to_stdout(env: dict[str, str]) -> None:
    result = cli("export", "--format", "csv", "--language", "es", env=env)
    assert result.returncode == 0, result.stderr
    header, row = csv.reader(io.StringIO(result.stdout, newline=""))
    assert header == CSV_HEADER
    assert (row[CSV_HEADER.index("title")], row[CSV_HEADER.index("language")]) == (
        "Un huerto urbano transforma la azotea de un colegio de Zaragoza",
        "es",
    )


def test_export_pages_through_more_than_one_listing_page(tmp_path: Path) -> None:
    """250 articles (three pages of the store's listing) all come out once, in order."""
    settings = Settings(data_dir=tmp_path / "data")
    store = Services(settings).articles
    for n in range(250):
        store.put(
            Article(
                id=f"{n:032x}",
                url=f"https://example.org/{n}",
                date=f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
                status=ArticleStatus.INDEXED,
                title=f"Article {n}",
            )
        )
    env = {**os.environ, "ARTICLE_INGEST_DATA_DIR": str(settings.data_dir)}
    result = cli("export", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))[1:]
    assert len(rows) == len({row[0] for row in rows}) == 250
    dates = [row[CSV_HEADER.index("date")] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_get_by_url(env: dict[str, str], site: PageServer) -> None:
    url = site.url("huerto-urbano-es.html")
    by_id = lines(cli("list", "--language", "es", env=env))[0]
    # The URL as submitted, or any spelling that normalises to it (tracking, fragment).
    for spelling in (url, f"{url}?utm_source=newsletter#top"):
        article = json.loads(cli("get", spelling, env=env).stdout)
        assert article["id"] == by_id["id"]
    never = site.url("never-ingested.html")
    result = cli("get", never, env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "not_found"
    assert never in error["message"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--status", "done"], "argument --status: invalid choice: 'done'"),
        (["list", "--language", "english"], "'english' is not a language code"),
        (["list", "--since", "yesterday"], "'yesterday' is not a date YYYY-MM-DD"),
        (["list", "--until", "2024-02-30"], "'2024-02-30' is not a date YYYY-MM-DD"),
        (["list", "--limit", "0"], "--limit must be an integer from 1 to 100"),
        (["list", "--limit", "101"], "--limit must be an integer from 1 to 100"),
        (["list", "--all", "--limit", "5"], "not allowed with argument --all"),
        (["list", "--site", " "], "--site must be 1 to 253 characters"),
        (["list", "--page-type", "blog"], "argument --page-type: invalid choice: 'blog'"),
        (["search", "x", "--page-type", "Forum"], "argument --page-type: invalid choice"),
        (["export"], "the following arguments are required: --format"),
        (["export", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["export", "--format", "csv", "--language", "EN"], "'EN' is not a language code"),
        (["get", "not-an-id"], "neither an article id (32 hex digits) nor an http(s) URL"),
    ],
)
def test_a_bad_argument_is_one_error_line(
    env: dict[str, str], args: list[str], message: str
) -> None:
    assert_usage_error(cli(*args, env=env), message)


def test_export_to_a_place_that_cannot_be_written(env: dict[str, str], tmp_path: Path) -> None:
    for target in (tmp_path / "no-such-dir" / "out.csv", tmp_path):
        result = cli("export", "--format", "csv", "--output", str(target), env=env)
        assert_usage_error(result, "cannot write --output", str(target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args", [["list"], ["list", "--all"], ["export", "--format", "csv", "--output", "out.csv"]]
)
def test_a_data_dir_that_does_not_exist_says_so_and_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    mistyped = tmp_path / "dtaa"
    env = {**os.environ, "ARTICLE_INGEST_DATA_DIR": str(mistyped)}
    result = subprocess.run(
        [sys.executable, "-m", "article_ingest", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert_usage_error(result, str(mistyped), "does not exist")
    assert list(tmp_path.iterdir()) == []  # neither the data directory nor out.csv
    mistyped.mkdir()
    result = cli(*args, "--data-dir", str(mistyped), env={**os.environ})
    assert_usage_error(result, "holds no article database")
    assert list(mistyped.iterdir()) == []
