"""Batches on the local SQLite database: one row per batch, one per item.

Counts are read with one ``GROUP BY`` over the batch's items, so they always agree with them;
an item moves only forward (``core.batches.rank``), inside one write transaction. A batch is
kept ``BATCH_RETENTION`` as on AWS: creating a batch deletes (a bounded number of) expired ones
with their items, and a read treats an expired batch as gone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from core.adapters.local.sqlite import SqliteDatabase
from core.batches.models import (
    BATCH_RETENTION,
    TERMINAL,
    Batch,
    BatchCounts,
    BatchItem,
    BatchMembership,
    DeliveryAttempt,
    ItemStatus,
    cursor_index,
    items_cursor,
    rank,
)
from core.models import ArticleError

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    total INTEGER NOT NULL,
    webhook TEXT,
    finished_at TEXT,
    deliveries TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS batch_items (
    batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    url TEXT NOT NULL,
    article_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    updated_at TEXT,
    PRIMARY KEY (batch_id, idx)
);
CREATE INDEX IF NOT EXISTS batch_items_by_article ON batch_items (article_id);
CREATE INDEX IF NOT EXISTS batches_by_created_at ON batches (created_at)
"""
#: Expired batches deleted per new batch: enough to keep up with any submission rate (each new
#: batch removes up to this many old ones), small enough to keep one submission's write short.
PURGE_PER_CREATE = 100


def _item(row: sqlite3.Row) -> BatchItem:
    error = row["error"]
    return BatchItem(
        index=row["idx"],
        url=row["url"],
        id=row["article_id"],
        status=row["status"],
        error=ArticleError.model_validate_json(error) if error else None,
        updated_at=datetime.fromisoformat(row["updated_at"]) if row["updated_at"] else None,
    )


def _cutoff() -> str:
    """Batches created before this instant (ISO 8601, UTC, as stored) have expired."""
    return (datetime.now(UTC) - BATCH_RETENTION).isoformat()


class SqliteBatchStore:
    """``BatchStore`` on the local SQLite database."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        db.ensure_schema("batches", SCHEMA)

    def create(self, batch: Batch, items: Sequence[BatchItem]) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM batches WHERE id IN (SELECT id FROM batches WHERE created_at < ?"
                " ORDER BY created_at LIMIT ?)",
                (_cutoff(), PURGE_PER_CREATE),
            )
            conn.execute(
                "INSERT INTO batches (id, created_at, total, webhook) VALUES (?, ?, ?, ?)",
                (batch.id, batch.created_at.astimezone(UTC).isoformat(), len(items), batch.webhook),
            )
            conn.executemany(
                "INSERT INTO batch_items (batch_id, idx, url, article_id, status, error,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        batch.id,
                        item.index,
                        item.url,
                        item.id,
                        item.status,
                        item.error.model_dump_json() if item.error else None,
                        (item.updated_at or batch.created_at).isoformat(),
                    )
                    for item in items
                ],
            )

    def get(self, batch_id: str) -> Batch | None:
        conn = self.db.connection()
        row = conn.execute(
            "SELECT * FROM batches WHERE id = ? AND created_at >= ?", (batch_id, _cutoff())
        ).fetchone()
        if row is None:
            return None
        counts = BatchCounts()
        for status, n in conn.execute(
            "SELECT status, COUNT(*) FROM batch_items WHERE batch_id = ? GROUP BY status",
            (batch_id,),
        ):
            setattr(counts, status, n)
        return Batch(
            id=row["id"],
            created_at=datetime.fromisoformat(row["created_at"]),
            total=row["total"],
            counts=counts,
            finished=row["finished_at"] is not None,
            finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
            webhook=row["webhook"],
            deliveries=[DeliveryAttempt.model_validate(d) for d in json.loads(row["deliveries"])],
        )

    def items(
        self, batch_id: str, *, limit: int, cursor: str | None = None
    ) -> tuple[list[BatchItem], str | None]:
        after = cursor_index(batch_id, cursor)
        rows = (
            self.db.connection()
            .execute(
                "SELECT * FROM batch_items WHERE batch_id = ? AND idx > ? ORDER BY idx LIMIT ?",
                (batch_id, after, limit + 1),
            )
            .fetchall()
        )
        items = [_item(row) for row in rows[:limit]]
        more = len(rows) > limit
        return items, items_cursor(batch_id, items[-1].index) if more and items else None

    def memberships(self, article_id: str) -> list[BatchMembership]:
        rows = (
            self.db.connection()
            .execute(
                "SELECT i.batch_id, i.idx, b.created_at FROM batch_items i"
                " JOIN batches b ON b.id = i.batch_id WHERE i.article_id = ?",
                (article_id,),
            )
            .fetchall()
        )
        return [
            BatchMembership(
                batch_id=row["batch_id"],
                index=row["idx"],
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in rows
        ]

    def advance(
        self, batch_id: str, index: int, status: ItemStatus, error: ArticleError | None = None
    ) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT status FROM batch_items WHERE batch_id = ? AND idx = ?", (batch_id, index)
            ).fetchone()
            if row is None or row["status"] in TERMINAL or rank(row["status"]) >= rank(status):
                return False
            conn.execute(
                "UPDATE batch_items SET status = ?, error = ?, updated_at = ?"
                " WHERE batch_id = ? AND idx = ?",
                (
                    status,
                    error.model_dump_json() if error else None,
                    datetime.now(UTC).isoformat(),
                    batch_id,
                    index,
                ),
            )
        return True

    def mark_finished(self, batch_id: str) -> bool:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE batches SET finished_at = ? WHERE id = ? AND finished_at IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = ?"
                " AND status NOT IN ('indexed', 'failed', 'rejected'))",
                (datetime.now(UTC).isoformat(), batch_id, batch_id),
            )
        return cursor.rowcount > 0

    def record_delivery(self, batch_id: str, attempt: DeliveryAttempt) -> None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT deliveries FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
            if row is None:
                return
            deliveries = [*json.loads(row["deliveries"]), attempt.model_dump(mode="json")]
            conn.execute(
                "UPDATE batches SET deliveries = ? WHERE id = ?",
                (json.dumps(deliveries), batch_id),
            )
