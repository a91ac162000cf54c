"""The installed ``article-ingest`` command tried as a new user would: every mistake ends with a
clear one-line error and exit 2 (1 for a port that cannot be served), never a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e
CLI = str(Path(sys.executable).with_name("article-ingest"))


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        env=env if env is not None else {**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int, *parts: str) -> None:
    """Exit ``code``, no traceback, and each of ``parts`` on one ``error`` line of stderr."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, result.stderr
    for part in parts:
        assert part in errors[0], result.stderr


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, page_server: PageServer) -> dict[str, str]:
    """An environment whose data directory holds one ingested article (read-only use)."""
    env = {
        **os.environ,
        "ARTICLE_INGEST_DATA_DIR": str(tmp_path_factory.mktemp("stored") / "data"),
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([page_server.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
    }
    done = cli("ingest", page_server.url("presstv-fr-gaza.html"), env=env)
    assert done.returncode == 0, done.stderr
    return env


def test_an_unwritable_data_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    data_dir = str(blocker / "data")  # cannot be created, not even by root
    for args in (("ingest", "http://example.org/a"), ("serve", "--port", "0")):
        result = cli(*args, "--data-dir", data_dir)
        assert_clean_error(result, 2, "cannot write to the data directory", data_dir)


@pytest.mark.parametrize("command", ["get", "search"])
def test_reading_a_data_dir_that_does_not_exist_says_so_and_creates_nothing(
    tmp_path: Path, command: str
) -> None:
    mistyped = tmp_path / "dtaa"
    argument = "0" * 32 if command == "get" else "gaza"
    result = cli(command, argument, "--data-dir", str(mistyped))
    assert_clean_error(result, 2, str(mistyped), "does not exist")
    assert result.stdout == ""
    assert not mistyped.exists()
    # An existing directory without a database is no better: said, and left as it was.
    mistyped.mkdir()
    result = cli(command, argument, "--data-dir", str(mistyped))
    assert_clean_error(result, 2, "holds no article database")
    assert list(mistyped.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "yesterday"), "'yesterday' is not a date YYYY-MM-DD"),
        (("--until", "2024-02-30"), "'2024-02-30' is not a date YYYY-MM-DD"),
        (("--language", "english"), "'english' is not a language code"),
        (("--language", "EN"), "'EN' is not a language code"),
        (("--limit", "0"), "--limit must be an integer from 1 to 50"),
        (("--limit", "500"), "--limit must be an integer from 1 to 50"),
    ],
)
def test_search_refuses_what_the_api_refuses(
    stored: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    result = cli("search", "Gaza", *args, env=stored)
    assert_clean_error(result, 2, message)
    assert result.stdout == ""


def test_search_with_valid_filters_still_finds(stored: dict[str, str]) -> None:
    result = cli(
        "search", "Gaza", "--language", "fr", "--since", "2023-10-01", "--limit", "5", env=stored
    )
    assert result.returncode == 0, result.stderr
    assert [hit["language"] for hit in json.loads(result.stdout)] == ["fr"]


def test_verbose_flag_after_the_subcommand(stored: dict[str, str]) -> None:
    for args in (("search", "Gaza", "-v"), ("-v", "search", "Gaza"), ("search", "-v", "Gaza")):
        result = cli(*args, env=stored)
        assert result.returncode == 0, (args, result.stderr)
        assert json.loads(result.stdout), args


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"article-ingest {version('article-ingest')}"


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    env = {**os.environ, "ARTICLE_INGEST_PER_HOST_DELAY_S": "-1"}
    result = cli("ingest", "http://example.org/a", "--data-dir", str(tmp_path), env=env)
    assert_clean_error(result, 2, "ARTICLE_INGEST_PER_HOST_DELAY_S")
    env = {**os.environ, "ARTICLE_INGEST_ALLOWED_PORTS": "8080"}  # JSON, but not a list
    result = cli("ingest", "http://example.org/a", "--data-dir", str(tmp_path), env=env)
    assert_clean_error(result, 2, "ARTICLE_INGEST_ALLOWED_PORTS", "list")
    env = {**os.environ, "ARTICLE_INGEST_ALLOWED_PORTS": "80,443"}  # not JSON at all
    result = cli("ingest", "http://example.org/a", "--data-dir", str(tmp_path), env=env)
    assert_clean_error(result, 2, "ARTICLE_INGEST_ALLOWED_PORTS", "JSON")


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port held (listening) on 127.0.0.1 by this test."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_serve_on_a_busy_port(busy_port: int, tmp_path: Path) -> None:
    result = cli("serve", "--port", str(busy_port), "--data-dir", str(tmp_path))
    assert_clean_error(result, 1, f"127.0.0.1:{busy_port}", "Address already in use", "--port")
    assert "warning" not in result.stderr  # loopback: nothing to warn about


def test_serve_on_every_interface_warns_that_it_is_unauthenticated(
    busy_port: int, tmp_path: Path
) -> None:
    # The busy port makes the bind fail right after the warning: no server is ever exposed.
    result = cli(
        "serve", "--host", "0.0.0.0", "--port", str(busy_port), "--data-dir", str(tmp_path)
    )
    warning = result.stderr.splitlines()[0]
    assert warning.startswith("warning: serving on 0.0.0.0"), result.stderr
    assert "no authentication" in warning
    assert_clean_error(result, 1, "Address already in use")


def test_extract_on_an_empty_folder_says_why(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a page")
    result = cli("extract", str(tmp_path))
    assert_clean_error(result, 1, "no .html or .html.gz file in", str(tmp_path))
    assert result.stdout == ""


def test_ingest_explains_the_per_host_delay(tmp_path: Path, page_server: PageServer) -> None:
    env = {
        **os.environ,
        "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([page_server.port]),
        "ARTICLE_INGEST_PER_HOST_DELAY_S": "1",
    }
    names = ["presstv-fr-gaza.html", "harbour-solar-ferry-en.html", "huerto-urbano-es.html"]
    urls = [page_server.url(name) for name in names]
    result = cli("ingest", *urls, "ftp://x/", "--data-dir", str(tmp_path / "data"), env=env)
    assert result.returncode == 1, result.stderr  # the ftp URL is rejected
    assert (
        "3 URLs on 1 host: at least 2 s at 1 request/s per host;"
        " set ARTICLE_INGEST_PER_HOST_DELAY_S to change the delay"
    ) in result.stderr.splitlines()
