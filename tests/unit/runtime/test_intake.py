"""Retry decisions of the intake: backoff for retryable fetches, final failures, idempotence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.adapters.local.queue import SqliteIngestQueue
from core.errors import StorageError
from core.fetch.outcomes import FetchOutcome, FetchResult
from core.ids import article_id
from core.intake import Intake, IntakeOutcome, retry_delay
from core.models import ArticleStatus
from core.ports import IngestRequest
from core.services import Services
from core.settings import Settings

URL = "https://example.com/story"


class ScriptedFetcher:
    def __init__(self, *results: FetchResult) -> None:
        self.results = list(results)
        self.calls = 0

    def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
        self.calls += 1
        return self.results.pop(0)


def unavailable(retry_after: float | None = None) -> FetchResult:
    return FetchResult(
        URL, FetchOutcome.HTTP_ERROR, "HTTP 503", True, http_status=503, retry_after_s=retry_after
    )


def not_found() -> FetchResult:
    return FetchResult(URL, FetchOutcome.HTTP_ERROR, "HTTP 404", False, http_status=404)


def services_with(tmp_path: Path, fetcher: ScriptedFetcher) -> Services:
    services = Services(Settings(data_dir=tmp_path, max_fetch_attempts=3, retry_base_delay_s=30))
    services.__dict__["fetcher"] = fetcher
    return services


def request(attempt: int = 0) -> IngestRequest:
    return IngestRequest(
        url=URL, id=article_id(URL), requested_at=datetime.now(UTC), attempt=attempt
    )


def test_retry_delay_doubles_with_jitter_and_honours_retry_after() -> None:
    rng = random.Random(1)
    assert 15 <= retry_delay(0, 30, rng=rng) <= 30
    assert 60 <= retry_delay(2, 30, rng=rng) <= 120
    assert retry_delay(10, 30, rng=rng) <= 900
    assert retry_delay(0, 30, retry_after_s=400, rng=rng) == 400


def test_a_retryable_outcome_is_requeued_with_a_delay(tmp_path: Path) -> None:
    services = services_with(tmp_path, ScriptedFetcher(unavailable(retry_after=120)))
    result = Intake(services).run(request())
    assert result.outcome is IntakeOutcome.RETRY_SCHEDULED
    assert result.delay_s >= 120
    queue = services.queue
    assert isinstance(queue, SqliteIngestQueue)
    assert queue.receive() == []  # delayed
    queue.clock = lambda: 10**12
    (message,) = queue.receive()
    assert IngestRequest.model_validate_json(message.body).attempt == 1
    assert services.articles.get(article_id(URL)) is None  # nothing recorded while retrying


def test_the_last_attempt_is_recorded_as_failed_with_its_code(tmp_path: Path) -> None:
    services = services_with(tmp_path, ScriptedFetcher(unavailable()))
    result = Intake(services).run(request(attempt=2))
    assert result.outcome is IntakeOutcome.FAILED
    stored = services.articles.get(article_id(URL))
    assert stored is not None
    assert stored.status is ArticleStatus.FAILED
    assert stored.error is not None
    assert stored.error.code == "http_error"
    assert stored.error.retryable


def test_a_permanent_outcome_fails_at_once(tmp_path: Path) -> None:
    services = services_with(tmp_path, ScriptedFetcher(not_found()))
    assert Intake(services).run(request()).outcome is IntakeOutcome.FAILED
    assert services.queue.receive() == []  # type: ignore[attr-defined]


def test_a_duplicate_delivery_is_not_fetched_again(tmp_path: Path) -> None:
    fetcher = ScriptedFetcher(not_found())
    services = services_with(tmp_path, fetcher)
    message = request()
    message = message.model_copy(update={"requested_at": message.requested_at - timedelta(1)})
    Intake(services).run(message)
    assert Intake(services).run(message).outcome is IntakeOutcome.ALREADY_DONE
    assert fetcher.calls == 1


class BrokenStore:
    def get(self, _: str) -> None:
        raise StorageError("table unavailable")


def test_store_errors_redeliver_until_the_last_receive(tmp_path: Path) -> None:
    services = services_with(tmp_path, ScriptedFetcher(not_found(), not_found()))
    real = services.articles
    services.__dict__["articles"] = BrokenStore()
    with pytest.raises(StorageError):
        Intake(services).run(request(), receive_count=1)

    class FailsOnce:
        calls = 0

        def get(self, the_id: str) -> object:
            self.calls += 1
            if self.calls == 1:
                raise StorageError("table unavailable")
            return real.get(the_id)

        def put(self, article: object) -> object:
            return real.put(article)  # type: ignore[arg-type]

    services.__dict__["articles"] = FailsOnce()
    last_receive = services.settings.queue_max_receives
    # Attempts remain: the URL starts over as a fresh message rather than being given up.
    again = Intake(services).run(request(), receive_count=last_receive)
    assert again.outcome is IntakeOutcome.RETRY_SCHEDULED
    assert real.get(article_id(URL)) is None
    queued = services.queue.receive(max_messages=10, visibility_timeout_s=30)  # type: ignore[attr-defined]
    assert queued == []  # delayed by the backoff, not yet visible

    services.__dict__["articles"] = FailsOnce()
    final_attempt = request(attempt=services.settings.max_fetch_attempts - 1)
    last = Intake(services).run(final_attempt, receive_count=last_receive)
    assert last.outcome is IntakeOutcome.FAILED
    stored = real.get(article_id(URL))
    assert stored is not None
    assert stored.error is not None
    assert stored.error.code == "storage_error"
