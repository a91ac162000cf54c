"""One webhook attempt per message: retried with backoff up to the limit, never after a
refusal or a success, never unsigned; and the local queue gives up on a message that keeps
failing, as the AWS queue's redrive policy does."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.adapters.local.batches import SqliteBatchStore
from core.adapters.local.sqlite import SqliteDatabase
from core.adapters.local.webhook_queue import MAX_RECEIVES, SqliteWebhookQueue
from core.batches.delivery import WebhookDeliverer
from core.batches.models import Batch, BatchCounts, BatchItem, WebhookDelivery, new_batch_id
from core.fetch.post import PostOutcome
from core.signing import verify


class ScriptedPoster:
    """Answers POSTs with the outcomes it is given, in turn; records what it was sent."""

    def __init__(self, *outcomes: PostOutcome) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, timeout_s: float
    ) -> PostOutcome:
        self.sent.append((url, body, dict(headers)))
        return self.outcomes.pop(0)


class Fixture:
    def __init__(self, tmp_path: Path, poster: ScriptedPoster, secret: str | None = "k") -> None:
        db = SqliteDatabase(tmp_path / "db.sqlite3")
        self.store = SqliteBatchStore(db)
        self.queue = SqliteWebhookQueue(db)
        self.poster = poster
        self.deliverer = WebhookDeliverer(
            self.store,
            self.queue,
            poster,  # type: ignore[arg-type]
            lambda: secret,
            max_attempts=3,
            base_delay_s=10,
            rng=random.Random(7),
        )
        item = BatchItem(index=0, url="ftp://x/", status="rejected")
        batch = Batch(
            id=new_batch_id(),
            created_at=datetime.now(UTC),
            total=1,
            counts=BatchCounts.of([item]),
            finished=False,
            webhook="https://hooks.example.org/in",
        )
        self.store.create(batch, [item])
        assert self.store.mark_finished(batch.id)
        self.batch_id = batch.id

    def run(self, attempt: int = 0) -> Any:
        return self.deliverer.deliver(WebhookDelivery(batch_id=self.batch_id, attempt=attempt))

    def queued(self) -> list[WebhookDelivery]:
        messages = self.queue.receive(10, 0)
        return [WebhookDelivery.model_validate_json(m.body) for m in messages]


def test_failures_are_retried_with_growing_delays_until_the_limit(tmp_path: Path) -> None:
    failed = PostOutcome(503, "HTTP 503")
    fixture = Fixture(tmp_path, ScriptedPoster(failed, failed, failed))
    first = fixture.run(0)
    second = fixture.run(1)
    last = fixture.run(2)
    assert [a.outcome for a in (first, second, last)] == ["failed"] * 3
    waits = [(a.next_attempt_at - a.at).total_seconds() for a in (first, second)]
    assert 5 <= waits[0] <= 10 <= waits[1] <= 20  # 10 s, then 20 s, the upper half jittered
    assert last.next_attempt_at is None  # the last attempt: given up
    assert fixture.queue.next_visible_at() is not None
    batch = fixture.store.get(fixture.batch_id)
    assert batch is not None
    assert [d.attempt for d in batch.deliveries] == [1, 2, 3]


def test_a_delivered_batch_is_not_delivered_again(tmp_path: Path) -> None:
    fixture = Fixture(tmp_path, ScriptedPoster(PostOutcome(204)))
    assert fixture.run().outcome == "delivered"
    assert fixture.run() is None  # a duplicate message
    assert len(fixture.poster.sent) == 1
    url, body, headers = fixture.poster.sent[0]
    assert url == "https://hooks.example.org/in"
    assert verify("k", headers, body)


def test_a_refused_address_is_never_retried(tmp_path: Path) -> None:
    refused = PostOutcome(None, "blocked_address: resolves to 10.0.0.1", refused=True)
    fixture = Fixture(tmp_path, ScriptedPoster(refused))
    assert fixture.run().outcome == "refused"
    assert fixture.queued() == []
    assert fixture.run() is None


def test_without_a_secret_nothing_is_sent(tmp_path: Path) -> None:
    fixture = Fixture(tmp_path, ScriptedPoster(), secret=None)
    attempt = fixture.run()
    assert attempt.outcome == "refused"
    assert "secret" in attempt.error
    assert fixture.poster.sent == []


def test_the_local_queue_drops_a_message_that_keeps_failing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue = SqliteWebhookQueue(SqliteDatabase(tmp_path / "db.sqlite3"))
    queue.send_delivery(WebhookDelivery(batch_id="b_" + "1" * 24))
    for _ in range(MAX_RECEIVES):
        assert len(queue.receive(10, 0)) == 1  # received, never deleted (the handler failed)
    assert queue.receive(10, 0) == []
    assert queue.next_visible_at() is None
    assert "dropped" in caplog.text
