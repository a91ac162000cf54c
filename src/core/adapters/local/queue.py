"""The local intake queue: SQS semantics on a SQLite table.

Messages have a visibility time, a receive count and a receipt handle that changes on every
receive, like SQS standard queues. A message received ``max_receives`` times without being
deleted moves to the dead-letter table on its next receive (SQS's ``maxReceiveCount``).
The local runtime (``article_ingest.runtime``) turns received messages into SQS-shaped Lambda
events for the same worker handler that runs on AWS.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.adapters.local.sqlite import SqliteDatabase
from core.errors import InvalidInput
from core.ports import IngestRequest

logger = logging.getLogger(__name__)

# As the AWS queue's redrive policy (template.yaml).
DEFAULT_MAX_RECEIVES = 5
# SQS's limits: a delay of at most 15 minutes, at most 10 messages per receive.
MAX_DELAY_S = 900
MAX_RECEIVE_BATCH = 10

SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    message_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    sent_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at REAL,
    receipt TEXT
);
CREATE INDEX IF NOT EXISTS queue_by_visibility ON queue (visible_at);
CREATE TABLE IF NOT EXISTS queue_dead_letters (
    message_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    sent_at REAL NOT NULL,
    receive_count INTEGER NOT NULL,
    dead_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class QueueMessage:
    """One received message."""

    message_id: str
    receipt: str
    body: str
    sent_at: float
    receive_count: int
    first_received_at: float


class SqliteIngestQueue:
    """``IngestQueue`` on the local SQLite database, plus what the local runtime needs."""

    def __init__(
        self,
        db: SqliteDatabase,
        *,
        clock: Callable[[], float] = time.time,
        max_receives: int = DEFAULT_MAX_RECEIVES,
    ) -> None:
        self.db = db
        self.clock = clock
        self.max_receives = max_receives
        db.ensure_schema("queue", SCHEMA)

    # -- IngestQueue ---------------------------------------------------------------------------

    def send(self, requests: Sequence[IngestRequest], *, delay_s: int = 0) -> None:
        """Enqueue ``requests`` (one transaction: all or none)."""
        self.send_bodies([r.model_dump_json() for r in requests], delay_s=delay_s)

    def send_bodies(self, bodies: Sequence[str], *, delay_s: int = 0) -> list[str]:
        """Enqueue raw message bodies; returns their message ids."""
        if not 0 <= delay_s <= MAX_DELAY_S:
            raise InvalidInput(f"delay must be within 0..{MAX_DELAY_S} s, not {delay_s}")
        now = self.clock()
        ids = [str(uuid.uuid4()) for _ in bodies]
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO queue (message_id, body, sent_at, visible_at) VALUES (?, ?, ?, ?)",
                [(mid, body, now, now + delay_s) for mid, body in zip(ids, bodies, strict=True)],
            )
        return ids

    # -- consumer side (the local runtime) -----------------------------------------------------

    def receive(
        self, *, max_messages: int = MAX_RECEIVE_BATCH, visibility_timeout_s: float = 30.0
    ) -> list[QueueMessage]:
        """Up to ``max_messages`` visible messages, hidden for ``visibility_timeout_s``."""
        now = self.clock()
        max_messages = max(1, min(max_messages, MAX_RECEIVE_BATCH))
        received: list[QueueMessage] = []
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT message_id, body, sent_at, receive_count, first_received_at FROM queue"
                " WHERE visible_at <= ? ORDER BY visible_at, sent_at LIMIT ?",
                (now, max_messages * 2),
            ).fetchall()
            for row in rows:
                if row["receive_count"] >= self.max_receives:
                    self._to_dead_letters(conn, row, now)
                    continue
                if len(received) >= max_messages:
                    break
                receipt = str(uuid.uuid4())
                first = row["first_received_at"] or now
                conn.execute(
                    "UPDATE queue SET receive_count = receive_count + 1, receipt = ?,"
                    " visible_at = ?, first_received_at = ? WHERE message_id = ?",
                    (receipt, now + visibility_timeout_s, first, row["message_id"]),
                )
                received.append(
                    QueueMessage(
                        message_id=row["message_id"],
                        receipt=receipt,
                        body=row["body"],
                        sent_at=row["sent_at"],
                        receive_count=row["receive_count"] + 1,
                        first_received_at=first,
                    )
                )
        return received

    @staticmethod
    def _to_dead_letters(conn: sqlite3.Connection, row: sqlite3.Row, now: float) -> None:
        logger.warning(
            "message %s received %d times: moved to the dead-letter table",
            row["message_id"],
            row["receive_count"],
        )
        conn.execute(
            "INSERT OR REPLACE INTO queue_dead_letters"
            " (message_id, body, sent_at, receive_count, dead_at) VALUES (?, ?, ?, ?, ?)",
            (row["message_id"], row["body"], row["sent_at"], row["receive_count"], now),
        )
        conn.execute("DELETE FROM queue WHERE message_id = ?", (row["message_id"],))

    def delete(self, receipt: str) -> bool:
        """Delete the message received with ``receipt``; False if that receipt is stale."""
        with self.db.transaction() as conn:
            cursor = conn.execute("DELETE FROM queue WHERE receipt = ?", (receipt,))
        return cursor.rowcount > 0

    def change_visibility(self, receipt: str, timeout_s: float) -> bool:
        """Make the message visible ``timeout_s`` from now; False if ``receipt`` is stale."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE queue SET visible_at = ? WHERE receipt = ?",
                (self.clock() + timeout_s, receipt),
            )
        return cursor.rowcount > 0

    def pending(self) -> int:
        """Messages in the queue, visible or not (dead letters excluded)."""
        row = self.db.connection().execute("SELECT COUNT(*) AS n FROM queue").fetchone()
        return int(row["n"])

    def next_visible_at(self) -> float | None:
        """When the next message becomes visible (None when the queue is empty)."""
        row = self.db.connection().execute("SELECT MIN(visible_at) AS t FROM queue").fetchone()
        return None if row["t"] is None else float(row["t"])

    def dead_letters(self) -> list[str]:
        """Bodies of the dead-lettered messages, oldest first."""
        rows = (
            self.db.connection()
            .execute("SELECT body FROM queue_dead_letters ORDER BY dead_at, message_id")
            .fetchall()
        )
        return [row["body"] for row in rows]

    def redrive(self) -> int:
        """Move every dead letter back to the queue (receive count reset); returns how many."""
        now = self.clock()
        with self.db.transaction() as conn:
            rows = conn.execute("SELECT message_id, body FROM queue_dead_letters").fetchall()
            conn.executemany(
                "INSERT INTO queue (message_id, body, sent_at, visible_at) VALUES (?, ?, ?, ?)",
                [(row["message_id"], row["body"], now, now) for row in rows],
            )
            conn.execute("DELETE FROM queue_dead_letters")
        return len(rows)
