"""POST /articles through the real resolver."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.page_server import PageServer
from tests.unit.api.conftest import Call, assert_problem, call_handler, make_settings

from core.adapters.local.queue import SqliteIngestQueue
from core.models import ArticleStatus
from core.services import Services
from handlers import _deps

FERRY = "harbour-solar-ferry-en.html"
HUERTO = "huerto-urbano-es.html"


def _queue(services: Services) -> SqliteIngestQueue:
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    return queue


def test_small_batch_is_processed_within_the_request(
    api: Call, page_server: PageServer, services: Services
) -> None:
    ferry, huerto = page_server.url(FERRY), page_server.url(HUERTO)
    answer = api("POST", "/articles", json_body={"urls": [ferry, huerto]})

    assert answer.status == 200
    body = answer.json()
    assert body["mode"] == "sync"
    assert [r["url"] for r in body["results"]] == [ferry, huerto]
    first = body["results"][0]
    assert first["status"] == "extracted"
    assert first["article"]["title"] == "Harbour town launches its first solar-powered ferry"
    assert first["article"]["language"] == "en"
    assert body["results"][1]["article"]["language"] == "es"
    stored = services.articles.get(first["id"])
    assert stored is not None
    assert stored.status is ArticleStatus.EXTRACTED


def test_one_bad_url_never_fails_the_others(api: Call, page_server: PageServer) -> None:
    urls = [
        "ftp://example.org/file",
        "not a url",
        page_server.url("no-such-page.html"),
        page_server.url(FERRY),
        f"http://169.254.169.254:{page_server.port}/latest/meta-data/",
        "http://example.org:8025/mail",
    ]
    answer = api("POST", "/articles", json_body={"urls": urls})

    assert answer.status == 200
    results = {r["url"]: r for r in answer.json()["results"]}
    assert results["ftp://example.org/file"]["status"] == "rejected"
    assert results["ftp://example.org/file"]["error"]["code"] == "invalid_url"
    assert results["ftp://example.org/file"]["id"] is None
    assert results["not a url"]["error"]["code"] == "invalid_url"
    metadata = results[f"http://169.254.169.254:{page_server.port}/latest/meta-data/"]
    assert (metadata["status"], metadata["error"]["code"]) == ("rejected", "blocked_address")
    other_port = results["http://example.org:8025/mail"]
    assert (other_port["status"], other_port["error"]["code"]) == ("rejected", "port_not_allowed")
    missing = results[page_server.url("no-such-page.html")]
    assert missing["status"] == "failed"
    assert missing["error"]["code"] == "http_error"
    assert missing["error"]["http_status"] == 404
    assert results[page_server.url(FERRY)]["status"] == "extracted"


def test_duplicates_collapse_into_the_first_occurrence(api: Call, page_server: PageServer) -> None:
    ferry = page_server.url(FERRY)
    urls = [ferry, ferry + "#comments", ferry + "?utm_source=feed", ferry]
    answer = api("POST", "/articles", json_body={"urls": urls})

    results = answer.json()["results"]
    assert len(results) == 1
    assert results[0]["url"] == ferry


def test_async_flag_queues_and_answers_202(
    api: Call, page_server: PageServer, services: Services
) -> None:
    ferry, huerto = page_server.url(FERRY), page_server.url(HUERTO)
    answer = api("POST", "/articles", json_body={"urls": [ferry, huerto, "nope"], "async": True})

    assert answer.status == 202
    body = answer.json()
    assert body["mode"] == "async"
    statuses = [(r["url"], r["status"]) for r in body["results"]]
    assert statuses == [(ferry, "queued"), (huerto, "queued"), ("nope", "rejected")]
    assert _queue(services).pending() == 2
    for result in body["results"][:2]:
        stored = services.articles.get(result["id"])
        assert stored is not None
        assert stored.status is ArticleStatus.QUEUED


def test_large_batches_are_queued(tmp_path: Path, page_server: PageServer) -> None:
    services = Services(make_settings(tmp_path / "data", page_server, sync_batch_limit=2))
    _deps.use(services)
    try:
        urls = [page_server.url(f"page-{n}.html") for n in range(3)]
        answer = call_handler("POST", "/articles", json_body={"urls": urls})
        assert answer.status == 202
        assert {r["status"] for r in answer.json()["results"]} == {"queued"}
        assert _queue(services).pending() == 3
    finally:
        _deps.use(None)


def test_queueing_never_overwrites_a_stored_article(
    api: Call, page_server: PageServer, services: Services
) -> None:
    ferry = page_server.url(FERRY)
    first = api("POST", "/articles", json_body={"urls": [ferry]}).json()["results"][0]
    again = api("POST", "/articles", json_body={"urls": [ferry], "async": True})

    assert again.status == 202
    stored = services.articles.get(first["id"])
    assert stored is not None
    assert stored.status is ArticleStatus.EXTRACTED
    assert stored.version == first["article"]["version"]
    assert _queue(services).pending() == 1  # still re-queued for a refresh


def test_too_many_urls_is_refused(tmp_path: Path, page_server: PageServer) -> None:
    _deps.use(Services(make_settings(tmp_path / "data", page_server, max_urls_per_request=3)))
    try:
        urls = [f"https://example.org/{n}" for n in range(4)]
        answer = call_handler("POST", "/articles", json_body={"urls": urls})
        problem = assert_problem(answer, 422, "too_many_urls")
        assert "at most 3" in problem["detail"]
    finally:
        _deps.use(None)


@pytest.mark.parametrize(
    ("body", "status", "code", "location"),
    [
        (b"{not json", 400, "malformed_json", None),
        (b'{"urls": "https://example.org/"}', 422, "validation_error", "body.urls"),
        (b'{"urls": [42]}', 422, "validation_error", "body.urls.0"),
        (b'{"urls": []}', 422, "validation_error", "body.urls"),
        (b'{"urls": ["https://example.org/"], "asap": true}', 422, "validation_error", "body.asap"),
        (
            b'{"urls": ["https://example.org/"], "async": "maybe"}',
            422,
            "validation_error",
            "body.async",
        ),
        (b"[]", 422, "validation_error", "body"),
        (b"", 422, "validation_error", "body"),
    ],
)
def test_bad_bodies_get_actionable_problems(
    api: Call, body: bytes, status: int, code: str, location: str | None
) -> None:
    answer = api("POST", "/articles", body=body, headers={"Content-Type": "application/json"})
    problem = assert_problem(answer, status, code)
    if location is not None:
        assert location in [error["location"] for error in problem["errors"]]
        assert location in problem["detail"]


def test_body_over_one_megabyte_is_refused(api: Call) -> None:
    urls = [f"https://example.org/{'x' * 1000}/{n}" for n in range(1100)]
    assert_problem(api("POST", "/articles", json_body={"urls": urls}), 413, "payload_too_large")


def test_non_json_bodies_are_refused(api: Call) -> None:
    form = api(
        "POST",
        "/articles",
        body=b"urls=https://example.org/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_problem(form, 415, "unsupported_media_type")
    binary = api(
        "POST",
        "/articles",
        body=b'{"urls": ["\xff\xfe"]}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(binary, 400, "malformed_json")


def test_idempotency_key_replays_the_first_answer(
    api: Call, page_server: PageServer, services: Services
) -> None:
    body = {"urls": [page_server.url(FERRY)], "async": True}
    key = {"Idempotency-Key": "3f1c-retry-me"}
    first = api("POST", "/articles", json_body=body, headers=key)
    second = api("POST", "/articles", json_body=body, headers=key)

    assert (first.status, second.status) == (202, 202)
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert _queue(services).pending() == 1  # the retry did not queue the URL again

    other = api("POST", "/articles", json_body=body, headers={"Idempotency-Key": "another"})
    assert other.status == 202
    assert _queue(services).pending() == 2


def test_idempotency_key_reused_with_another_body_is_refused(
    api: Call, page_server: PageServer
) -> None:
    key = {"Idempotency-Key": "same-key"}
    api(
        "POST",
        "/articles",
        json_body={"urls": [page_server.url(FERRY)], "async": True},
        headers=key,
    )
    answer = api(
        "POST",
        "/articles",
        json_body={"urls": [page_server.url(HUERTO)], "async": True},
        headers=key,
    )
    assert_problem(answer, 422, "idempotency_key_reused")


def test_idempotency_keys_are_scoped_to_the_caller(
    api: Call, page_server: PageServer, services: Services
) -> None:
    body = {"urls": [page_server.url(FERRY)], "async": True}
    key = {"Idempotency-Key": "shared-key"}
    alice = api("POST", "/articles", json_body=body, headers=key, principal="arn:aws:iam::1:user/a")
    bob = api("POST", "/articles", json_body=body, headers=key, principal="arn:aws:iam::1:user/b")

    assert (alice.status, bob.status) == (202, 202)
    assert "idempotent-replayed" not in bob.headers
    assert _queue(services).pending() == 2


def test_idempotency_scope_is_unambiguous_when_caller_and_key_hold_a_bar(
    api: Call, page_server: PageServer, services: Services
) -> None:
    body = {"urls": [page_server.url(FERRY)], "async": True}
    first = api(
        "POST", "/articles", json_body=body, headers={"Idempotency-Key": "c"}, principal="a|b"
    )
    second = api(
        "POST", "/articles", json_body=body, headers={"Idempotency-Key": "b|c"}, principal="a"
    )
    assert (first.status, second.status) == (202, 202)
    assert "idempotent-replayed" not in second.headers
    assert _queue(services).pending() == 2
