"""Extraction options through ``POST /articles``: stored on the Article, part of its id and of
the request's identity (idempotency, duplicates), carried by the intake message to the worker,
and used again by ``GET /articles/{id}/text``; a page in another language than
``target_language`` ends ``failed`` with ``language_mismatch``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.page_server import PageServer
from tests.unit.api.conftest import Call, assert_problem, call_handler, serving

from article_ingest.runtime import LocalRuntime
from core.extraction_options import ExtractionOptions
from core.ids import article_id
from core.models import ArticleStatus
from core.services import Services

LINKED = Path(__file__).resolve().parents[2] / "fixtures" / "linked"
GARDEN = "community-garden-en.html"
LINKS = {"include_links": True, "include_images": True}


@pytest.fixture(scope="module")
def linked_server() -> Iterator[PageServer]:
    with PageServer(LINKED) as server:
        yield server


@pytest.fixture
def services(tmp_path: Path, linked_server: PageServer) -> Iterator[Services]:
    yield from serving(tmp_path / "data", linked_server)


@pytest.fixture
def api(services: Services) -> Call:
    return call_handler


def submit(api: Call, url: str, **body: Any) -> dict[str, Any]:
    answer = api("POST", "/articles", json_body={"urls": [url], **body})
    assert answer.status in (200, 202), answer.body
    result: dict[str, Any] = answer.json()["results"][0]
    return result


def test_options_are_stored_and_give_the_article_an_id_of_its_own(
    api: Call, linked_server: PageServer
) -> None:
    url = linked_server.url(GARDEN)
    default = submit(api, url)
    linked = submit(api, url, options=LINKS)

    assert default["id"] == article_id(url)
    options = ExtractionOptions(**LINKS)
    assert linked["id"] == article_id(url, options.key()) != default["id"]
    stored = api("GET", f"/articles/{linked['id']}").json()
    assert stored["options"] == options.model_dump(mode="json")
    assert stored["links"][0] == {
        "url": linked_server.url("garden-plans.html"),
        "text": "earlier report on the plans",
    }
    assert [image["alt"] for image in stored["images"]] == [
        "Raised beds with young bean plants",
        "Harvest day at the garden",
    ]
    plain = api("GET", f"/articles/{default['id']}").json()
    assert (plain["links"], plain["images"]) == ([], [])
    assert plain["options"] == ExtractionOptions().model_dump(mode="json")
    assert plain["text"] == stored["text"]


def test_spelled_out_defaults_are_the_default_request(api: Call, linked_server: PageServer) -> None:
    url = linked_server.url(GARDEN)
    spelled = submit(api, url, options={"include_tables": True, "favor": "balanced"})
    assert spelled["id"] == article_id(url)


@pytest.mark.parametrize(
    ("options", "present", "absent"),
    [
        ({}, "Runner beans", "my children love the strawberries"),
        ({"include_tables": False}, "raised beds", "Runner beans"),
        ({"include_comments": True}, "my children love the strawberries", "javascript"),
        ({"favor": "precision"}, "raised beds", "Privacy"),
        ({"favor": "recall"}, "raised beds", "javascript"),
    ],
)
def test_the_option_matrix(
    api: Call, linked_server: PageServer, options: dict[str, Any], present: str, absent: str
) -> None:
    result = submit(api, linked_server.url(GARDEN), options=options)
    assert result["status"] == "extracted"
    text = result["article"]["text"]
    assert present in text
    assert absent not in text


def test_target_language_refuses_a_page_in_another_language(
    api: Call, linked_server: PageServer
) -> None:
    url = linked_server.url(GARDEN)
    refused = submit(api, url, options={"target_language": "de"})
    assert refused["status"] == "failed"
    assert refused["error"]["code"] == "language_mismatch"
    assert refused["error"]["retryable"] is False
    stored = api("GET", f"/articles/{refused['id']}").json()
    assert (stored["status"], stored["error"]["code"]) == ("failed", "language_mismatch")
    assert stored["raw_html_uri"]  # the page is kept
    accepted = submit(api, url, options={"target_language": "en"})
    assert (accepted["status"], accepted["article"]["language"]) == ("extracted", "en")


@pytest.mark.parametrize(
    "options",
    [
        {"favor": "fast"},
        {"target_language": "english"},
        {"include_links": "yes"},
        {"include_everything": True},
        [],
    ],
)
def test_bad_options_are_a_validation_problem(
    api: Call, linked_server: PageServer, options: Any
) -> None:
    answer = api(
        "POST", "/articles", json_body={"urls": [linked_server.url(GARDEN)], "options": options}
    )
    problem = assert_problem(answer, 422, "validation_error")
    assert problem["errors"][0]["location"].startswith("body.options")


def test_options_are_part_of_the_idempotent_request(api: Call, linked_server: PageServer) -> None:
    url = linked_server.url(GARDEN)
    key = {"Idempotency-Key": "options-key"}
    first = api("POST", "/articles", json_body={"urls": [url], "async": True}, headers=key)
    spelled = {"urls": [url], "async": True, "options": {"include_tables": True}}
    again = api("POST", "/articles", json_body=spelled, headers=key)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    other = {"urls": [url], "async": True, "options": {"include_links": True}}
    assert_problem(
        api("POST", "/articles", json_body=other, headers=key), 422, "idempotency_key_reused"
    )


def test_queued_options_travel_to_the_worker_and_the_renderings_use_them(
    api: Call, linked_server: PageServer, services: Services
) -> None:
    url = linked_server.url(GARDEN)
    queued = submit(api, url, options={"include_tables": False, **LINKS}, **{"async": True})
    placeholder = services.articles.get(queued["id"])
    assert placeholder is not None
    assert placeholder.status is ArticleStatus.QUEUED
    assert placeholder.options.include_links

    LocalRuntime(services).drain()

    stored = services.articles.get(queued["id"])
    assert stored is not None
    assert stored.status is ArticleStatus.INDEXED
    assert stored.options == ExtractionOptions(include_tables=False, **LINKS)
    assert stored.links
    assert "Runner beans" not in (stored.text or "")
    markdown = api("GET", f"/articles/{queued['id']}/text?format=markdown").body.decode()
    assert "Runner beans" not in markdown  # the stored options, not the defaults
    assert f"[allotment society]({linked_server.url('organisations/allotment-society')})" in (
        markdown
    )
    default = api("GET", f"/articles/{article_id(url)}")
    assert default.status == 404  # the same URL with the defaults is another article
