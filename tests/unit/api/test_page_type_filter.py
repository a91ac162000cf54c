"""``page_type`` filters ``GET /articles`` and ``GET /search``: pages of each type fetched from a
local server, classified, stored and indexed, then listed and searched by type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.page_server import PageServer
from tests.unit.api.conftest import Call, assert_problem, serving

from article_ingest.runtime import LocalRuntime
from core.services import Services

PAGETYPES = Path(__file__).parents[2] / "fixtures" / "pagetypes"
# Where each page is served: a forum is told apart by its URL as much as by its markup.
PAGES = {
    "forum/threads/starter-4411.html": "forum-thread.html",
    "product-page.html": "product-page.html",
    "service-page.html": "service-page.html",
}


@pytest.fixture(scope="module")
def typed_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    root = tmp_path_factory.mktemp("typed-pages")
    for served, fixture in PAGES.items():
        (root / served).parent.mkdir(parents=True, exist_ok=True)
        (root / served).write_bytes((PAGETYPES / fixture).read_bytes())
    with PageServer(root) as server:
        yield server


@pytest.fixture
def services(tmp_path: Path, typed_pages: PageServer) -> Iterator[Services]:
    yield from serving(tmp_path / "data", typed_pages)


@pytest.fixture
def ids(api: Call, typed_pages: PageServer, services: Services) -> dict[str, str]:
    """Article id by page type of the forum, product and service pages, stored and indexed."""
    answer = api("POST", "/articles", json_body={"urls": [typed_pages.url(p) for p in PAGES]})
    assert answer.status == 200, answer.body
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["extracted"] * 3
    LocalRuntime(services).drain()  # the indexer runs downstream of the store
    by_type = {}
    for result in results:
        article = api("GET", f"/articles/{result['id']}").json()
        by_type[article["page_type"]] = article["id"]
    return by_type


def test_listing_by_page_type(api: Call, ids: dict[str, str]) -> None:
    assert sorted(ids) == ["forum", "product", "service"]
    for page_type, article_id in ids.items():
        items = api("GET", f"/articles?page_type={page_type}").json()["items"]
        assert [item["id"] for item in items] == [article_id]
    assert api("GET", "/articles?page_type=documentation").json()["items"] == []
    assert len(api("GET", "/articles").json()["items"]) == 3


def test_page_type_combines_with_the_other_filters(api: Call, ids: dict[str, str]) -> None:
    product = api("GET", "/articles?page_type=product&status=indexed&site=127.0.0.1").json()
    assert [item["id"] for item in product["items"]] == [ids["product"]]
    assert api("GET", "/articles?page_type=product&status=queued").json()["items"] == []


def test_search_by_page_type(api: Call, ids: dict[str, str]) -> None:
    word = "starter"  # in the forum thread only
    assert [h["id"] for h in api("GET", f"/search?q={word}").json()["items"]] == [ids["forum"]]
    forum = api("GET", f"/search?q={word}&page_type=forum").json()["items"]
    assert [hit["id"] for hit in forum] == [ids["forum"]]
    assert api("GET", f"/search?q={word}&page_type=product").json()["items"] == []


@pytest.mark.parametrize("route", ["/articles?page_type=blog", "/search?q=x&page_type=FORUM"])
def test_an_unknown_page_type_is_a_validation_problem(api: Call, route: str) -> None:
    problem = assert_problem(api("GET", route), 422, "validation_error")
    assert problem["errors"][0]["location"] == "query.page_type"


@pytest.mark.parametrize(
    ("page_type", "fmt", "held"),
    [
        ("forum", "markdown", "discard all but a spoonful"),  # a reply, not trafilatura's
        ("forum", "txt", "yoghurt and green apples"),
        ("product", "html", "<p>Material: 62% merino wool, 35% nylon, 3% elastane</p>"),
    ],
)
def test_the_text_route_renders_the_articles_own_text(
    api: Call, ids: dict[str, str], page_type: str, fmt: str, held: str
) -> None:
    article = api("GET", f"/articles/{ids[page_type]}").json()
    answer = api("GET", f"/articles/{ids[page_type]}/text?format={fmt}")
    assert answer.status == 200
    body = answer.body.decode("utf-8")
    assert held in body
    assert body.startswith(
        {"markdown": f"# {article['title']}", "txt": article["title"], "html": "<html>"}[fmt]
    )
