"""Fault injection for the async pipeline: wrappers that make S3, DynamoDB, SQS, EventBridge,
the search index and the worker fail — before or after the real operation, or by crashing.

Kinds of fault:

* ``error``: the call raises ``StorageError`` without doing anything;
* ``timeout``: the call does its work, then raises ``TimeoutError`` (the caller cannot know);
* ``crash``: the process dies (``SimulatedCrash``, a ``BaseException`` no handler catches),
  either before the write (between the raw object and the metadata) or after it;
* ``partial``: a publish of several events delivers the first half, then fails;
* ``duplicate``: the queue delivers a message twice; the stream replays records.

A per-article budget bounds the faults one URL can suffer, so retries end the run; the
decisions come from a seeded RNG, so a run is reproducible.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from core.adapters.local.queue import QueueMessage, SqliteIngestQueue
from core.errors import StorageError
from core.fetch.outcomes import FetchResult
from core.ids import article_id
from core.models import Article
from core.ports import ArticleQuery, IngestRequest, RawPage


class SimulatedCrash(BaseException):
    """The process died here."""


@dataclass
class Faults:
    """Seeded fault decisions and the tally of what was injected."""

    seed: int
    rate: float = 0.05
    crash_rate: float = 0.01
    duplicate_rate: float = 0.05
    budget_per_article: int = 2
    max_crashes: int = 8
    enabled: bool = True
    rng: random.Random = field(init=False)
    injected: Counter[str] = field(default_factory=Counter)
    per_article: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _spend(self, site: str, kind: str, key: str) -> str:
        self.per_article[key] += 1
        self.injected[f"{site}:{kind}"] += 1
        return kind

    def pick(self, site: str, key: str, kinds: Sequence[str] = ("error", "timeout")) -> str | None:
        """A fault for this call, or None."""
        if not self.enabled or self.per_article[key] >= self.budget_per_article:
            return None
        if self.rng.random() >= self.rate:
            return None
        return self._spend(site, self.rng.choice(list(kinds)), key)

    def crash(self, site: str, key: str) -> bool:
        """Whether the process dies at this point."""
        crashes = sum(n for name, n in self.injected.items() if name.endswith(":crash"))
        if not self.enabled or crashes >= self.max_crashes:
            return False
        if self.per_article[key] >= self.budget_per_article:
            return False
        if self.rng.random() >= self.crash_rate:
            return False
        self._spend(site, "crash", key)
        return True

    def duplicate(self, site: str) -> bool:
        """Whether to deliver this one twice."""
        if self.enabled and self.rng.random() < self.duplicate_rate:
            self.injected[f"{site}:duplicate"] += 1
            return True
        return False

    @property
    def total(self) -> int:
        return sum(self.injected.values())


def _fail(kind: str, what: str) -> None:
    if kind == "error":
        raise StorageError(f"injected failure: {what}")
    raise TimeoutError(f"injected timeout after {what}")


class FaultyRawStore:
    """S3 stand-in with faults."""

    def __init__(self, inner: Any, faults: Faults) -> None:
        self.inner, self.faults = inner, faults

    def put(self, page: RawPage) -> str:
        kind = self.faults.pick("s3.put", page.article_id)
        if kind == "error":
            _fail(kind, "s3 put")
        uri = str(self.inner.put(page))
        if kind == "timeout":
            _fail(kind, "s3 put")
        return uri

    def get(self, uri: str) -> bytes:
        return bytes(self.inner.get(uri))

    def exists(self, uri: str) -> bool:
        return bool(self.inner.exists(uri))


class FaultyArticleStore:
    """DynamoDB stand-in with faults, including crashes around the conditional write."""

    def __init__(self, inner: Any, faults: Faults) -> None:
        self.inner, self.faults = inner, faults

    def get(self, the_id: str) -> Article | None:
        if self.faults.pick("dynamodb.get", the_id, ("error",)):
            _fail("error", "dynamodb get")
        result: Article | None = self.inner.get(the_id)
        return result

    def put(self, article: Article) -> Article:
        if self.faults.crash(f"dynamodb.put.{article.status.value}.before", article.id):
            raise SimulatedCrash(f"crash before writing {article.id}")
        kind = self.faults.pick(f"dynamodb.put.{article.status.value}", article.id)
        if kind == "error":
            _fail(kind, "dynamodb put")
        stored: Article = self.inner.put(article)
        if kind == "timeout":
            _fail(kind, "dynamodb put")
        if self.faults.crash(f"dynamodb.put.{article.status.value}.after", article.id):
            raise SimulatedCrash(f"crash after writing {article.id}")
        return stored

    def list(self, query: ArticleQuery) -> Any:
        return self.inner.list(query)

    def article_from_image(self, image: Any) -> Article:
        article: Article = self.inner.article_from_image(image)
        return article


class FaultySearchIndex:
    """The search index with faults."""

    def __init__(self, inner: Any, faults: Faults) -> None:
        self.inner, self.faults = inner, faults

    def index(self, article: Article) -> None:
        kind = self.faults.pick("search.index", article.id)
        if kind == "error":
            _fail(kind, "search index")
        self.inner.index(article)
        if kind == "timeout":
            _fail(kind, "search index")

    def search(self, query: str, **kwargs: Any) -> Any:
        return self.inner.search(query, **kwargs)


class FaultyEventBus:
    """EventBridge stand-in: errors, timeouts after delivery, partial batch failures."""

    def __init__(self, inner: Any, faults: Faults) -> None:
        self.inner, self.faults = inner, faults

    def publish(self, events: Sequence[BaseModel]) -> None:
        key = str(getattr(events[0], "article_id", "bus")) if events else "bus"
        kinds = ("error", "timeout", "partial") if len(events) > 1 else ("error", "timeout")
        kind = self.faults.pick("eventbridge.put_events", key, kinds)
        if kind == "error":
            _fail(kind, "put events")
        if kind == "partial":
            self.inner.publish(events[: len(events) // 2])
            raise StorageError("injected: some PutEvents entries failed")
        self.inner.publish(events)
        if kind == "timeout":
            _fail(kind, "put events")


class FaultyFetcher:
    """The worker's fetch step with faults (a worker bug surfacing as an exception)."""

    def __init__(self, inner: Any, faults: Faults) -> None:
        self.inner, self.faults = inner, faults

    def fetch(self, url: str, *, deadline: float | None = None) -> FetchResult:
        if self.faults.crash("worker.fetch", article_id(url)):
            raise SimulatedCrash(f"worker killed while fetching {url}")  # e.g. a Lambda timeout
        if self.faults.pick("worker.fetch", article_id(url), ("error",)):
            raise RuntimeError(f"injected worker failure on {url}")
        result: FetchResult = self.inner.fetch(url, deadline=deadline)
        return result


class FaultyQueue(SqliteIngestQueue):
    """SQS stand-in: send errors, and duplicate deliveries (one body enqueued twice)."""

    faults: Faults

    def send(self, requests: Sequence[IngestRequest], *, delay_s: int = 0) -> None:
        key = requests[0].id if requests else "queue"
        if self.faults.pick("sqs.send", key, ("error",)):
            _fail("error", "sqs send")
        bodies = [r.model_dump_json() for r in requests]
        bodies += [body for body in bodies if self.faults.duplicate("sqs.deliver")]
        self.send_bodies(bodies, delay_s=delay_s)

    def receive(self, **kwargs: Any) -> list[QueueMessage]:
        """Messages, some of which will also be delivered again later (at-least-once)."""
        messages = super().receive(**kwargs)
        again = [m.body for m in messages if self.faults.duplicate("sqs.deliver")]
        if again:
            self.send_bodies(again, delay_s=self.faults.rng.randint(0, 60))
        return messages
