"""The local change stream: the SQLite ``stream`` outbox read like a DynamoDB stream.

``SqliteArticleStore`` appends every write's old and new row to the ``stream`` table in the same
transaction. This adapter reads it as a Lambda stream mapping reads a DynamoDB stream: in order,
in batches, resuming at the first failed record after a backoff; after ``max_retries`` that
record goes to the ``stream_dead_letters`` table (the on-failure destination). The cursor lives
in SQLite, so a restart resumes where the last run stopped; a lease keeps two processes from
reading the stream at once. The lease names its holder (``core.adapters.local.liveness``): a
holder on this machine that has died (``kill -9``, a crash) is seen as such and its lease taken
at once; a live holder, or one elsewhere, keeps it until it releases it or ``LEASE_S`` runs out.

``stream_record`` shapes a row as a DynamoDB stream record, because the indexer handler is the
same code on both backends; its images are the local store's own rows (typed as DynamoDB
attribute values so the AWS filter pattern reads them alike), which only
``SqliteArticleStore.article_from_image`` turns back into an Article.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from core.adapters.local import liveness
from core.adapters.local.article_store import row_image
from core.adapters.local.sqlite import SqliteDatabase
from core.backoff import backoff_delay

logger = logging.getLogger(__name__)

STREAM = "articles"
STREAM_ARN = "arn:aws:dynamodb:local:000000000000:table/articles/stream/local"
# As the AWS event source mapping (template.yaml).
STREAM_MAX_RETRIES = 10
LEASE_S = 60.0
LEASE_POLL_S = 1.0
MAX_BACKOFF_S = 30.0
# The local outbox keeps processed rows as long as a DynamoDB stream keeps records.
STREAM_RETENTION = timedelta(hours=24)

CURSOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL DEFAULT 0,
    failed_seq INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    retry_at REAL NOT NULL DEFAULT 0,
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS stream_dead_letters (
    seq INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    dead_at REAL NOT NULL
)
"""


def redelivery_delay(attempts: int) -> float:
    """Seconds before redelivery number ``attempts`` (1, 2, 4, … capped, no jitter)."""
    return backoff_delay(max(0, attempts - 1), base_s=1.0, cap_s=MAX_BACKOFF_S, jitter=0.0)


def stream_record(row: sqlite3.Row) -> dict[str, Any]:
    """A DynamoDB stream Lambda event record for one outbox row."""
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": datetime.fromisoformat(row["created_at"]).timestamp(),
        "Keys": {"id": {"S": row["article_id"]}},
        "NewImage": row_image(row["new_image"]),
        "SequenceNumber": str(row["seq"]).zfill(21),
        "SizeBytes": len(row["new_image"]) + len(row["old_image"] or ""),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if row["old_image"]:
        dynamodb["OldImage"] = row_image(row["old_image"])
    return {
        "eventID": str(row["seq"]),
        "eventName": row["event_name"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "local",
        "dynamodb": dynamodb,
        "eventSourceARN": STREAM_ARN,
    }


class SqliteChangeStream:
    """The cursor, lease and dead letters of one reader of the ``stream`` outbox."""

    def __init__(
        self,
        db: SqliteDatabase,
        *,
        clock: Callable[[], float] = time.time,
        max_retries: int = STREAM_MAX_RETRIES,
    ) -> None:
        """``db`` must already hold the ``stream`` table (``SqliteArticleStore`` creates it)."""
        self.db = db
        self.clock = clock
        self.max_retries = max_retries
        self.owner = liveness.owner_token()
        db.ensure_schema("stream_cursors", CURSOR_SCHEMA)
        with db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO stream_cursors (name) VALUES (?)", (STREAM,))

    def _cursor(self, conn: sqlite3.Connection) -> sqlite3.Row:
        row: sqlite3.Row = conn.execute(
            "SELECT * FROM stream_cursors WHERE name = ?", (STREAM,)
        ).fetchone()
        return row

    def _leased_to_another(self, cursor: sqlite3.Row, now: float) -> bool:
        """Whether another live reader holds the stream lease."""
        owner = cursor["owner"]
        if owner in (None, self.owner) or cursor["lease_until"] <= now:
            return False
        if liveness.is_dead(owner):
            logger.warning("the stream lease holder %s has died; taking the lease over", owner)
            return False
        return True

    def claim(self, batch: int) -> list[sqlite3.Row]:
        """The next due rows (at most ``batch``), taking or renewing the lease; [] if none."""
        now = self.clock()
        with self.db.transaction() as conn:
            cursor = self._cursor(conn)
            if self._leased_to_another(cursor, now) or cursor["retry_at"] > now:
                return []
            rows = conn.execute(
                "SELECT * FROM stream WHERE seq > ? ORDER BY seq LIMIT ?",
                (cursor["seq"], batch),
            ).fetchall()
            if rows:
                conn.execute(
                    "UPDATE stream_cursors SET owner = ?, lease_until = ? WHERE name = ?",
                    (self.owner, now + LEASE_S, STREAM),
                )
        return rows

    def advance(self, rows: Sequence[sqlite3.Row], failed_seq: int | None) -> None:
        """Move past ``rows`` (all processed), or back to ``failed_seq`` to retry it later —
        past it into the dead letters once it has failed ``max_retries`` times."""
        now = self.clock()
        with self.db.transaction() as conn:
            cursor = self._cursor(conn)
            if failed_seq is None:
                conn.execute(
                    "UPDATE stream_cursors SET seq = ?, failed_seq = NULL, attempts = 0,"
                    " retry_at = 0 WHERE name = ?",
                    (rows[-1]["seq"], STREAM),
                )
                self._trim(conn, rows[-1]["seq"])
                return
            attempts = cursor["attempts"] + 1 if cursor["failed_seq"] == failed_seq else 1
            if attempts > self.max_retries:
                row = next(r for r in rows if r["seq"] == failed_seq)
                logger.error(
                    "stream record %d failed %d times: dead-lettered", failed_seq, attempts
                )
                conn.execute(
                    "INSERT OR REPLACE INTO stream_dead_letters"
                    " (seq, article_id, event_name, attempts, dead_at) VALUES (?, ?, ?, ?, ?)",
                    (failed_seq, row["article_id"], row["event_name"], attempts, now),
                )
                conn.execute(
                    "UPDATE stream_cursors SET seq = ?, failed_seq = NULL, attempts = 0,"
                    " retry_at = 0 WHERE name = ?",
                    (failed_seq, STREAM),
                )
                return
            conn.execute(
                "UPDATE stream_cursors SET seq = ?, failed_seq = ?, attempts = ?, retry_at = ?"
                " WHERE name = ?",
                (failed_seq - 1, failed_seq, attempts, now + redelivery_delay(attempts), STREAM),
            )

    def release(self) -> None:
        """Give the lease up (if this reader holds it)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE stream_cursors SET owner = NULL, lease_until = 0"
                " WHERE name = ? AND owner = ?",
                (STREAM, self.owner),
            )

    def _trim(self, conn: sqlite3.Connection, upto_seq: int) -> None:
        horizon = (datetime.now(UTC) - STREAM_RETENTION).isoformat()
        conn.execute("DELETE FROM stream WHERE seq <= ? AND created_at < ?", (upto_seq, horizon))

    def next_due_at(self) -> float | None:
        """When the stream has work again: None if caught up, else the retry/lease time."""
        conn = self.db.connection()
        cursor = self._cursor(conn)
        pending = conn.execute(
            "SELECT 1 FROM stream WHERE seq > ? LIMIT 1", (cursor["seq"],)
        ).fetchone()
        if pending is None:
            return None
        now = self.clock()
        wait = float(cursor["retry_at"])
        if self._leased_to_another(cursor, now):
            # Another process is indexing: poll, since it may finish well before its lease ends.
            wait = max(wait, min(float(cursor["lease_until"]), now + LEASE_POLL_S))
        return max(wait, now)

    def dead_letters(self) -> list[dict[str, Any]]:
        """Records given up on (the on-failure destination)."""
        rows = self.db.connection().execute("SELECT * FROM stream_dead_letters ORDER BY seq")
        return [dict(row) for row in rows.fetchall()]

    def lag(self) -> int:
        """Outbox records not yet processed."""
        conn = self.db.connection()
        row = conn.execute(
            "SELECT COUNT(*) AS n FROM stream WHERE seq > ?", (self._cursor(conn)["seq"],)
        ).fetchone()
        return int(row["n"])
