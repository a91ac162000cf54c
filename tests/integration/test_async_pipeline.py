"""The asynchronous pipeline end to end on the embedded default: queue → worker → outbox →
indexer → events, driven by ``LocalRuntime`` with the same handlers as on AWS.

The fault-injection test makes every dependency fail at every step across 200 URLs and then
lets the retries run: each URL must end ``indexed`` or ``failed`` with its expected code, none
lost or stored twice, no article pointing at a missing raw object, one ``ArticleIndexed`` per
indexed article. A fake clock makes queue delays and backoffs instantaneous.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from article_ingest.runtime import LocalRuntime
from core.adapters.local.queue import SqliteIngestQueue
from core.adapters.local.stream import STREAM
from core.ids import article_id
from core.models import Article, ArticleStatus
from core.ports import IngestRequest
from core.services import Services
from core.settings import Settings
from tests.integration.async_faults import (
    Faults,
    FaultyArticleStore,
    FaultyEventBus,
    FaultyFetcher,
    FaultyQueue,
    FaultyRawStore,
    FaultySearchIndex,
    SimulatedCrash,
)
from tests.integration.async_site import NewsSite

SEED = 20240611


@dataclass
class Clock:
    """Fake time: ``sleep`` advances it instead of waiting."""

    now: float = field(default_factory=time.time)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.001)


def make_settings(tmp_path: Path, site: NewsSite) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        allow_private_networks=True,
        allowed_ports=[site.port],
        per_host_delay_s=0,
        per_host_concurrency=8,
        respect_robots=False,
        max_fetch_attempts=4,
        retry_base_delay_s=30,
        queue_max_receives=5,
    )


def url_plan(site: NewsSite) -> dict[str, str]:
    """200 URLs → the outcome each must end with (``indexed`` or a failure code)."""
    plan: dict[str, str] = {}
    plan.update({site.url(f"/article/{n}"): "indexed" for n in range(150)})
    plan.update({site.url(f"/story/{g}/{c}"): "indexed" for g in range(10) for c in "abc"})
    plan.update({site.url(f"/missing/{n}"): "http_error" for n in range(10)})
    plan.update({site.url(f"/flaky/{n}"): "indexed" for n in range(5)})
    plan.update({site.url(f"/down/{n}"): "http_error" for n in range(3)})
    plan.update({site.url(f"/empty/{n}"): "empty_extraction" for n in range(2)})
    assert len(plan) == 200
    return plan


def submit(services: Services, urls: list[str], clock: Clock) -> None:
    """What the API does for an async batch: store ``queued`` articles, then enqueue."""
    now = datetime.fromtimestamp(clock.time(), UTC)
    for url in urls:
        services.articles.put(Article(id=article_id(url), url=url, status=ArticleStatus.QUEUED))
    queue = SqliteIngestQueue(services.db, clock=clock.time)
    requests = [IngestRequest(url=u, id=article_id(u), requested_at=now) for u in urls]
    for start in range(0, len(requests), 10):
        queue.send(requests[start : start + 10])


class ReplayingRuntime(LocalRuntime):
    """A runtime whose stream sometimes re-delivers records already processed."""

    faults: Faults

    def _advance(self, rows: list[Any], failed_seq: int | None) -> None:
        super()._advance(rows, failed_seq)
        if failed_seq is None and self.faults.duplicate("stream.replay"):
            back = self.faults.rng.randint(1, len(rows))
            with self.db.transaction() as conn:
                conn.execute(
                    "UPDATE stream_cursors SET seq = ? WHERE name = ?",
                    (rows[-back]["seq"] - 1, STREAM),
                )


def faulty_runtime(settings: Settings, faults: Faults, clock: Clock) -> ReplayingRuntime:
    """A fresh process: new Services whose adapters are wrapped with faults."""
    services = Services(settings)
    adapters = services.__dict__
    adapters["raw_store"] = FaultyRawStore(services.raw_store, faults)
    adapters["articles"] = FaultyArticleStore(services.articles, faults)
    adapters["search_index"] = FaultySearchIndex(services.search_index, faults)
    adapters["event_bus"] = FaultyEventBus(services.event_bus, faults)
    adapters["fetcher"] = FaultyFetcher(services.fetcher, faults)
    queue = FaultyQueue(services.db, clock=clock.time, max_receives=settings.queue_max_receives)
    queue.faults = faults
    adapters["queue"] = queue
    runtime = ReplayingRuntime(services, clock=clock.time, sleep=clock.sleep)
    runtime.faults = faults
    return runtime


def read_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check_outcomes(services: Services, plan: dict[str, str]) -> dict[str, Article]:
    """Every URL ended as planned, stored once, with its raw object present."""
    articles: dict[str, Article] = {}
    for url, expected in plan.items():
        article = services.articles.get(article_id(url))
        assert article is not None, f"{url} was lost"
        assert article.url == url
        if expected == "indexed":
            assert article.status is ArticleStatus.INDEXED, (url, article.status, article.error)
            assert article.word_count > 0
            assert article.fingerprint
            assert article.language == "en"
        else:
            assert article.status is ArticleStatus.FAILED, (url, article.status)
            assert article.error is not None
            assert article.error.code == expected, article.error
        if article.raw_html_uri:
            assert services.raw_store.exists(article.raw_html_uri), f"{url}: dangling raw URI"
        articles[url] = article
    count = services.db.connection().execute("SELECT COUNT(*) AS n FROM articles").fetchone()
    assert count["n"] == len(plan), "an URL was stored as two articles"
    return articles


def check_duplicates(articles: dict[str, Article], site: NewsSite) -> int:
    """The three copies of each story: one original, two linked to it; uniques unlinked."""
    linked = 0
    for g in range(10):
        copies = [articles[site.url(f"/story/{g}/{c}")] for c in "abc"]
        originals = [a for a in copies if a.duplicate_of is None]
        assert len(originals) == 1, [a.duplicate_of for a in copies]
        for copy in copies:
            if copy is not originals[0]:
                assert copy.duplicate_of == originals[0].id
                linked += 1
    for url, article in articles.items():
        if "/story/" not in url:
            assert article.duplicate_of is None, url
    return linked


def check_events(path: Path, articles: dict[str, Article]) -> Counter[str]:
    """One event per stored fact (duplicates share an id and a body); returns line counts."""
    lines = read_events(path)
    by_id: dict[str, dict[str, Any]] = {}
    for line in lines:
        detail = line["detail"]
        assert by_id.setdefault(detail["event_id"], line) == line, "an event id changed body"
    kinds = Counter(line["detail-type"] for line in by_id.values())
    indexed_events = defaultdict(list)
    for line in by_id.values():
        if line["detail-type"] == "ArticleIndexed":
            indexed_events[line["detail"]["article_id"]].append(line)
    for article in articles.values():
        if article.status is ArticleStatus.INDEXED:
            assert f"{article.id}-v{article.version}-ArticleIndexed" in by_id
            assert len(indexed_events[article.id]) == 1
            if article.duplicate_of:
                assert f"{article.id}-v{article.version}-ArticleDuplicateDetected" in by_id
        else:
            assert f"{article.id}-v{article.version}-ArticleFailed" in by_id
    kinds["lines"] = len(lines)
    kinds["distinct"] = len(by_id)
    return kinds


def test_async_batch_survives_a_restart(tmp_path: Path) -> None:
    with NewsSite() as site:
        settings = make_settings(tmp_path, site)
        clock = Clock()
        urls = [site.url(f"/article/{n}") for n in range(8)]
        urls += [site.url(f"/story/0/{c}") for c in "ab"] + [site.url("/missing/0")]
        plan = {u: "http_error" if "missing" in u else "indexed" for u in urls}
        submit(Services(settings), urls, clock)

        first = Services(settings)
        first.__dict__["queue"] = SqliteIngestQueue(first.db, clock=clock.time)
        runtime = LocalRuntime(first, clock=clock.time, sleep=clock.sleep)
        assert runtime.run_worker_once()  # one batch fetched, then the process stops
        assert runtime.stream_lag() > 0
        first.db.close()

        second = Services(settings)
        second.__dict__["queue"] = SqliteIngestQueue(second.db, clock=clock.time)
        report = LocalRuntime(second, clock=clock.time, sleep=clock.sleep).drain(timeout_s=3600)

        assert report.finished
        articles = check_outcomes(second, plan)
        first_copy, second_copy = (articles[site.url(f"/story/0/{c}")] for c in "ab")
        assert {first_copy.duplicate_of, second_copy.duplicate_of} == {None, first_copy.id} or {
            first_copy.duplicate_of,
            second_copy.duplicate_of,
        } == {None, second_copy.id}
        kinds = check_events(settings.events_path, articles)
        assert kinds["lines"] == kinds["distinct"]  # no fault, no duplicate line
        assert kinds["ArticleIndexed"] == 10
        assert kinds["ArticleFailed"] == 1
        assert kinds["ArticleDuplicateDetected"] == 1
        hits = second.search_index.search("council transport")
        assert hits, "indexed articles are searchable"


@pytest.mark.parametrize("seed", [SEED, SEED + 1, SEED + 2])
def test_nothing_is_lost_under_faults(tmp_path: Path, seed: int) -> None:
    with NewsSite() as site:
        settings = make_settings(tmp_path, site)
        clock = Clock()
        plan = url_plan(site)
        submit(Services(settings), list(plan), clock)
        faults = Faults(seed=seed, rate=0.08, budget_per_article=3)

        restarts = 0
        for _ in range(faults.max_crashes + 2):
            runtime = faulty_runtime(settings, faults, clock)
            try:
                report = runtime.drain(timeout_s=7 * 24 * 3600)
            except SimulatedCrash:
                restarts += 1
                runtime.services.db.close()
                continue
            break
        assert report.finished

        clean = Services(settings)
        articles = check_outcomes(clean, plan)
        linked = check_duplicates(articles, site)
        kinds = check_events(settings.events_path, articles)
        after = LocalRuntime(clean)
        queue = SqliteIngestQueue(clean.db)
        assert queue.pending() == 0
        assert queue.dead_letters() == []
        assert after.stream_lag() == 0
        assert after.stream_dead_letters() == []

        outcomes = Counter(
            a.status.value if a.error is None else f"failed:{a.error.code}"
            for a in articles.values()
        )
        figures = {
            "urls": len(plan),
            "faults_injected": faults.total,
            "faults_by_site": dict(sorted(faults.injected.items())),
            "restarts_after_crash": restarts,
            "outcomes": dict(outcomes),
            "duplicates_linked": linked,
            "event_lines": kinds["lines"],
            "distinct_events": kinds["distinct"],
            "fetches": sum(site.hits.values()),
        }
        print("FAULT-INJECTION", json.dumps(figures, sort_keys=True))
        assert faults.total >= 50, "the run must actually inject faults"
        assert restarts >= 1
        assert linked == 20
