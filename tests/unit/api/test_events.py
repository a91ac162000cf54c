"""The sample API Gateway v2 events in ``events/`` route through the real handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.offline import offline_fetcher

from article_ingest.lambda_context import LocalContext
from core.services import Services
from core.settings import Settings
from handlers import _deps

EVENTS = sorted((Path(__file__).parents[3] / "events").glob("api-*.json"))
ROUTE_KEYS = {
    "POST /articles",
    "POST /discover",
    "GET /articles",
    "GET /articles/{article_id}",
    "GET /articles/{article_id}/text",
    "GET /articles/{article_id}/raw",
    "GET /search",
    "GET /batches/{batch_id}",
    "GET /openapi.json",
    "GET /docs",
}


@pytest.fixture
def queued_only(tmp_path: Path) -> Iterator[None]:
    # Everything is queued, so no sample URL is ever fetched; a discovery finds no name.
    services = Services(Settings(data_dir=tmp_path / "data", sync_batch_limit=0))
    services.__dict__["fetcher"] = offline_fetcher()
    _deps.use(services)
    yield
    _deps.use(None)


def test_one_event_per_route() -> None:
    keys = {json.loads(path.read_text())["routeKey"] for path in EVENTS}
    assert keys == ROUTE_KEYS


@pytest.mark.usefixtures("queued_only")
@pytest.mark.parametrize("path", EVENTS, ids=[p.stem for p in EVENTS])
def test_event_reaches_its_route(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers.api import handler

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    event = json.loads(path.read_text())
    assert event["version"] == "2.0"
    answer = handler(event, LocalContext())

    assert answer["statusCode"] < 500
    if answer["headers"]["Content-Type"] == "application/problem+json":
        # An article that does not exist here is fine, and a sitemap on a name that does
        # not resolve; an unmatched route is not.
        assert json.loads(answer["body"])["code"] in {"not_found", "dns_error"}, answer["body"]
    elif event["requestContext"]["http"]["method"] == "POST":
        assert answer["statusCode"] == 202
