"""The local runtime's stream handling: resume at the first failure, dead letters, leases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from article_ingest.runtime import LocalRuntime
from core.adapters.local.stream import STREAM
from core.models import Article, ArticleStatus
from core.services import Services
from core.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.001)


def failed_article(n: int) -> Article:
    from core.models import ArticleError

    return Article(
        id=f"{n:032x}",
        url=f"https://example.com/{n}",
        status=ArticleStatus.FAILED,
        error=ArticleError(code="http_error", message="HTTP 404"),
    )


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return Services(Settings(data_dir=tmp_path))


def test_a_failing_record_is_retried_then_dead_lettered_without_losing_later_ones(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        services.articles.put(failed_article(n))
    seen: list[str] = []
    from handlers import indexer

    def handle(event: dict[str, Any], context: Any, svc: Services) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            key = record["dynamodb"]["Keys"]["id"]["S"]
            seen.append(key)
            if key == f"{1:032x}":
                failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
        return {"batchItemFailures": failures}

    monkeypatch.setattr(indexer, "handle", handle)
    clock = Clock()
    rt = LocalRuntime(services, clock=clock.time, sleep=clock.sleep, stream_max_retries=3)
    report = rt.drain(timeout_s=3600)

    assert report.finished
    assert seen.count(f"{0:032x}") == 1  # never redone: it precedes the failure
    assert seen.count(f"{1:032x}") == 4  # first try + 3 retries
    assert seen[-1] == f"{2:032x}"  # processed after the failure was dead-lettered
    assert [d["article_id"] for d in rt.stream_dead_letters()] == [f"{1:032x}"]
    assert rt.stream_lag() == 0


def test_another_process_holding_the_lease_is_waited_for(services: Services) -> None:
    services.articles.put(failed_article(1))
    clock = Clock()
    rt = LocalRuntime(services, clock=clock.time, sleep=clock.sleep)
    with services.db.transaction() as conn:
        conn.execute(
            "UPDATE stream_cursors SET owner = 'other', lease_until = ? WHERE name = ?",
            (clock.now + 30, STREAM),
        )
    assert not rt.run_indexer_once()
    report = rt.drain(timeout_s=3600)  # the lease expires; this runtime takes over
    assert report.finished
    assert clock.now >= 1_000_030
    assert rt.stream_lag() == 0
