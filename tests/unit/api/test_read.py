"""GET routes through the real resolver: article, text formats, raw bytes, listing, search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.page_server import PageServer
from tests.unit.api.conftest import Call, assert_problem

from article_ingest.runtime import LocalRuntime
from core.services import Services

FERRY = "harbour-solar-ferry-en.html"
HUERTO = "huerto-urbano-es.html"
TITLE = "Harbour town launches its first solar-powered ferry"
UNKNOWN_ID = "0" * 32


@pytest.fixture
def ferry_id(api: Call, page_server: PageServer) -> str:
    answer = api("POST", "/articles", json_body={"urls": [page_server.url(FERRY)]})
    assert answer.json()["results"][0]["status"] == "extracted"
    return str(answer.json()["results"][0]["id"])


def test_get_article(api: Call, ferry_id: str) -> None:
    answer = api("GET", f"/articles/{ferry_id}")
    assert answer.status == 200
    assert answer.content_type == "application/json"
    article = answer.json()
    assert (article["id"], article["title"], article["status"]) == (ferry_id, TITLE, "extracted")


def test_unknown_article_is_a_404_problem(api: Call) -> None:
    problem = assert_problem(api("GET", f"/articles/{UNKNOWN_ID}"), 404, "not_found")
    assert problem["instance"] == f"/articles/{UNKNOWN_ID}"
    for suffix in ("/text", "/raw"):
        assert_problem(api("GET", f"/articles/{UNKNOWN_ID}{suffix}"), 404, "not_found")


def test_malformed_id_is_a_validation_problem(api: Call) -> None:
    problem = assert_problem(api("GET", "/articles/NOT-AN-ID"), 422, "validation_error")
    assert problem["errors"][0]["location"] == "path.article_id"


@pytest.mark.parametrize(
    ("fmt", "media_type", "marker"),
    [
        ("txt", "text/plain; charset=utf-8", TITLE),
        ("markdown", "text/markdown; charset=utf-8", f"# {TITLE}"),
        ("html", "text/html; charset=utf-8", f"<h1>{TITLE}</h1>"),
        ("xml", "application/xml; charset=utf-8", f'title="{TITLE}"'),
        ("json", "application/json", TITLE),
    ],
)
def test_text_formats(api: Call, ferry_id: str, fmt: str, media_type: str, marker: str) -> None:
    answer = api("GET", f"/articles/{ferry_id}/text?format={fmt}")
    assert answer.status == 200
    assert answer.content_type == media_type
    assert marker in answer.body.decode("utf-8")
    assert answer.headers["content-security-policy"].startswith("sandbox")
    assert answer.headers["x-content-type-options"] == "nosniff"
    if fmt == "json":
        assert json.loads(answer.body)["title"] == TITLE


def test_text_defaults_to_txt_and_refuses_unknown_formats(api: Call, ferry_id: str) -> None:
    assert api("GET", f"/articles/{ferry_id}/text").content_type.startswith("text/plain")
    problem = assert_problem(
        api("GET", f"/articles/{ferry_id}/text?format=pdf"), 422, "validation_error"
    )
    assert problem["errors"][0]["location"] == "query.format"


def test_queued_article_has_no_content_yet(api: Call, page_server: PageServer) -> None:
    answer = api("POST", "/articles", json_body={"urls": [page_server.url(HUERTO)], "async": True})
    queued_id = answer.json()["results"][0]["id"]
    assert api("GET", f"/articles/{queued_id}").json()["status"] == "queued"
    assert_problem(api("GET", f"/articles/{queued_id}/text"), 409, "content_unavailable")
    assert_problem(api("GET", f"/articles/{queued_id}/raw"), 409, "content_unavailable")


def test_raw_is_the_served_bytes_as_a_download(api: Call, ferry_id: str, pages_dir: Path) -> None:
    answer = api("GET", f"/articles/{ferry_id}/raw")
    assert answer.status == 200
    assert answer.body == (pages_dir / FERRY).read_bytes()
    assert answer.content_type == "application/octet-stream"
    assert answer.headers["content-disposition"] == f'attachment; filename="{ferry_id}.html"'
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"].startswith("sandbox")


def test_listing_pages_with_an_opaque_cursor(
    api: Call, page_server: PageServer, ferry_id: str
) -> None:
    urls = [page_server.url(HUERTO), page_server.url("presstv-fr-gaza.html")]
    api("POST", "/articles", json_body={"urls": urls})
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        target = "/articles?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = api("GET", target).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3
    assert len(set(seen)) == 3
    assert ferry_id in seen


def test_listing_filters(api: Call, page_server: PageServer, ferry_id: str) -> None:
    api("POST", "/articles", json_body={"urls": [page_server.url(HUERTO)]})
    spanish = api("GET", "/articles?language=es").json()["items"]
    assert [item["language"] for item in spanish] == ["es"]
    assert api("GET", "/articles?status=queued").json()["items"] == []
    assert len(api("GET", "/articles?since=2024-05-14&until=2024-05-14").json()["items"]) == 1


@pytest.mark.parametrize(
    ("query", "code", "location"),
    [
        ("limit=0", "validation_error", "query.limit"),
        ("limit=101", "validation_error", "query.limit"),
        ("limit=ten", "validation_error", "query.limit"),
        ("since=14/05/2024", "validation_error", "query.since"),
        ("status=done", "validation_error", "query.status"),
        ("cursor=not-a-cursor", "invalid_cursor", None),
    ],
)
def test_listing_refuses_bad_parameters(
    api: Call, query: str, code: str, location: str | None
) -> None:
    answer = api("GET", f"/articles?{query}")
    problem = assert_problem(answer, 422 if code == "validation_error" else 400, code)
    if location:
        assert problem["errors"][0]["location"] == location


def test_search_ranks_indexed_articles(
    api: Call, page_server: PageServer, services: Services, ferry_id: str
) -> None:
    api("POST", "/articles", json_body={"urls": [page_server.url(HUERTO)]})
    LocalRuntime(services).drain()  # the indexer runs downstream of the store

    answer = api("GET", "/search?q=solar%20ferry")
    assert answer.status == 200
    body = answer.json()
    assert body["query"] == "solar ferry"
    assert body["items"][0]["id"] == ferry_id
    spanish_only = api("GET", "/search?q=solar%20ferry&language=es").json()["items"]
    assert ferry_id not in [hit["id"] for hit in spanish_only]
    # The ferry article is dated 2024-05-14.
    in_range = api("GET", "/search?q=solar%20ferry&since=2024-05-01&until=2024-05-31").json()
    assert [hit["id"] for hit in in_range["items"]] == [ferry_id]
    assert api("GET", "/search?q=solar%20ferry&since=2024-06-01").json()["items"] == []
    assert_problem(api("GET", "/search?q=x&until=31/05/2024"), 422, "validation_error")


def test_search_needs_a_query(api: Call) -> None:
    problem = assert_problem(api("GET", "/search"), 422, "validation_error")
    assert problem["errors"][0]["location"] == "query.q"


def test_text_over_the_extraction_budget_is_a_422_problem(
    ferry_id: str, services: Services, page_server: PageServer
) -> None:
    """Rendering runs in the extraction pool within the page budget; a page that cannot be
    rendered within it is the page's fault (422 with the extractor's code), not the caller's
    (400) nor the server's (5xx)."""
    from tests.unit.api.conftest import call_handler, make_settings

    from handlers import _deps

    # one millisecond: no trafilatura run on a real page fits in it
    hurried = Services(
        make_settings(services.settings.data_dir, page_server, extraction_timeout_s=0.001)
    )
    _deps.use(hurried)
    try:
        answer = call_handler("GET", f"/articles/{ferry_id}/text?format=markdown")
    finally:
        _deps.use(services)
    assert_problem(answer, 422, "extraction_timeout")
    assert call_handler("GET", f"/articles/{ferry_id}/text").status == 200
