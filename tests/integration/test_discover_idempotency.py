"""``POST /discover`` with ``enqueue`` and an ``Idempotency-Key``: a retry answers the first
answer and queues nothing again; the same key with another body is refused; without
``enqueue`` nothing is queued and the key is not used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from article_ingest.serve import LocalContext, build_event, response_parts
from core.adapters.local.queue import SqliteIngestQueue
from core.services import Services
from handlers import _deps
from tests.integration.discovery_site import DiscoverySite
from tests.integration.test_discovery_flow import site_settings

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@pytest.fixture
def site() -> Iterator[DiscoverySite]:
    with DiscoverySite() as server:
        yield server


@pytest.fixture
def services(
    tmp_path: Path, site: DiscoverySite, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    services = Services(site_settings(tmp_path / "data", site))
    _deps.use(services)
    yield services
    _deps.use(None)


def discover(body: dict[str, Any], key: str) -> tuple[int, dict[str, str], Any]:
    from handlers.api import handler

    headers = [("Content-Type", "application/json"), ("Idempotency-Key", key)]
    status, answer_headers, raw = response_parts(
        handler(
            build_event("POST", "/discover", headers, json.dumps(body).encode()), LocalContext()
        )
    )
    return status, {k.lower(): v for k, v in answer_headers}, json.loads(raw)


def pending(services: Services) -> int:
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    return queue.pending()


def test_a_retried_enqueuing_discovery_queues_nothing_again(
    services: Services, site: DiscoverySite
) -> None:
    body = {"feed": site.page_url("feed.atom"), "enqueue": True}
    status, headers, first = discover(body, "disc-1")
    assert status == 202, first
    queued = pending(services)
    assert queued == len(first["submission"]["results"]) == 3
    feed_hits = site.hits["/feed.atom"]

    status, headers, again = discover(body, "disc-1")
    assert status == 202
    assert headers.get("idempotent-replayed") == "true"
    assert again == first
    assert pending(services) == queued
    assert site.hits["/feed.atom"] == feed_hits  # not even fetched again

    status, _, refused = discover({**body, "limit": 1}, "disc-1")
    assert (status, refused["code"]) == (422, "idempotency_key_reused")


def test_the_key_is_unused_without_enqueue(services: Services, site: DiscoverySite) -> None:
    body = {"feed": site.page_url("feed.rss")}
    for _ in range(2):
        status, headers, answer = discover(body, "preview")
        assert status == 200, answer
        assert "idempotent-replayed" not in headers
    assert site.hits["/feed.rss"] == 2
    assert pending(services) == 0
