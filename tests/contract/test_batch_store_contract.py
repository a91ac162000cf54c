"""The ``BatchStore`` contract, on SQLite and on DynamoDB (moto server): items move only
forward, counts follow each move exactly once, pages of items follow a cursor, a batch is
finished once, and delivery attempts are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.adapters.aws import AwsClients
from core.adapters.aws.dynamodb_batches import DynamoBatchStore
from core.adapters.local.batches import SqliteBatchStore
from core.adapters.local.sqlite import SqliteDatabase
from core.batches.models import (
    BATCH_RETENTION,
    Batch,
    BatchCounts,
    BatchItem,
    DeliveryAttempt,
    new_batch_id,
)
from core.errors import InvalidCursor
from core.models import ArticleError
from core.ports import BatchStore
from core.settings import Settings


@pytest.fixture(params=["local", pytest.param("aws", marks=pytest.mark.aws)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BatchStore:
    if request.param == "local":
        return SqliteBatchStore(SqliteDatabase(tmp_path / "db.sqlite3"))
    settings: Settings = request.getfixturevalue("aws_settings")
    clients: AwsClients = request.getfixturevalue("aws_clients")
    return DynamoBatchStore(settings, clients)


def make_batch(
    store: BatchStore,
    n: int,
    *,
    rejected: int = 0,
    webhook: str | None = None,
    created_at: datetime | None = None,
) -> str:
    now = created_at or datetime.now(UTC)
    items = [
        BatchItem(index=i, url=f"https://example.org/{i}", id=f"{i:032x}", status="queued")
        for i in range(n)
    ] + [
        BatchItem(
            index=n + j,
            url=f"ftp://bad/{j}",
            status="rejected",
            error=ArticleError(code="invalid_url", message="scheme"),
        )
        for j in range(rejected)
    ]
    batch = Batch(
        id=new_batch_id(),
        created_at=now,
        total=len(items),
        counts=BatchCounts.of(items),
        finished=False,
        webhook=webhook,
    )
    store.create(batch, items)
    return batch.id


def test_a_new_batch_counts_its_items(store: BatchStore) -> None:
    batch_id = make_batch(store, 3, rejected=2, webhook="https://hooks.example.org/x")
    batch = store.get(batch_id)
    assert batch is not None
    assert batch.total == 5
    assert batch.counts == BatchCounts(queued=3, rejected=2)
    assert not batch.finished
    assert batch.webhook == "https://hooks.example.org/x"
    assert store.get(new_batch_id()) is None


def test_items_move_forward_once_and_counts_follow(store: BatchStore) -> None:
    batch_id = make_batch(store, 3)
    assert store.advance(batch_id, 0, "extracted")
    assert not store.advance(batch_id, 0, "extracted")  # a redelivered change
    assert not store.advance(batch_id, 0, "fetched")  # never backwards
    assert store.advance(batch_id, 0, "indexed")
    assert not store.advance(batch_id, 0, "failed")  # final stays final
    failure = ArticleError(code="http_error", message="HTTP 404", http_status=404)
    assert store.advance(batch_id, 1, "failed", failure)
    assert not store.advance(batch_id, 1, "failed", failure)
    batch = store.get(batch_id)
    assert batch is not None
    assert batch.counts == BatchCounts(queued=1, indexed=1, failed=1)
    items, _ = store.items(batch_id, limit=10)
    assert [i.status for i in items] == ["indexed", "failed", "queued"]
    assert items[1].error == failure


def test_a_batch_is_finished_once_and_only_when_every_item_is_final(store: BatchStore) -> None:
    batch_id = make_batch(store, 2, rejected=1)
    assert not store.mark_finished(batch_id)
    store.advance(batch_id, 0, "indexed")
    assert not store.mark_finished(batch_id)
    store.advance(batch_id, 1, "failed")
    assert store.mark_finished(batch_id)
    assert not store.mark_finished(batch_id)
    batch = store.get(batch_id)
    assert batch is not None
    assert batch.finished
    assert batch.finished_at is not None


def test_items_page_in_submission_order_with_a_cursor(store: BatchStore) -> None:
    batch_id = make_batch(store, 5, rejected=2)
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        items, cursor = store.items(batch_id, limit=3, cursor=cursor)
        seen += [item.index for item in items]
        if cursor is None:
            break
    assert seen == list(range(7))
    _, first_cursor = store.items(batch_id, limit=3)
    assert first_cursor is not None
    other = make_batch(store, 1)
    with pytest.raises(InvalidCursor):
        store.items(other, limit=3, cursor=first_cursor)  # issued for another batch


def test_memberships_find_an_articles_batches(store: BatchStore) -> None:
    first = make_batch(store, 2)
    second = make_batch(store, 1)
    found = {(m.batch_id, m.index) for m in store.memberships(f"{0:032x}")}
    assert found == {(first, 0), (second, 0)}
    assert [(m.batch_id, m.index) for m in store.memberships(f"{1:032x}")] == [(first, 1)]
    assert store.memberships(f"{99:032x}") == []


def test_delivery_attempts_are_kept_in_order(store: BatchStore) -> None:
    batch_id = make_batch(store, 1, webhook="https://hooks.example.org/x")
    now = datetime.now(UTC)
    first = DeliveryAttempt(
        attempt=1,
        at=now,
        outcome="failed",
        http_status=500,
        error="HTTP 500",
        next_attempt_at=now + timedelta(seconds=10),
    )
    second = DeliveryAttempt(attempt=2, at=now, outcome="delivered", http_status=204)
    store.record_delivery(batch_id, first)
    store.record_delivery(batch_id, second)
    batch = store.get(batch_id)
    assert batch is not None
    assert batch.deliveries == [first, second]


def test_a_batch_is_forgotten_after_its_retention(store: BatchStore) -> None:
    now = datetime.now(UTC)
    expired = make_batch(store, 2, created_at=now - BATCH_RETENTION - timedelta(minutes=1))
    kept = make_batch(store, 2, created_at=now - BATCH_RETENTION + timedelta(hours=1))
    assert store.get(expired) is None
    assert store.get(kept) is not None
