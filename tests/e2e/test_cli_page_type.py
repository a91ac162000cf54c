"""``--page-type`` on ``list``, ``export`` and ``search``, run as a user runs them, over a data
directory holding an article and a product page ingested from 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli_listing import cli, cli_env, lines
from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).parent.parent / "fixtures"
PAGES = {
    "ferry.html": FIXTURES / "pages" / "harbour-solar-ferry-en.html",  # an article
    "socks.html": FIXTURES / "pagetypes" / "product-page.html",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    root = tmp_path_factory.mktemp("typed")
    for name, source in PAGES.items():
        (root / name).write_bytes(source.read_bytes())
    with PageServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, site: PageServer) -> dict[str, str]:
    env = cli_env(tmp_path_factory.mktemp("typed") / "data", site)
    done = cli("ingest", *(site.url(name) for name in PAGES), env=env)
    assert done.returncode == 0, done.stderr
    return env


def urls(items: list[dict[str, object]]) -> list[str]:
    return [str(item["url"]).rsplit("/", 1)[1] for item in items]


def test_list_and_export_keep_one_page_type(env: dict[str, str]) -> None:
    assert urls(lines(cli("list", "--page-type", "product", env=env))) == ["socks.html"]
    assert urls(lines(cli("list", "--page-type", "article", env=env))) == ["ferry.html"]
    exported = lines(cli("export", "--format", "jsonl", "--page-type", "product", env=env))
    assert [(urls([item])[0], item["page_type"]) for item in exported] == [
        ("socks.html", "product")
    ]
    nothing = cli("list", "--page-type", "forum", env=env)
    assert (nothing.returncode, nothing.stdout) == (0, "")
    assert "no article matches" in nothing.stderr


def test_search_keeps_one_page_type(env: dict[str, str]) -> None:
    def hits(*args: str) -> list[str]:
        result = cli("search", *args, env=env)
        assert result.returncode == 0, result.stderr
        return urls(json.loads(result.stdout))

    assert hits("solar ferry") == ["ferry.html"]
    assert hits("solar ferry", "--page-type", "article") == ["ferry.html"]
    assert hits("solar ferry", "--page-type", "product") == []
