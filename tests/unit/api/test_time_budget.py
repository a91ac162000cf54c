"""Time budgets: a synchronous POST answers before the invocation's deadline with every URL
done or queued, and the worker leaves records it has no time for to be redelivered.

Slow pages come from a loopback server whose handler sleeps; the Lambda contexts have little
remaining time. The assertions are on outcomes (done, queued, redelivered), not on speed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from tests.support.page_server import PageServer
from tests.unit.api.conftest import make_settings

from article_ingest.lambda_context import LocalContext
from article_ingest.runtime import sqs_record
from article_ingest.serve import build_event, response_parts
from core.adapters.local.queue import SqliteIngestQueue
from core.fetch.outcomes import FetchFailure, FetchOutcome, FetchResult
from core.fetch.politeness import HostLimiter
from core.fetch.transport import Deadline
from core.ids import article_id
from core.models import ArticleStatus
from core.pipeline import OutOfTime
from core.ports import IngestRequest
from core.services import Services
from core.submission import API_GATEWAY_LIMIT_S, Submitter, sync_deadline
from handlers import _deps, worker

PAGES = Path(__file__).parents[2] / "fixtures" / "pages"
FERRY = "harbour-solar-ferry-en.html"


@pytest.fixture(scope="module")
def slow_server() -> Iterator[PageServer]:
    """Every answer takes 6 s, like the slow host of issue 12."""
    with PageServer(PAGES, latency_s=6.0) as server:
        yield server


class CountingFetcher:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
        self.calls += 1
        result: FetchResult = self.inner.fetch(url, deadline=deadline)
        return result


def test_the_sync_deadline_keeps_a_margin_and_never_exceeds_api_gateway() -> None:
    now = time.monotonic()
    assert sync_deadline(12_000, 2.5) - now == pytest.approx(9.5, abs=0.5)
    assert sync_deadline(900_000, 2.5) - now == pytest.approx(API_GATEWAY_LIMIT_S - 2.5, abs=0.5)
    assert sync_deadline(None, 2.5) - now == pytest.approx(API_GATEWAY_LIMIT_S - 2.5, abs=0.5)
    assert sync_deadline(1_000, 2.5) <= time.monotonic()  # nothing left: queue everything


def test_a_fetch_deadline_is_capped_by_the_budget_even_while_waiting_for_a_slot() -> None:
    hard = time.monotonic() + 1.0
    deadline = Deadline(20.0, hard_at=hard)
    deadline.extend(30.0)  # time spent waiting for a politeness slot
    assert deadline.at == hard
    limiter = HostLimiter(concurrency=1, min_delay_s=0)
    with (
        limiter.slot("slow.example"),
        pytest.raises(FetchFailure, match="time budget ran out") as caught,
        limiter.slot("slow.example", until=time.monotonic() + 0.2),
    ):
        pass
    assert caught.value.outcome is FetchOutcome.TIMEOUT
    assert limiter.in_flight("slow.example") == 0


def test_a_slow_host_sync_post_answers_in_time_with_every_url_done_or_queued(
    tmp_path: Path, slow_server: PageServer
) -> None:
    """Issue 12's slow host, shortened: 10 URLs of one host answering in 6 s, 2 at a time
    with 1 s between starts, through the sync POST with 12 s left in the invocation."""
    services = Services(
        make_settings(
            tmp_path / "data", slow_server, per_host_concurrency=2, sync_time_margin_s=2.5
        ).model_copy(update={"per_host_delay_s": 1.0})
    )
    _deps.use(services)
    try:
        urls = [slow_server.url(f"{FERRY}?copy={n}") for n in range(10)]
        context = LocalContext(deadline=time.monotonic() + 12.0)
        from handlers.api import handler

        event = build_event(
            "POST",
            "/articles",
            [("Content-Type", "application/json")],
            ('{"urls": ["' + '", "'.join(urls) + '"]}').encode(),
        )
        status, _, body = response_parts(handler(event, context))
        returned_at = time.monotonic()
    finally:
        _deps.use(None)

    answer = json.loads(body)
    assert status == 200
    assert answer["mode"] == "sync"
    assert returned_at < context.deadline  # answered within the invocation, never cut off
    statuses = {r["url"]: r["status"] for r in answer["results"]}
    assert set(statuses) == set(urls)
    assert set(statuses.values()) <= {"extracted", "queued"}
    queued = [url for url, status in statuses.items() if status == "queued"]
    assert len(queued) >= 8  # 2 at a time, 6 s each: at most two fit in 9.5 s
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    sent = queue.receive(max_messages=10, visibility_timeout_s=60)
    assert sorted(IngestRequest.model_validate_json(m.body).url for m in sent) == sorted(queued)
    for url in queued:  # a placeholder, or the article a background thread finished meanwhile
        stored = services.articles.get(article_id(url))
        assert stored is None or stored.status in (ArticleStatus.QUEUED, ArticleStatus.EXTRACTED)


def test_a_budget_already_spent_queues_the_whole_sync_batch(
    tmp_path: Path, page_server: PageServer
) -> None:
    services = Services(make_settings(tmp_path / "data", page_server))
    fetcher = CountingFetcher(services.fetcher)
    services.__dict__["fetcher"] = fetcher
    _deps.use(services)
    try:
        from handlers.api import handler

        urls = [page_server.url(FERRY), page_server.url("huerto-urbano-es.html")]
        event = build_event(
            "POST",
            "/articles",
            [("Content-Type", "application/json")],
            ('{"urls": ["' + '", "'.join(urls) + '"]}').encode(),
        )
        context = LocalContext(deadline=time.monotonic() + 1.0)  # less than the margin
        status, _, body = response_parts(handler(event, context))
    finally:
        _deps.use(None)
    answer = json.loads(body)
    assert (status, answer["mode"]) == (200, "sync")
    assert [r["status"] for r in answer["results"]] == ["queued", "queued"]
    assert fetcher.calls == 0
    stored = services.articles.get(article_id(urls[0]))
    assert stored is not None
    assert (stored.status, stored.hostname) == (ArticleStatus.QUEUED, "127.0.0.1")


def _worker_event(services: Services, urls: list[str]) -> dict[str, Any]:
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    now = datetime.now(UTC)
    queue.send([IngestRequest(url=u, id=article_id(u), requested_at=now) for u in urls])
    messages = queue.receive(max_messages=10, visibility_timeout_s=60)
    by_url = {IngestRequest.model_validate_json(m.body).url: m for m in messages}
    return {"Records": [sqs_record(by_url[u]) for u in urls]}


def test_the_worker_takes_no_record_without_time_for_its_fetch(
    tmp_path: Path, page_server: PageServer
) -> None:
    services = Services(make_settings(tmp_path / "data", page_server))  # 20 s fetch deadline
    fetcher = CountingFetcher(services.fetcher)
    services.__dict__["fetcher"] = fetcher
    urls = [page_server.url(FERRY), page_server.url("huerto-urbano-es.html")]
    event = _worker_event(services, urls)
    context = LocalContext(deadline=time.monotonic() + 12.0)

    response = worker.handle(event, cast(Any, context), services)

    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    assert failed == {record["messageId"] for record in event["Records"]}
    assert fetcher.calls == 0
    assert all(services.articles.get(article_id(u)) is None for u in urls)


def test_the_worker_stops_taking_records_when_its_time_runs_short(
    tmp_path: Path, page_server: PageServer
) -> None:
    with PageServer(PAGES, latency_s=2.0) as slow:
        settings = make_settings(tmp_path / "data", slow).model_copy(
            update={"fetch_deadline_s": 4.0, "worker_time_margin_s": 1.0}
        )
        services = Services(settings)
        fetcher = CountingFetcher(services.fetcher)
        services.__dict__["fetcher"] = fetcher
        urls = [slow.url(f"{FERRY}?n={n}") for n in range(3)]
        event = _worker_event(services, urls)
        # 5.5 s for fetches: the first record starts (>= 4 s left), then < 4 s remain.
        context = LocalContext(deadline=time.monotonic() + 6.5)

        response = worker.handle(event, cast(Any, context), services)

    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    records = event["Records"]
    assert failed == {records[1]["messageId"], records[2]["messageId"]}
    assert fetcher.calls == 1
    first = services.articles.get(article_id(urls[0]))
    assert first is not None
    assert first.status is ArticleStatus.EXTRACTED
    assert services.articles.get(article_id(urls[1])) is None


def test_a_record_on_its_last_delivery_is_sent_again_rather_than_dead_lettered(
    tmp_path: Path, page_server: PageServer
) -> None:
    services = Services(make_settings(tmp_path / "data", page_server))
    url = page_server.url(FERRY)
    event = _worker_event(services, [url])
    last = str(services.settings.queue_max_receives)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = last
    context = LocalContext(deadline=time.monotonic() + 12.0)  # no time for a fetch

    response = worker.handle(event, cast(Any, context), services)

    assert response == {"batchItemFailures": []}
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    (again,) = queue.receive(max_messages=10, visibility_timeout_s=60)
    assert again.receive_count == 1
    assert IngestRequest.model_validate_json(again.body).url == url


def test_a_fetch_cut_by_the_deadline_stores_nothing(
    tmp_path: Path, slow_server: PageServer
) -> None:
    services = Services(make_settings(tmp_path / "data", slow_server))
    url = slow_server.url(f"{FERRY}?cut=1")
    with pytest.raises(OutOfTime):
        services.pipeline.ingest(url, deadline=time.monotonic() + 0.5)
    assert services.articles.get(article_id(url)) is None


class BrokenQueue:
    def send(self, requests: Any, *, delay_s: int = 0) -> None:
        from core.errors import StorageError

        raise StorageError("queue unavailable")


def test_late_urls_the_queue_refuses_fail_alone_with_a_retryable_error(
    tmp_path: Path, page_server: PageServer
) -> None:
    services = Services(make_settings(tmp_path / "data", page_server))
    services.__dict__["queue"] = BrokenQueue()
    urls = [page_server.url(FERRY), "ftp://example.org/x"]
    submission = Submitter(services).submit(urls, deadline=time.monotonic() - 1)
    late, rejected = submission.results
    assert (submission.mode, rejected.status) == ("sync", "rejected")
    assert late.status == "failed"
    assert late.error is not None
    assert (late.error.code, late.error.retryable) == ("storage_error", True)
    assert services.articles.get(article_id(urls[0])) is None
